"""The navigation each role sees, built from the capabilities in accounts/scoping.py."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts import scoping

# (url name, label, capability or None for every signed-in user, icon)
NAV_ITEMS = [
    ("home", _("工作台"), None, "speedometer2"),
    ("registry:enterprise_list", _("企业档案"), "registry.view_enterprises", "buildings"),
    ("registry:provider_list", _("服务机构"), "registry.view_providers", "briefcase"),
    ("registry:expert_list", _("专家库"), "registry.view_experts", "person-badge"),
    ("registry:member_unit_list", _("成员单位"), "registry.view_member_units", "diagram-3"),
    ("registry:enterprise_import", _("数据导入"), "registry.import_enterprises", "upload"),
    ("api-docs", _("接口文档"), None, "braces"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, capability, icon in NAV_ITEMS:
        if capability is not None and not scoping.can(user, capability):
            continue
        url = reverse(url_name)
        items.append(
            {
                "url": url,
                "label": label,
                "icon": icon,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    if user.role == "admin" or user.is_staff:
        items.append({"url": reverse("admin:index"), "label": _("系统管理"), "icon": "gear", "active": False})
    return {"nav_items": items}
