"""Running a service for a page: one way to show success, a refusal, or a form's field errors.

    return run_page_action(
        request,
        lambda: services.build_pack(meeting, actor=request.user),
        success=_("会议材料已生成。"),
        redirect_to=("meetings:detail", meeting.pk),
    )

`NotVisible` becomes the 404 page and `Refused` the 403 page (they are Http404 and
PermissionDenied). Any other `ServiceError` is a flash message — or, with `form` and `rerender`,
the form shown again with each message beside its field and a 400 status, the input kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from .errors import Conflict, NotVisible, Refused, ServiceError


def add_service_errors(form, error: ServiceError) -> None:
    """Put the service's per-field messages beside their fields; the rest above the form."""
    placed = False
    for field, field_messages in error.errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class ServiceErrorsMixin:
    """For forms whose `perform()` calls a service: `form.add_service_errors(exc)`."""

    def add_service_errors(self, error: ServiceError) -> None:
        add_service_errors(self, error)


def _target(redirect_to):
    if isinstance(redirect_to, tuple):
        name, *args = redirect_to
        return redirect(name, *args)
    return redirect(redirect_to)


def run_page_action(
    request,
    call: Callable[[], object],
    *,
    success: str | Callable[[object], str] | None,
    redirect_to,
    form=None,
    rerender: Callable[[object], object] | None = None,
):
    """Call the service; redirect with a message on success or a plain refusal.

    `redirect_to` is a URL, a URL name, a `(name, *args)` tuple, or a callable taking the
    service's result (None when the service refused), for a record just created. With `form` and `rerender(form)`, a refusal
    carrying field errors re-renders the form (status 400) instead of redirecting.
    """
    try:
        result = call()
    except (NotVisible, Refused):
        raise
    except Conflict as exc:
        messages.error(request, exc.text)
    except ServiceError as exc:
        if form is not None:
            add_service_errors(form, exc)
            if rerender is not None:
                messages.error(request, exc.message)
                response = rerender(form)
                response.status_code = 400
                return response
        messages.error(request, exc.text)
    else:
        if success:
            messages.success(request, success(result) if callable(success) else success)
        return _target(redirect_to(result) if callable(redirect_to) else redirect_to)
    return _target(redirect_to(None) if callable(redirect_to) else redirect_to)
