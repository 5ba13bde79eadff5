"""Why a year cannot be planned, in words a bureau clerk can act on (Chinese), with the numbers.

`precheck` counts before solving: each test is a necessary condition (a specialty nobody has,
too few unconflicted experts for one enterprise, person-visits beyond capacity in some period),
so a message here is a proof, not a guess. The solver adds the constraint family CP-SAT names
when a month is infeasible although every count passed (see solver.diagnose_month).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .model import KIND_LABELS, Problem

# Periods checked for capacity: a visit bound to months inside a period must be served there.
PERIODS = (
    [tuple(range(1, 13))]
    + [tuple(range(s, s + 6)) for s in (1, 7)]
    + [tuple(range(s, s + 3)) for s in (1, 4, 7, 10)]
)


@dataclass(frozen=True)
class Diagnosis:
    family: str  # specialty, conflict, capacity, window, team_size
    message: str


def _period_name(months: tuple[int, ...]) -> str:
    return "全年" if len(months) == 12 else f"{months[0]}–{months[-1]}月"


def precheck(problem: Problem) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    experts = [x for x in problem.experts if len(x.unavailable_months) < 12]
    done = {(f.enterprise_id, f.index) for f in problem.fixed}

    # Specialty: somebody must hold each required specialty.
    by_specialty: dict[str, list] = defaultdict(list)
    for ent in problem.enterprises:
        by_specialty[ent.specialty].append(ent)
    for specialty, ents in sorted(by_specialty.items()):
        if not any(specialty in x.specialties for x in experts):
            out.append(
                Diagnosis(
                    "specialty",
                    f"专业不匹配：需要‘{problem.label(specialty)}’专业的企业 {len(ents)} 家，但无此专业专家",
                )
            )

    # Conflicts and team size, per enterprise.
    for ent in problem.enterprises:
        free = [x for x in experts if ent.id not in x.conflicts]
        if len(free) < ent.team_min:
            out.append(
                Diagnosis(
                    "conflict" if len(free) < len(experts) else "team_size",
                    f"回避冲突：企业{ent.name}的可用专家仅 {len(free)} 人，少于所需 {ent.team_min} 人",
                )
            )
        elif any(ent.specialty in x.specialties for x in experts) and not any(
            ent.specialty in x.specialties for x in free
        ):
            out.append(
                Diagnosis(
                    "conflict",
                    f"回避冲突：企业{ent.name}需要‘{problem.label(ent.specialty)}’专业，但该专业专家均须回避",
                )
            )
        for k in range(ent.visits):
            if (ent.id, k) not in done and not ent.allowed_months(k):
                out.append(Diagnosis("window", f"时间窗口：企业{ent.name}第{k + 1}次检查没有可安排的月份"))

    # Capacity, per period and class: person-visits needed at the team minimum against what the
    # experts can give in that period (monthly cap, daily cap × available working days).
    for months in PERIODS:
        need_by_kind: dict[str, int] = defaultdict(int)
        teams: dict[str, set] = defaultdict(set)
        for ent in problem.enterprises:
            for k in range(ent.visits):
                allowed = ent.allowed_months(k)
                if (ent.id, k) not in done and allowed and set(allowed) <= set(months):
                    need_by_kind[ent.kind] += ent.team_min
                    teams[ent.kind].add((ent.team_min, ent.team_max))
        fixed_use = sum(len(f.team) for f in problem.fixed if f.day.month in months)
        capacity = sum(problem.expert_month_capacity(x, m) for x in experts for m in months) - fixed_use
        need = sum(need_by_kind.values())
        if need > capacity:
            parts = []
            for kind, n in sorted(need_by_kind.items()):
                sizes = "、".join(
                    f"{lo}–{hi}人/次" if hi else f"≥{lo}人/次" for lo, hi in sorted(teams[kind], key=str)
                )
                parts.append(f"{KIND_LABELS.get(kind, kind)}需{sizes}，共需 {n} 人次")
            out.append(
                Diagnosis(
                    "capacity",
                    f"专家人数不足（{_period_name(months)}）：{'；'.join(parts)}，"
                    f"现有专家月度可用容量 {capacity} 人次，缺口 {need - capacity}",
                )
            )
            break  # the widest failing period says it; narrower ones would repeat it

    # Specialists: each visit needs one; their capacity over the year must cover those visits.
    for specialty, ents in sorted(by_specialty.items()):
        holders = [x for x in experts if specialty in x.specialties]
        if not holders:
            continue
        need = sum(1 for e in ents for k in range(e.visits) if (e.id, k) not in done)
        capacity = sum(problem.expert_month_capacity(x, m) for x in holders for m in range(1, 13))
        if need > capacity:
            out.append(
                Diagnosis(
                    "specialty",
                    f"专业人员不足：‘{problem.label(specialty)}’专业检查共需 {need} 人次，"
                    f"该专业 {len(holders)} 名专家全年可用容量 {capacity} 人次，缺口 {need - capacity}",
                )
            )
    return out
