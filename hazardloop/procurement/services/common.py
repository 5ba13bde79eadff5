"""What every procurement service shares: its error names, the one way it refuses an actor
(`_require`, through the predicates of procurement.access), the term and entry-condition
settings, and the contract lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from hazardloop.core import access
from hazardloop.core.errors import Refused, ServiceError

from .. import rules
from ..models import (
    ServiceContract,
)


class ProcurementError(ServiceError):
    """Bad input for a procurement service, or a state that does not allow the act (400);
    `errors` maps fields to Chinese messages. Nothing was written."""


class ProcurementPermissionDenied(ProcurementError, Refused):
    """The actor may not act for this township, provider or district (403)."""


def _fail(field: str, message: str):
    raise ProcurementError(errors={field: [message]})


def _require(actor, predicate: str, *args, message: str) -> None:
    """Refuse unless `actor` passes the row-level rule in procurement.access. `None` is the
    system (demo data, migrations, a background task acting for a user) and acts everywhere."""
    if actor is not None and not access.may(actor, predicate, *args):
        raise ProcurementPermissionDenied(message)


def term_years() -> tuple[int, int]:
    value = getattr(settings, "PROCUREMENT_TERM_YEARS", None) or {}
    return int(value.get("normal", 1)), int(value.get("stable", 3))


def entry_conditions() -> rules.EntryConditions:
    return rules.EntryConditions.from_setting(getattr(settings, "PROCUREMENT_ENTRY_CONDITIONS", None))


def _term_problem(start, end, stable) -> str | None:
    normal, longest = term_years()
    return rules.term_problem(start, end, stable=stable, normal_years=normal, stable_years=longest)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _locked_contract(contract: ServiceContract) -> ServiceContract:
    return (
        ServiceContract.objects.select_for_update().select_related("township", "provider").get(pk=contract.pk)
    )
