"""Unmasked personal data (个人信息): who may read it, and the audit row each reading writes.

Pages, API and exports show ID and phone numbers masked (core/api/masking.py). The clear value
is read only through `reveal`, for a record in the reader's scope and a role holding
`personal_data.view_unmasked`, and every reading appends a PERSONAL_DATA_VIEWED event to the
audit chain (which fields of which record, by whom, from where) in the same transaction."""

from __future__ import annotations

from django.db import transaction

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event

VIEW_UNMASKED = "personal_data.view_unmasked"

# Who needs the numbers whole: the bureau and the administrator (registration, enforcement
# contact) and a firm for its own experts and contacts (scope narrows it to those).
CAPABILITIES = {VIEW_UNMASKED: {Role.ADMIN, Role.BUREAU, Role.PROVIDER}}

# Model label → its personal fields, in the order they are shown.
REVEALABLE: dict[str, tuple[str, ...]] = {
    "registry.expert": ("id_number", "phone"),
    "registry.enterprise": ("safety_contact_phone",),
    "registry.provider": ("contact_phone",),
}


class PersonalDataRefused(PermissionError):
    """The reader's role may not see personal data unmasked."""


def model_for(label: str):
    from django.apps import apps

    if label not in REVEALABLE:
        raise LookupError(label)
    return apps.get_model(label)


def reveal(label: str, pk, *, actor, request=None) -> dict[str, str]:
    """The clear personal fields of one record.

    Precondition: the record is in `actor`'s scope (else Http404, as if it did not exist) and
    the actor holds VIEW_UNMASKED (else PersonalDataRefused). Effects: one PERSONAL_DATA_VIEWED
    audit event naming the record and the fields read (never their values)."""
    model = model_for(label)
    record = scoping.get_visible_or_404(model.objects.all(), actor, pk=pk)
    if not scoping.can(actor, VIEW_UNMASKED):
        raise PersonalDataRefused("您的角色不能查看未脱敏的个人信息。")
    fields = REVEALABLE[label]
    with transaction.atomic():
        record_event(
            EventType.PERSONAL_DATA_VIEWED,
            actor=actor,
            target=record,
            data={"fields": list(fields)},
            request=request,
        )
    return {name: getattr(record, name) or "" for name in fields}
