"""Service errors turned into API answers, one shape for every app:
`{"detail": message, <field>: [messages…]}` with 400 (bad input), 403 (refused), 404 (not
visible) or 409 (conflict), the status carried by the `core.errors` kind the service raised."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from hazardloop.core.errors import ServiceError


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """Django's `__all__` key becomes DRF's non-field key, so clients see one convention."""
    if hasattr(error, "error_dict"):
        detail = {}
        for field, messages in error.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
            detail.setdefault(key, []).extend(messages)
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}


@contextmanager
def service_errors():
    """Wrap a service call. Services raise Django ValidationError subclasses (RegistryError, …)
    for bad input and PermissionError subclasses when the actor may not act; both are plain
    Python/Django types so this module needs no knowledge of any domain app."""
    try:
        yield
    except DjangoValidationError as error:
        raise exceptions.ValidationError(validation_detail(error)) from error
    except PermissionError as error:
        raise exceptions.PermissionDenied(str(error) or None) from error


class RateLimited(exceptions.Throttled):
    """429 in Chinese, with how long to wait (DRF's own words are English)."""

    default_detail = _lazy("请求过于频繁，请稍后重试。")
    extra_detail_singular = _lazy("请在{wait}秒后重试。")
    extra_detail_plural = _lazy("请在{wait}秒后重试。")


class LoginRateLimited(RateLimited):
    default_detail = _lazy("来自您所在地址的登录尝试过多。")


def service_error_response(error: ServiceError) -> Response:
    return Response(error.as_api_body(), status=error.status_code)


def exception_handler(exc, context):
    """DRF's handler; a service refusal keeps its kind's status and its messages; a plain
    rate-limit refusal from a throttle class becomes RateLimited (subclasses — the lockout, the
    login limiter — keep their own message)."""
    if isinstance(exc, ServiceError):
        return service_error_response(exc)
    if type(exc) is exceptions.Throttled:
        exc = RateLimited(wait=exc.wait)
    return drf_exception_handler(exc, context)
