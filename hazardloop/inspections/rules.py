"""Pure inspection rules: what a team must look like, and which checklist fits. No ORM here
(messages go through gettext, so they follow the user's language like every other)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from hazardloop.registry.rules import TeamSize


@dataclass(frozen=True)
class TeamRequirement:
    """What a visit's expert team must satisfy: a size, specialties at least one member holds,
    and the provider all members must belong to."""

    size: TeamSize
    specialties: frozenset[str] = frozenset()
    provider_id: int | None = None


@dataclass(frozen=True)
class Member:
    """What the rules need to know of one proposed team member."""

    expert_id: int
    name: str
    provider_id: int
    specialties: frozenset[str] = frozenset()
    conflicted: bool = False
    active: bool = True


@dataclass
class TeamCheck:
    """Hard problems (never waived) and a size shortfall (waivable as a recorded deviation)."""

    problems: list[str] = field(default_factory=list)
    size_problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.size_problem


def check_team(
    requirement: TeamRequirement,
    members: Sequence[Member],
    leader_id: int | None,
    *,
    specialty_labels: dict[str, str] | None = None,
) -> TeamCheck:
    """Check a proposed team against `requirement`. Messages are Chinese, for the user."""
    labels = specialty_labels or {}
    check = TeamCheck()
    ids = [m.expert_id for m in members]
    if len(set(ids)) != len(ids):
        check.problems.append(_("检查组成员重复。"))
    if not members:
        check.problems.append(_("请选择检查组成员。"))
    if leader_id is None or leader_id not in ids:
        check.problems.append(_("请从检查组成员中指定一名组长。"))
    for m in members:
        if requirement.provider_id is not None and m.provider_id != requirement.provider_id:
            check.problems.append(
                _("专家%(name)s不属于本合同的服务机构，不能参加本次检查。") % {"name": m.name}
            )
        if m.conflicted:
            check.problems.append(_("专家%(name)s须回避该企业，不能参加本次检查。") % {"name": m.name})
        if not m.active:
            check.problems.append(_("专家%(name)s不在岗，不能参加本次检查。") % {"name": m.name})
    held = frozenset().union(*(m.specialties for m in members)) if members else frozenset()
    for specialty in sorted(requirement.specialties - held):
        check.problems.append(
            _("检查组中至少需要一名“%(specialty)s”专业的专家。")
            % {"specialty": labels.get(specialty, specialty)}
        )
    size = requirement.size
    distinct = len(set(ids))
    if distinct < size.minimum:
        check.size_problem = _("该企业每次检查至少需要 %(minimum)s 名专家，当前检查组只有 %(count)s 名。") % {
            "minimum": size.minimum,
            "count": distinct,
        }
    elif size.maximum is not None and distinct > size.maximum:
        check.problems.append(
            _("该企业每次检查的专家人数应为 %(size)s，当前检查组有 %(count)s 名。")
            % {"size": size, "count": distinct}
        )
    return check


def best_template(templates: Sequence, industry_code: str):
    """The template whose industry prefixes fit `industry_code` most specifically (the
    fallback with no prefixes fits everything); None when none fits. Ties go to the first."""
    best, best_length = None, -1
    for template in templates:
        length = template.match_length(industry_code)
        if length > best_length:
            best, best_length = template, length
    return best


def report_number(district_code: str, year: int, serial: int) -> str:
    """排查报告编号: PC-<district>-<year>-<serial, five digits>."""
    return f"PC-{district_code}-{year}-{serial:05d}"
