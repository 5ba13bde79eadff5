"""What the procurement pages share: filter-form styling, the list context, the contract a
managing page acts on. Refusals and POST actions use the kit (core.access, core.actions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.core.forms import style_widgets
from hazardloop.core.tables import PAGE_SIZES, paginate
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Region

from ..models import ServiceContract


def _prepare(filterset, placeholder: str) -> None:
    form = filterset.form
    style_widgets(form)
    if "q" in form.fields:
        form.fields["q"].widget.attrs.update({"placeholder": placeholder, "type": "search"})
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["data-autosubmit"] = ""
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("全部")
                field.widget.choices = field.choices
        if isinstance(field, forms.NullBooleanField):
            field.widget = forms.Select(
                choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))],
                attrs={"class": "form-select", "data-autosubmit": ""},
            )


def _townships(user, visible_regions_of):
    return Region.objects.filter(level=RegionLevel.TOWNSHIP, pk__in=visible_regions_of).order_by("code")


def _list_context(request, filterset, queryset):
    result = paginate(request, queryset)
    return {
        "filter": filterset,
        "result": result,
        "page_sizes": PAGE_SIZES,
        "export_query": request.GET.urlencode(),
    }


def _date_inputs(filterset, *names):
    for name in names:
        filterset.form.fields[name].widget.input_type = "date"


def _managed_contract(request, pk):
    contract = scoping.get_visible_or_404(
        ServiceContract.objects.select_related("township"), request.user, pk=pk
    )
    scoping.require(request.user, "procurement.manage_contracts")
    return contract
