"""The one way a service refuses.

Every domain service raises one of these four kinds, and nothing else, when it will not act:

- `ServiceError`  bad input or a state that does not allow the act (400);
- `NotVisible`    the record is not there or not the actor's to see — deliberately the same (404);
- `Refused`       the actor's role or organisation may not do this (403);
- `Conflict`      someone changed the record after the actor read it (409).

Each carries a message for the user (Chinese by default) and optional per-field messages. Pages
show them through `core.actions.run_page_action`, the API through `core.api.errors`; an app's own
error names (HazardError, ProcurementError, …) are subclasses kept so callers read naturally.

`NotVisible` is also an `Http404` and `Refused` a `PermissionDenied`, so a view that lets one pass
still answers with the right status and the project's own error page.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

FieldErrors = dict[str, list[str]]


class ServiceError(Exception):
    """A refused act. `message` is for the user; `errors` maps field names to messages."""

    status_code = 400
    default_message = _("操作未能完成，请检查填写的内容。")

    def __init__(self, message: str | Mapping | None = None, *, errors: Mapping | None = None):
        # A mapping alone is accepted as the field errors, as Django's ValidationError does.
        if isinstance(message, Mapping) and errors is None:
            message, errors = None, message
        self.errors: FieldErrors = {
            str(field): [str(m) for m in ([msgs] if isinstance(msgs, str) else msgs)]
            for field, msgs in (errors or {}).items()
        }
        if message is None:
            message = self._joined() or self.default_message
        self.message = str(message)
        super().__init__(self.message)

    def _joined(self) -> str:
        return "；".join(m for msgs in self.errors.values() for m in msgs)

    def __str__(self) -> str:
        return self.message

    @property
    def text(self) -> str:
        """The message with any field messages it does not already say, for a flash message."""
        detail = self._joined()
        if detail and detail not in self.message:
            return f"{self.message}：{detail}"
        return self.message

    # Django's ValidationError exposes these; forms and older callers read them.
    @property
    def message_dict(self) -> FieldErrors:
        return self.errors or {"__all__": [self.message]}

    @property
    def messages(self) -> list[str]:
        return [m for msgs in self.message_dict.values() for m in msgs]

    def as_api_body(self) -> dict:
        return {"detail": self.message, **self.errors}


class NotVisible(ServiceError, Http404):
    status_code = 404
    default_message = _("记录不存在或不在您的管辖范围内。")


class Refused(ServiceError, PermissionDenied):
    status_code = 403
    default_message = _("您没有权限执行此操作。")


class Conflict(ServiceError):
    status_code = 409
    default_message = _("该记录已被他人修改，请刷新后重试。")


def raise_if(
    errors: FieldErrors, message: str | None = None, kind: type[ServiceError] = ServiceError
) -> None:
    """Raise `kind` when any field collected a message; services validate a whole input first."""
    if any(errors.values()):
        raise kind(message, errors={f: m for f, m in errors.items() if m})
