"""The demo district, built in steps that the apps contribute.

Each app that has demo data keeps it in its own `demo.py` and registers a builder with
`@demo_step(order)`; `load_demo` imports every installed app's `demo` module and runs the steps
by order inside one transaction. Orders leave room between them so that later apps slot in
without renumbering: 10 registry, 20 procurement, 30 accounts (users exist before inspections,
hazards and meetings, which need actors), then 40 and up for the loop itself.

Every step draws from its own random stream (seed and step name), so adding a step or changing
one never changes the data another step makes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules

# The case study's district (seed/case-study-longan.txt): 439 enterprises.
DISTRICT_ENTERPRISES = 439
DEFAULT_SEED = 2026


@dataclass
class DemoContext:
    """What every step is told: how big a region to build and where to report progress."""

    enterprises: int = DISTRICT_ENTERPRISES
    seed: int = DEFAULT_SEED
    log: Callable[[str], None] = print
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def synthetic(self) -> int:
        """Enterprises beyond the case-study district, placed in synthetic districts."""
        return max(0, self.enterprises - DISTRICT_ENTERPRISES)

    @property
    def district_enterprises(self) -> int:
        return min(self.enterprises, DISTRICT_ENTERPRISES)

    def rng(self, step: str) -> random.Random:
        # String seeds hash with SHA-512, so the stream is the same in every process.
        return random.Random(f"hazardloop-demo:{self.seed}:{step}")


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    build: Callable[[DemoContext], None]


_STEPS: dict[str, DemoStep] = {}


def demo_step(order: int):
    """Register `build(ctx)` as a demo step; the function's module and name identify it."""

    def register(build: Callable[[DemoContext], None]):
        name = f"{build.__module__}.{build.__name__}"
        _STEPS[name] = DemoStep(order=order, name=name, build=build)
        return build

    return register


def demo_steps() -> list[DemoStep]:
    autodiscover_modules("demo")
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def build_demo(ctx: DemoContext) -> None:
    """Run every step in order. The caller holds the transaction."""
    for step in demo_steps():
        started = time.perf_counter()
        step.build(ctx)
        ctx.timings[step.name] = time.perf_counter() - started
