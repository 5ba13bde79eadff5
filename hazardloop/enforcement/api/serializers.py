from rest_framework import serializers

from hazardloop.hazards.choices import EnforcementReason

from ..choices import ActionKind
from ..models import EnforcementAction


class EnforcementActionSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    member_unit_name = serializers.CharField(source="member_unit.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_penalty = serializers.BooleanField(read_only=True)
    hazards = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementAction
        fields = [
            "id",
            "document_number",
            "member_unit",
            "member_unit_name",
            "enterprise",
            "enterprise_name",
            "kind",
            "kind_display",
            "is_penalty",
            "hazards",
            "facts",
            "legal_basis_law",
            "legal_basis_article",
            "legal_basis_item",
            "legal_basis",
            "decided_on",
            "deadline",
            "unit_fine_amount",
            "individual_fine_amount",
            "individual_name",
            "daily_amount",
            "daily_start",
            "status",
            "status_display",
            "fulfilled_on",
            "fulfilment_note",
            "revoked_at",
            "revoke_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_hazards(self, obj) -> list[dict]:
        return [{"id": h.pk, "number": h.number, "status": h.status} for h in obj.hazards.all()]


class CreateSerializer(serializers.Serializer):
    """Shapes only; the service validates the content and answers in Chinese."""

    member_unit = serializers.IntegerField()
    enterprise = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    hazards = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    reason = serializers.ChoiceField(
        choices=EnforcementReason.choices, required=False, allow_blank=True, default=""
    )
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    document_number = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis_law = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis_article = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis_item = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    unit_fine_amount = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    individual_fine_amount = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None
    )
    individual_name = serializers.CharField(required=False, allow_blank=True, default="")
    daily_amount = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    daily_start = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class FulfilSerializer(serializers.Serializer):
    fulfilled_on = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    new_deadline = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
