"""The one place the planner reads the ORM: a service contract's year as a planning Problem."""

from __future__ import annotations

import datetime as dt

from .model import EnterpriseSpec, ExpertSpec, Problem, enterprise_kind, visits_per_year, weekdays


def chinese_working_days(year: int) -> list[dt.date]:
    """Working days by the State Council's holiday notice (调休 Saturdays in, festivals out)."""
    import chinese_calendar

    day, out = dt.date(year, 1, 1), []
    while day.year == year:
        if chinese_calendar.is_workday(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def problem_from_contract(
    contract,
    year: int,
    *,
    working_days: list[dt.date] | None = None,
    high: int = 4,
    large_medium: int = 2,
    other: int = 1,
    daily_cap: int = 2,
    monthly_cap: int = 30,
) -> Problem:
    """Covered enterprises and the provider's active experts. Experts carry no home location in
    the registry yet, so travel is not counted for them (model.distance_km gives 0)."""
    from hazardloop.registry import rules
    from hazardloop.registry.choices import Specialty
    from hazardloop.registry.models import Expert

    enterprises = []
    for ent in contract.enterprises.select_related("industry").order_by("id"):
        team = rules.required_team_size(ent.size, ent.high_risk)
        location = (float(ent.latitude), float(ent.longitude)) if ent.latitude and ent.longitude else None
        enterprises.append(
            EnterpriseSpec(
                id=ent.id,
                name=ent.name,
                team_min=team.minimum,
                team_max=team.maximum,
                specialty=ent.industry.specialty,
                visits=visits_per_year(
                    ent.size, ent.high_risk, high=high, large_medium=large_medium, other=other
                ),
                kind=enterprise_kind(ent.size, ent.high_risk),
                location=location,
            )
        )
    experts = []
    rows = Expert.objects.filter(provider=contract.provider, active=True).prefetch_related(
        "specialty_rows", "conflict_rows"
    )
    for x in rows.order_by("id"):
        experts.append(
            ExpertSpec(
                id=x.id,
                name=x.name,
                specialties=frozenset(x.specialties),
                conflicts=frozenset(c.enterprise_id for c in x.conflict_rows.all()),
                daily_cap=daily_cap,
                monthly_cap=monthly_cap,
            )
        )
    return Problem(
        year=year,
        enterprises=enterprises,
        experts=experts,
        working_days=working_days or weekdays(year),
        specialty_labels={k: str(v) for k, v in Specialty.choices},
    )
