"""Service errors turned into API answers: bad input → 400 with the services' Chinese messages
per field, refused by the service → 403."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings


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
