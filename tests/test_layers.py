"""The import layering of `hazardloop/`, checked (run by `make lint`, and by pytest).

Walks every non-test, non-migration module with `ast`, top-level and deferred (in-function)
imports alike, and holds every arrow from one app to another against ALLOWED below — the hand
list of `docs/architecture.md` ("Layers"). An arrow not in the list fails, naming the file and
line; arrows that cannot be fixed this session are listed in KNOWN_EXCEPTIONS by file, each with
the reason and who removes it, never silently.

Run alone: `python tests/test_layers.py` (exit status 1 on a wrong arrow).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hazardloop"

# Bottom to top. An app may import the apps listed for it (and, through them, nothing else:
# the list is not transitive, every arrow is written out).
BASE = {"core"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),  # shared mechanisms, no domain: imports no app
    "audit": BASE,  # the hash-chained log every service writes to
    "accounts": BASE | {"audit"},  # users, roles, sign-in; writes audit rows
    "registry": BASE | {"audit", "accounts"},  # regions, enterprises, providers, experts, units
    # An enterprise without an account: activation codes and accounts, nothing of the loop.
    "onboarding": BASE | {"audit", "accounts", "registry"},
    # The closed loop; a notice gives its enterprise an activation code (decision 0060).
    "hazards": BASE | {"audit", "accounts", "registry", "onboarding"},
    # Inspections register their findings as hazards and belong to contracts; procurement's
    # awards and compliance read visits and hazards. The two read each other's models.
    "inspections": BASE | {"audit", "accounts", "registry", "hazards", "procurement"},
    "procurement": BASE | {"audit", "accounts", "registry", "hazards", "inspections"},
    "enforcement": BASE | {"audit", "accounts", "registry", "hazards"},  # acts through hazards.services
    "meetings": BASE | {"audit", "accounts", "registry", "hazards"},  # decisions through hazards.services
    "evaluation": BASE | {"audit", "accounts", "registry", "hazards", "inspections", "procurement"},
    "analytics": BASE
    | {"audit", "accounts", "registry", "hazards", "inspections", "procurement"}
    | {"enforcement", "meetings", "evaluation", "onboarding"},  # reads everything, writes only reminders
    "demo": {
        "core",
        "audit",
        "accounts",
        "registry",
        "hazards",
        "inspections",
        "procurement",
        "enforcement",
        "meetings",
        "evaluation",
        "analytics",
        "onboarding",
    },  # builds the demo district and the province through every app's builders
}

# (importing file, imported app): why it is there and who takes it out.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    # Core's API and personal-data views ask the access kit through accounts.scoping and write
    # audit rows; they should import core.access directly and move the audited reveal into audit.
    ("core/personal_data.py", "accounts"): "reveal of personal data: role check and scope",
    ("core/personal_data.py", "audit"): "reveal of personal data is audited",
    ("core/api/viewsets.py", "accounts"): "should import core.access, not the re-export",
    ("core/api/permissions.py", "accounts"): "should import core.access, not the re-export",
    ("core/context_processors.py", "accounts"): "navigation asks capabilities; should use core.access",
    ("core/api/auth.py", "accounts"): "API token sign-in uses the accounts rate limit and 2FA",
    ("core/management/commands/backup.py", "audit"): "backups are audited; belongs in audit",
    ("core/management/commands/restore.py", "audit"): "restores are audited; belongs in audit",
    # The audit log registers its scope through accounts.scoping; should use core.access.
    ("audit/models.py", "accounts"): "visible_to via accounts.scoping; to core.querysets",
    # accounts.scoping re-exports the registry's enterprise filter for older callers; callers
    # should import it from registry.access and the re-export go.
    ("accounts/scoping.py", "registry"): "re-export of registry.access.enterprise_filter",
    ("accounts/demo.py", "registry"): "demo users link to registry rows; moving to hazardloop/demo",
    # The enterprise page lists the enterprise's hazards and contracts.
    ("registry/views.py", "hazards"): "enterprise page shows its hazards; should be a template hook",
    ("registry/views.py", "procurement"): "enterprise page shows its contracts",
    # Deferred reads of inspections from hazards (review §3: can go through the relation).
    ("hazards/services/register.py", "inspections"): "link a finding's inspection; via the relation",
    ("hazards/views.py", "inspections"): "inspection shown on the hazard page",
    ("procurement/views/money.py", "analytics"): "cost-effectiveness figures on the awards page",
}


def app_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None  # top-level files are project glue


def imported_apps(tree: ast.AST, apps: set[str]):
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "hazardloop":
                names = [f"hazardloop.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "hazardloop" and len(parts) > 1 and parts[1] in apps:
                yield parts[1], node.lineno


def arrows():
    """(file relative to the package, its app, imported app, line) for every cross-app import."""
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        source = app_of(path)
        if source is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target, line in imported_apps(tree, apps):
            if target != source:
                yield rel.as_posix(), source, target, line


def problems() -> tuple[list[str], list[str]]:
    wrong, used = [], set()
    for rel, source, target, line in arrows():
        if source not in ALLOWED:
            wrong.append(f"{rel}:{line}: app '{source}' has no place in the layering (tests/test_layers.py)")
        elif target not in ALLOWED[source]:
            if (rel, target) in KNOWN_EXCEPTIONS:
                used.add((rel, target))
            else:
                wrong.append(f"{rel}:{line}: {source} → {target} runs against the layering")
    stale = [f"{rel} → {target}" for rel, target in KNOWN_EXCEPTIONS if (rel, target) not in used]
    return wrong, stale


def test_imports_follow_the_layering():
    wrong, _ = problems()
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_wrong_arrow(tmp_path):
    # registry must not import the loop: a deferred import of hazards is found and refused.
    tree = ast.parse("def f():\n    from hazardloop.hazards import services\n")
    found = list(imported_apps(tree, {"hazards", "registry"}))
    assert found == [("hazards", 2)]
    assert "hazards" not in ALLOWED["registry"]


if __name__ == "__main__":
    wrong, stale = problems()
    for line in stale:
        print(f"note: known exception no longer needed, remove it: {line}")
    for line in wrong:
        print(line)
    print(
        f"import layers: {len(wrong)} wrong arrow(s), {len(KNOWN_EXCEPTIONS) - len(stale)} known exception(s)"
    )
    sys.exit(1 if wrong else 0)
