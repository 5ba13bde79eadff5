"""The navigation each role sees, built from the capabilities in accounts/scoping.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts import scoping


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise
    capability: str | None  # None: every signed-in user
    icon: str  # a bootstrap-icons name


# Sections in the order a clerk works: the workbench, the files, then data and system tools.
# Later apps add their entries here; an entry whose URL is not routed yet is left out, so an
# app can announce its page before its URL map lands.
NAV_SECTIONS: list[tuple[str, Promise, list[NavItem]]] = [
    (
        "main",
        _("工作台"),
        [
            NavItem("home", _("工作台"), None, "speedometer2"),
            NavItem("hazards:list", _("隐患台账"), "hazards.view", "exclamation-triangle"),
            NavItem("inspections:list", _("排查记录"), "inspections.view", "clipboard-check"),
            NavItem("enforcement:list", _("执法处理"), "enforcement.view", "hammer"),
            NavItem("meetings:list", _("联席会议"), "meetings.view", "people"),
            NavItem("analytics:dashboard", _("统计分析"), "analytics.view_dashboard", "bar-chart"),
            NavItem("analytics:statistics", _("法定统计"), "analytics.view_statistics", "table"),
        ],
    ),
    (
        "procurement",
        _("购买服务"),
        [
            NavItem("procurement:tender_list", _("招标采购"), "procurement.view_tenders", "megaphone"),
            NavItem(
                "procurement:contract_list", _("服务合同"), "procurement.view_contracts", "file-earmark-text"
            ),
            NavItem("procurement:plan_list", _("排查计划"), "procurement.view_plans", "calendar3"),
            NavItem(
                "procurement:breach_list", _("履约偏差"), "procurement.view_contracts", "exclamation-diamond"
            ),
            NavItem("procurement:award_list", _("以奖代补"), "procurement.view_awards", "award"),
            NavItem("inspections:checklist_list", _("检查表"), "inspections.view_checklists", "list-check"),
            NavItem("evaluation:scorecard_list", _("服务评价"), "evaluation.view", "star"),
        ],
    ),
    (
        "registry",
        _("基础档案"),
        [
            NavItem("registry:enterprise_list", _("企业档案"), "registry.view_enterprises", "buildings"),
            NavItem("registry:provider_list", _("服务机构"), "registry.view_providers", "briefcase"),
            NavItem("registry:expert_list", _("专家库"), "registry.view_experts", "person-badge"),
            NavItem("registry:member_unit_list", _("成员单位"), "registry.view_member_units", "diagram-3"),
            NavItem("onboarding:pending", _("企业账号开通"), "onboarding.issue_code", "building-check"),
        ],
    ),
    (
        "system",
        _("数据与系统"),
        [
            NavItem("registry:enterprise_import", _("数据导入"), "registry.import_enterprises", "upload"),
            NavItem("api-docs", _("接口文档"), None, "braces"),
        ],
    ),
]

NAV_ITEMS = [item for _key, _title, items in NAV_SECTIONS for item in items]


def _is_active(path: str, url: str) -> bool:
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url)


def nav_for(user, path: str = "") -> list[dict]:
    """The sections and items `user` may open; empty sections are dropped."""
    sections = []
    for key, title, items in NAV_SECTIONS:
        entries = []
        for item in items:
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            if item.capability is not None and not scoping.can(user, item.capability):
                continue
            entries.append({"url": url, "label": item.label, "icon": item.icon, "url_name": item.url_name})
        if key == "system" and (user.role == "admin" or user.is_staff):
            entries.append(
                {
                    "url": reverse("admin:index"),
                    "label": _("系统管理"),
                    "icon": "gear",
                    "url_name": "admin:index",
                }
            )
        if entries:
            sections.append({"key": key, "title": title, "items": entries})
    # Only the longest matching URL is active, so 数据导入 (under 企业档案's path) does not light both.
    best = None
    for section in sections:
        for entry in section["items"]:
            entry["active"] = False
            if _is_active(path, entry["url"]) and (best is None or len(entry["url"]) > len(best["url"])):
                best = entry
    if best is not None:
        best["active"] = True
    return sections


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_items": []}
    sections = nav_for(user, request.path)
    return {
        "nav_sections": sections,
        "nav_items": [entry for section in sections for entry in section["items"]],
    }
