"""Benchmarks: each module has a `run()` that does its work and returns its figures.

`python -m benchmarks [names...]` (or `make bench BENCH_ARGS="names"`) runs them one by one,
each in a fresh process because each picks its own database before Django starts, and prints
the figures. Benchmarks time things and print what they measured; the test suite never does.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

# In the order they run by default; a module that is not there yet is skipped.
DEFAULT = ("registry_import", "registry_lists", "hazard_loop", "hazard_board")
# Run only by name (`make bench BENCH_ARGS="province"`): too slow or too big for every `make bench`
# (province builds 5,000,000 hazards on PostgreSQL first).
ON_DEMAND = ("analytics_dashboard", "planning", "province")

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def available(names: Sequence[str] = DEFAULT) -> list[str]:
    return [name for name in names if importlib.util.find_spec(f"benchmarks.{name}") is not None]


def database_url(filename: str) -> str:
    """The DATABASE_URL given, else a SQLite file of this name under var/bench/ — never the
    project's own development database."""
    given = os.environ.get("DATABASE_URL")
    if given:
        return given
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{BENCH_DIR / filename}"


def setup_django(url: str | None = None) -> None:
    """Point Django at `url` (when given) and start it; a no-op once Django is running."""
    from django.apps import apps

    if apps.ready:
        return
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hazardloop.settings")
    import django

    django.setup()


def format_figures(figures) -> str:
    """A mapping prints as name/value lines, a list of mappings as a table."""
    from hazardloop.core.console import format_table

    if isinstance(figures, Mapping):
        return format_table(("figure", "value"), [(k, v) for k, v in figures.items()], right=[1])
    if isinstance(figures, Sequence) and figures and isinstance(figures[0], Mapping):
        headers = list(figures[0])
        numeric = [i for i, h in enumerate(headers) if isinstance(figures[0][h], int | float)]
        return format_table(headers, [[row.get(h, "") for h in headers] for row in figures], right=numeric)
    return "" if figures is None else str(figures)
