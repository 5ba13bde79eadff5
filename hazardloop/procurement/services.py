"""The only writers of procurement state.

For now one service: recording a signed service contract, which is what decides which provider
may see which enterprises. The procurement issue adds tenders, bids and awards in front of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hazardloop.accounts.choices import Role
from hazardloop.registry.choices import ProviderStatus, RegionLevel
from hazardloop.registry.models import Enterprise, Provider, Region

from .models import ContractStatus, ServiceContract


class ProcurementError(ValidationError):
    """Bad input for a procurement service; `message_dict` maps fields to Chinese messages."""


class ProcurementPermissionDenied(PermissionError):
    pass


def _check_actor(actor, township: Region) -> None:
    # Contracts are signed by the township that buys (购买主体); the district bureau and the
    # administrator may record them on its behalf. None is the system (demo data, migrations).
    if actor is None or actor.role in {Role.ADMIN, Role.BUREAU}:
        return
    if actor.role == Role.TOWNSHIP and actor.region_id == township.pk:
        return
    raise ProcurementPermissionDenied(_("只能登记本乡镇街道的服务合同。"))


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def record_service_contract(
    *,
    actor,
    number: str,
    title: str,
    township: Region,
    provider: Provider,
    start_date: dt.date,
    end_date: dt.date,
    price: Decimal | int,
    enterprises: Iterable[Enterprise],
    status: str = ContractStatus.ACTIVE,
) -> ServiceContract:
    """Record a signed inspection-service contract and the enterprises it covers.

    Precondition: `township` is a township or street office (the purchasing entity) and the
    actor acts for it; the provider is in good standing; every covered enterprise lies in that
    township; the period is ordered and at most three years (财政部令第102号 Art. 24); the price
    is not negative. Raises ProcurementError (nothing written) or ProcurementPermissionDenied.
    """
    _check_actor(actor, township)
    covered = list(enterprises)
    errors: dict[str, list[str]] = {}
    if township.level != RegionLevel.TOWNSHIP:
        errors.setdefault("township", []).append(_("购买主体必须是乡镇或街道。"))
    if provider.status != ProviderStatus.ACTIVE:
        errors.setdefault("provider", []).append(_("该服务机构当前不能承接服务。"))
    if end_date < start_date:
        errors.setdefault("end_date", []).append(_("服务结束日期不能早于开始日期。"))
    elif end_date > _years_later(start_date, 3):
        errors.setdefault("end_date", []).append(_("服务期限不能超过三年。"))
    if Decimal(price) < 0:
        errors.setdefault("price", []).append(_("合同金额不能为负数。"))
    outside = [e.name for e in covered if e.township_id != township.pk]
    if outside:
        errors.setdefault("enterprises", []).append(
            _("以下企业不在购买主体辖区内：{names}").format(names="、".join(outside[:5]))
        )
    if errors:
        raise ProcurementError(errors)
    contract = ServiceContract(
        number=number,
        title=title,
        township=township,
        provider=provider,
        start_date=start_date,
        end_date=end_date,
        price=Decimal(price),
        status=status,
    )
    contract.full_clean()
    contract.save()
    contract.enterprises.set(covered)
    return contract
