"""The meeting pack's figures: read-only functions of (district, month) that aggregate in the
database. Every section is a fixed number of queries (GROUP BY with conditional counts), so the
cost of a pack does not grow with the number of hazards in Python — only the lists of overdue
and listed hazards are read row by row, and they are capped.

`SECTIONS` names each table's columns once; the page, the PDF and the Excel file all read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardloop.hazards.choices import HazardStatus, LegalLevel
from hazardloop.hazards.models import Hazard
from hazardloop.registry.models import Industry

from .rules import Period

S = HazardStatus
# Lists in the pack stop here; the totals still count everything.
LIST_LIMIT = 500
# A rectification has been reported once the hazard reached re-inspection (or was closed after it).
RECTIFIED_STATES = (
    S.AWAITING_REINSPECTION,
    S.AWAITING_ACCEPTANCE,
    S.AWAITING_RESUMPTION,
    S.RESUMPTION_REVIEW,
    S.CLOSED,
)


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    columns: tuple[tuple[str, object], ...]
    links_hazards: bool = False


_COUNTS = (
    ("total", gettext_lazy("隐患总数")),
    ("general", gettext_lazy("一般隐患")),
    ("major", gettext_lazy("重大隐患")),
)
_HAZARD_COLUMNS = (
    ("number", gettext_lazy("隐患编号")),
    ("title", gettext_lazy("隐患名称")),
    ("enterprise", gettext_lazy("企业")),
    ("township", gettext_lazy("乡镇街道")),
    ("legal_level", gettext_lazy("等级")),
    ("status", gettext_lazy("状态")),
    ("member_unit", gettext_lazy("督办单位")),
    ("due", gettext_lazy("期限")),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "findings_by_provider",
        gettext_lazy("一、本月排查隐患（按服务机构）"),
        (("name", gettext_lazy("服务机构")), *_COUNTS),
    ),
    Section(
        "findings_by_township",
        gettext_lazy("二、本月排查隐患（按乡镇街道）"),
        (("name", gettext_lazy("乡镇街道")), *_COUNTS),
    ),
    Section(
        "findings_by_industry",
        gettext_lazy("三、本月排查隐患（按行业）"),
        (("code", gettext_lazy("行业代码")), ("name", gettext_lazy("行业")), *_COUNTS),
    ),
    Section(
        "findings_by_level",
        gettext_lazy("四、本月排查隐患（按等级）"),
        (("name", gettext_lazy("等级")), ("total", gettext_lazy("隐患数"))),
    ),
    Section(
        "rectification_by_unit",
        gettext_lazy("五、上月隐患整改情况（按成员单位）"),
        (
            ("name", gettext_lazy("成员单位")),
            ("routed", gettext_lazy("交办")),
            ("rectified", gettext_lazy("已整改")),
            ("closed", gettext_lazy("已销号")),
            ("overdue", gettext_lazy("逾期")),
            ("rate", gettext_lazy("销号率（%）")),
        ),
    ),
    Section("overdue_hazards", gettext_lazy("六、逾期未整改隐患"), _HAZARD_COLUMNS, links_hazards=True),
    Section("listed_hazards", gettext_lazy("七、挂牌督办重大隐患"), _HAZARD_COLUMNS, links_hazards=True),
    Section(
        "enforcement_actions",
        gettext_lazy("八、本月执法处理情况"),
        (
            ("document_number", gettext_lazy("文书编号")),
            ("enterprise", gettext_lazy("企业")),
            ("member_unit", gettext_lazy("执法单位")),
            ("kind", gettext_lazy("处理类型")),
            ("decided_on", gettext_lazy("决定日期")),
            ("fine", gettext_lazy("罚款（元）")),
            ("status", gettext_lazy("状态")),
        ),
    ),
    Section(
        "unit_reports",
        gettext_lazy("九、成员单位汇报"),
        (
            ("name", gettext_lazy("成员单位")),
            ("attended", gettext_lazy("出席")),
            ("representative", gettext_lazy("参会人")),
            ("report", gettext_lazy("汇报内容")),
        ),
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.next.first_day, dt.time.min, tzinfo=tz)
    return start, end


def district_hazards(district):
    return Hazard.objects.filter(enterprise__township__code__startswith=district.code)


def month_findings(district, period: Period):
    """Hazards found in `period` at the district's enterprises, less those overturned as mistaken."""
    start, end = _bounds(period)
    return (
        district_hazards(district).filter(found_at__gte=start, found_at__lt=end).exclude(status=S.OVERTURNED)
    )


def _level_counts() -> dict:
    return {
        "total": Count("pk"),
        "general": Count("pk", filter=Q(legal_level=LegalLevel.GENERAL)),
        "major": Count("pk", filter=Q(legal_level=LegalLevel.MAJOR)),
    }


def _counts(row) -> dict:
    return {"total": row["total"], "general": row["general"], "major": row["major"]}


def findings_by_provider(findings) -> list[dict]:
    rows = findings.order_by().values("provider_id", "provider__name").annotate(**_level_counts())
    out = [
        {"key": r["provider_id"], "name": r["provider__name"] or _("（非服务机构排查）"), **_counts(r)}
        for r in rows
    ]
    return sorted(out, key=lambda r: (r["key"] is None, -r["total"], r["name"]))


def findings_by_township(findings) -> list[dict]:
    rows = (
        findings.order_by()
        .values("enterprise__township__code", "enterprise__township__name")
        .annotate(**_level_counts())
    )
    out = [
        {"key": r["enterprise__township__code"], "name": r["enterprise__township__name"], **_counts(r)}
        for r in rows
    ]
    return sorted(out, key=lambda r: r["key"])


def findings_by_industry(findings) -> list[dict]:
    """By GB/T 4754 division (the first two digits of the enterprise's industry code)."""
    rows = list(
        findings.order_by()
        .annotate(division=Substr("enterprise__industry__code", 1, 2))
        .values("division")
        .annotate(**_level_counts())
    )
    names = dict(Industry.objects.filter(code__in=[r["division"] for r in rows]).values_list("code", "name"))
    out = [
        {"key": r["division"], "code": r["division"], "name": names.get(r["division"], ""), **_counts(r)}
        for r in rows
    ]
    return sorted(out, key=lambda r: r["code"])


def findings_by_level(findings) -> list[dict]:
    counts = dict(findings.order_by().values_list("legal_level").annotate(n=Count("pk")))
    return [
        {"key": value, "name": str(label), "total": counts.get(value, 0)}
        for value, label in LegalLevel.choices
    ]


def rectification_by_unit(district, period: Period, as_of: dt.date) -> list[dict]:
    """Hazards found in the month before `period`, as they stand now, by the unit holding them."""
    routed = month_findings(district, period.previous).filter(member_unit__isnull=False)
    rows = (
        routed.order_by()
        .values("member_unit_id", "member_unit__name")
        .annotate(
            routed=Count("pk"),
            rectified=Count("pk", filter=Q(status__in=RECTIFIED_STATES)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
        )
    )
    overdue = dict(routed.overdue(as_of).order_by().values_list("member_unit_id").annotate(n=Count("pk")))
    out = []
    for r in rows:
        out.append(
            {
                "key": r["member_unit_id"],
                "name": r["member_unit__name"],
                "routed": r["routed"],
                "rectified": r["rectified"],
                "closed": r["closed"],
                "overdue": overdue.get(r["member_unit_id"], 0),
                "rate": round(100.0 * r["closed"] / r["routed"], 1) if r["routed"] else None,
            }
        )
    return sorted(out, key=lambda r: r["name"])


def _hazard_rows(qs) -> list[dict]:
    status_labels = dict(HazardStatus.choices)
    level_labels = dict(LegalLevel.choices)
    rows = qs.values(
        "pk",
        "number",
        "title",
        "enterprise__name",
        "enterprise__township__name",
        "legal_level",
        "status",
        "member_unit__name",
        "deadline",
        "reinspection_due",
        "resumption_due",
    )[:LIST_LIMIT]
    out = []
    for r in rows:
        due = {S.AWAITING_REINSPECTION: r["reinspection_due"], S.RESUMPTION_REVIEW: r["resumption_due"]}.get(
            r["status"], r["deadline"]
        )
        out.append(
            {
                "id": r["pk"],
                "number": r["number"],
                "title": r["title"],
                "enterprise": r["enterprise__name"],
                "township": r["enterprise__township__name"],
                "legal_level": str(level_labels.get(r["legal_level"], r["legal_level"])),
                "status": str(status_labels.get(r["status"], r["status"])),
                "member_unit": r["member_unit__name"] or "",
                "due": due,
            }
        )
    return out


def overdue_hazards(district, as_of: dt.date):
    return district_hazards(district).overdue(as_of).order_by("deadline", "number")


def listed_hazards(district):
    """Major hazards under listed supervision (挂牌督办) and not yet written off."""
    return (
        district_hazards(district)
        .major()
        .open()
        .filter(listed_supervision=True)
        .order_by("listed_at", "number")
    )


def enforcement_model():
    """The enforcement record model, if that app is installed (the section is empty otherwise)."""
    if not apps.is_installed("hazardloop.enforcement"):
        return None
    try:
        return apps.get_model("enforcement", "EnforcementAction")
    except LookupError:
        return None


def enforcement_section(district, period: Period) -> tuple[list[dict], list[dict], int]:
    """(actions listed, counts by kind, total) of enforcement decided in `period`."""
    model = enforcement_model()
    if model is None:
        return [], [], 0
    qs = model.objects.filter(
        enterprise__township__code__startswith=district.code,
        decided_on__gte=period.first_day,
        decided_on__lte=period.last_day,
    )
    kinds = dict(model._meta.get_field("kind").choices)
    statuses = dict(model._meta.get_field("status").choices)
    by_kind = [
        {"key": k, "name": str(kinds.get(k, k)), "total": n}
        for k, n in qs.order_by().values_list("kind").annotate(n=Count("pk")).order_by("kind")
    ]
    total = sum(row["total"] for row in by_kind)
    rows = qs.order_by("decided_on", "pk").values(
        "document_number",
        "enterprise__name",
        "member_unit__name",
        "kind",
        "decided_on",
        "unit_fine_amount",
        "status",
    )[:LIST_LIMIT]
    actions = [
        {
            "document_number": r["document_number"],
            "enterprise": r["enterprise__name"],
            "member_unit": r["member_unit__name"],
            "kind": str(kinds.get(r["kind"], r["kind"])),
            "decided_on": r["decided_on"],
            "fine": r["unit_fine_amount"],
            "status": str(statuses.get(r["status"], r["status"])),
        }
        for r in rows
    ]
    return actions, by_kind, total


def unit_reports(meeting) -> list[dict]:
    return [
        {
            "key": a["member_unit_id"],
            "name": a["member_unit__name"],
            "attended": a["attended"],
            "representative": a["representative"],
            "report": a["report"],
        }
        for a in meeting.attendances.order_by("member_unit__name").values(
            "member_unit_id", "member_unit__name", "attended", "representative", "report"
        )
    ]


def compute(meeting, *, as_of: dt.date | None = None) -> tuple[dict, list[int]]:
    """The pack's data (JSON-able) and the ids of the hazards it covers: the month's findings,
    the overdue hazards and the listed major hazards."""
    as_of = as_of or timezone.localdate()
    district, period = meeting.district, meeting.period
    findings = month_findings(district, period)
    by_level = findings_by_level(findings)
    # Only hazards that existed when the pack was built (a demo pack is built in the past).
    now = timezone.now()
    overdue_qs = overdue_hazards(district, as_of).filter(found_at__lte=now)
    listed_qs = listed_hazards(district).filter(found_at__lte=now)
    actions, enforcement_by_kind, enforcement_total = enforcement_section(district, period)
    data = {
        "meta": {
            "meeting": meeting.number,
            "title": str(meeting.title),
            "district": district.name,
            "period": str(period),
            "period_label": period.label(),
            "period_start": period.first_day,
            "period_end": period.last_day,
            "previous_period": str(period.previous),
            "previous_period_label": period.previous.label(),
            "as_of": as_of,
            "list_limit": LIST_LIMIT,
            "enforcement_available": enforcement_model() is not None,
        },
        "totals": {
            "findings": sum(r["total"] for r in by_level),
            "general": next(r["total"] for r in by_level if r["key"] == LegalLevel.GENERAL),
            "major": next(r["total"] for r in by_level if r["key"] == LegalLevel.MAJOR),
            "overdue": overdue_qs.count(),
            "listed": listed_qs.count(),
            "enforcement": enforcement_total,
        },
        "findings_by_provider": findings_by_provider(findings),
        "findings_by_township": findings_by_township(findings),
        "findings_by_industry": findings_by_industry(findings),
        "findings_by_level": by_level,
        "rectification_by_unit": rectification_by_unit(district, period, as_of),
        "overdue_hazards": _hazard_rows(overdue_qs.select_related(None)),
        "listed_hazards": _hazard_rows(listed_qs),
        "enforcement_by_kind": enforcement_by_kind,
        "enforcement_actions": actions,
        "unit_reports": unit_reports(meeting),
    }
    ids = set(findings.values_list("pk", flat=True))
    ids.update(row["id"] for row in data["overdue_hazards"])
    ids.update(row["id"] for row in data["listed_hazards"])
    return data, sorted(ids)
