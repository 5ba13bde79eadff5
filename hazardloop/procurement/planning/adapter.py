"""The one place the planner reads the ORM: a service contract's year as a planning Problem."""

from __future__ import annotations

import datetime as dt

from .model import EnterpriseSpec, ExpertSpec, Problem, enterprise_kind, weekdays


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
    daily_cap: int = 2,
    monthly_cap: int = 30,
    extra_expert_ids: frozenset[int] = frozenset(),
) -> Problem:
    """Covered enterprises under the contract's standard (visits a year and experts a visit by
    class: ServiceContract.visits_required / team_requirement) and the provider's active experts,
    plus `extra_expert_ids` (a re-plan keeps an expert who has left so that the done visits they
    were on still read as they happened; the caller marks them unavailable).

    An expert's home is their registered base (Expert.base_latitude/longitude); an expert or
    enterprise without coordinates adds no travel (model.distance_km gives 0)."""
    from django.db.models import Q

    from hazardloop.registry.choices import Specialty
    from hazardloop.registry.models import Expert

    enterprises = []
    for ent in contract.enterprises.select_related("industry").order_by("id"):
        team = contract.team_requirement(ent)
        location = (float(ent.latitude), float(ent.longitude)) if ent.latitude and ent.longitude else None
        enterprises.append(
            EnterpriseSpec(
                id=ent.id,
                name=ent.name,
                team_min=team.minimum,
                team_max=team.maximum,
                specialty=ent.industry.specialty,
                visits=contract.visits_required(ent),
                kind=enterprise_kind(ent.size, ent.high_risk),
                location=location,
            )
        )
    experts = []
    rows = Expert.objects.filter(
        Q(provider=contract.provider, active=True) | Q(pk__in=extra_expert_ids)
    ).prefetch_related("specialty_rows", "conflict_rows")
    for x in rows.order_by("id"):
        experts.append(
            ExpertSpec(
                id=x.id,
                name=x.name,
                specialties=frozenset(x.specialties),
                conflicts=frozenset(c.enterprise_id for c in x.conflict_rows.all()),
                daily_cap=daily_cap,
                monthly_cap=monthly_cap,
                home=x.base,
            )
        )
    return Problem(
        year=year,
        enterprises=enterprises,
        experts=experts,
        working_days=working_days or weekdays(year),
        specialty_labels={k: str(v) for k, v in Specialty.choices},
    )
