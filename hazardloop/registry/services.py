"""The only writers of registry state. Pages, API, imports, commands and tasks call these.

Each service validates everything first and raises `RegistryError` (a ValidationError with a
Chinese message per field) before writing anything."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping

from . import rules
from .choices import RegionLevel
from .models import Enterprise, Expert, ExpertConflict, ExpertSpecialty, Industry, Provider, Region


class RegistryError(ValidationError):
    """Bad input for a registry service; `message_dict` maps field names to Chinese messages."""


class RegistryPermissionDenied(PermissionError):
    pass


def _require(user, capability: str) -> None:
    if user is not None and not scoping.can(user, capability):
        raise RegistryPermissionDenied(_("您没有权限执行此操作。"))


USCC_MESSAGES = {
    rules.USCCError.LENGTH: "统一社会信用代码应为18位，实际为{n}位。",
    rules.USCCError.CHARACTER: "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）。",
    rules.USCCError.CHECK: "统一社会信用代码校验位错误（第18位应为{expected}）。",
}


def credit_code_error(code: str) -> str | None:
    """A Chinese message for what is wrong with an already normalised code, or None."""
    problem = rules.uscc_problem(code)
    if problem is None:
        return None
    expected = rules.uscc_check_character(code[:17]) if problem == rules.USCCError.CHECK else ""
    return _(USCC_MESSAGES[problem]).format(n=len(code), expected=expected)


@dataclass
class EnterpriseData:
    """The fields a clerk gives for an enterprise, after normalisation."""

    name: str
    credit_code: str
    township: Region
    industry: Industry
    employees: int = 0
    revenue_10k: int = 0
    hazchem_licence: bool = False
    dust_explosion: bool = False
    ammonia_refrigeration: bool = False
    confined_space: bool = False
    molten_metal: bool = False
    high_risk_override: bool | None = None
    address: str = ""
    longitude: object = None
    latitude: object = None
    legal_representative: str = ""
    principal: str = ""
    safety_contact: str = ""
    safety_contact_phone: str = ""
    established: object = None
    status: str = "active"

    def derived(self) -> dict:
        """Size and the effective high-risk flag follow from the data (the override wins)."""
        size = rules.size_class(
            self.employees, self.revenue_10k, wholesale=rules.is_wholesale(self.industry.code)
        )
        computed = (
            rules.is_high_risk_industry(self.industry.code)
            or self.hazchem_licence
            or self.dust_explosion
            or self.ammonia_refrigeration
            or self.confined_space
            or self.molten_metal
        )
        high_risk = computed if self.high_risk_override is None else self.high_risk_override
        return {"size": size.value, "high_risk": high_risk}

    def field_values(self) -> dict:
        values = {k: getattr(self, k) for k in self.__dataclass_fields__}
        values.update(self.derived())
        return values


def validate_enterprise_data(
    data: EnterpriseData, *, instance: Enterprise | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name:
        errors.setdefault("name", []).append(_("企业名称不能为空。"))
    message = credit_code_error(data.credit_code)
    if message:
        errors.setdefault("credit_code", []).append(message)
    elif (
        Enterprise.objects.filter(credit_code=data.credit_code)
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors.setdefault("credit_code", []).append(_("该统一社会信用代码已登记。"))
    if data.township.level != RegionLevel.TOWNSHIP:
        errors.setdefault("township", []).append(_("所属区划必须是乡镇或街道。"))
    return errors


def _check_scope(user, township: Region) -> None:
    """A township clerk may only register enterprises in their own township."""
    if user is None:
        return
    condition = scoping.enterprise_filter(user)
    if condition is None:
        return
    probe = Region.objects.filter(pk=township.pk, code__startswith=(user.region.code if user.region else "-"))
    if user.region is None or not probe.exists():
        raise RegistryPermissionDenied(_("只能登记本辖区的企业。"))


@transaction.atomic
def register_enterprise(data: EnterpriseData, *, actor) -> Enterprise:
    """Create an enterprise. Precondition: `actor` may edit enterprises in `data.township`.
    Raises RegistryError (nothing written) or RegistryPermissionDenied."""
    _require(actor, "registry.edit_enterprise")
    _check_scope(actor, data.township)
    errors = validate_enterprise_data(data)
    if errors:
        raise RegistryError(errors)
    enterprise = Enterprise(**data.field_values())
    enterprise.full_clean(validate_unique=False)
    enterprise.save()
    return enterprise


@transaction.atomic
def update_enterprise(enterprise: Enterprise, data: EnterpriseData, *, actor) -> Enterprise:
    """Replace an enterprise's fields; the row is locked so concurrent edits do not interleave."""
    _require(actor, "registry.edit_enterprise")
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _check_scope(actor, locked.township)
    _check_scope(actor, data.township)
    errors = validate_enterprise_data(data, instance=locked)
    if errors:
        raise RegistryError(errors)
    for field, value in data.field_values().items():
        setattr(locked, field, value)
    locked.full_clean(validate_unique=False)
    locked.save()
    return locked


@transaction.atomic
def register_provider(*, actor, name: str, credit_code: str, **fields) -> Provider:
    _require(actor, "registry.edit_provider")
    code = rules.normalise_uscc(credit_code)
    message = credit_code_error(code)
    if message:
        raise RegistryError({"credit_code": [message]})
    provider = Provider(name=rules.normalise_text(name), credit_code=code, **fields)
    provider.full_clean()
    provider.save()
    return provider


@transaction.atomic
def register_expert(
    *,
    actor,
    provider: Provider,
    name: str,
    specialties: Iterable[str] = (),
    conflicts: Iterable[tuple[Enterprise, str]] = (),
    **fields,
) -> Expert:
    """Add an expert to a provider. A provider user may add experts only to its own firm."""
    _require(actor, "registry.edit_expert")
    if actor is not None and actor.role == "provider" and actor.provider_id != provider.pk:
        raise RegistryPermissionDenied(_("只能维护本机构的专家。"))
    expert = Expert(provider=provider, name=rules.normalise_text(name), **fields)
    expert.full_clean()
    expert.save()
    set_expert_specialties(expert, specialties)
    ExpertConflict.objects.bulk_create(
        ExpertConflict(expert=expert, enterprise=enterprise, reason=reason)
        for enterprise, reason in conflicts
    )
    return expert


def set_expert_specialties(expert: Expert, specialties: Iterable[str]) -> None:
    wanted = set(specialties)
    expert.specialty_rows.exclude(specialty__in=wanted).delete()
    have = set(expert.specialty_rows.values_list("specialty", flat=True))
    ExpertSpecialty.objects.bulk_create(
        ExpertSpecialty(expert=expert, specialty=s) for s in sorted(wanted - have)
    )
