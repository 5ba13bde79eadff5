"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from .masking import mask_id_number, mask_phone


class CodeNameRelatedField(serializers.SlugRelatedField):
    """A reference-data row (a region, an industry) written by its code and read back as
    {"code", "name"}, so a client never needs our primary keys for reference data."""

    default_error_messages = {
        "does_not_exist": _("代码“{value}”不存在。"),
        "invalid": _("代码无效。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return {"code": obj.code, "name": obj.name}

    def use_pk_only_optimization(self):
        return False


class CodeNameFieldExtension(OpenApiSerializerFieldExtension):
    target_class = CodeNameRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.STR)
        return build_object_type(
            properties={
                "code": build_basic_type(OpenApiTypes.STR),
                "name": build_basic_type(OpenApiTypes.STR),
            },
            required=["code", "name"],
        )


class MaskedField(serializers.ReadOnlyField):
    """A personal identifier shown masked (138****5678). Reading it unmasked is another,
    logged, capability; no serializer here ever returns the clear value."""

    def __init__(self, mask, **kwargs):
        self.mask = mask
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.mask(value or "")


def masked_phone(**kwargs) -> MaskedField:
    return MaskedField(mask_phone, **kwargs)


def masked_id_number(**kwargs) -> MaskedField:
    return MaskedField(mask_id_number, **kwargs)
