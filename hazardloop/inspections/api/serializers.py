from rest_framework import serializers

from hazardloop.hazards.choices import HazardForm
from hazardloop.registry.choices import HazardCategory

from ..choices import ItemOutcome
from ..models import Finding, Inspection, ItemResult, TeamMember


class TeamMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="expert.name", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["expert", "name", "is_leader"]
        read_only_fields = fields


class ItemResultSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="item.text", read_only=True)

    class Meta:
        model = ItemResult
        fields = ["item", "text", "outcome", "note"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    hazard_number = serializers.CharField(source="hazard.number", read_only=True, default=None)
    level = serializers.CharField(source="level.code", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "item",
            "level",
            "category",
            "form",
            "title",
            "description",
            "location",
            "legal_basis_law",
            "legal_basis_article",
            "suggested_measure",
            "deadline",
            "hazard",
            "hazard_number",
        ]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "report_number",
            "enterprise",
            "enterprise_name",
            "provider",
            "provider_name",
            "contract",
            "contract_number",
            "checklist_version",
            "started_at",
            "ended_at",
            "status",
            "status_display",
            "team_deviation",
            "deviation_reason",
            "officer_name",
            "officer_unit",
            "acknowledged_at",
        ]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    members = TeamMemberSerializer(many=True, read_only=True)
    results = ItemResultSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "members", "results", "findings", "acknowledgement_note"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------


class InspectionCreateSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    experts = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    leader = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    officer_name = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    officer_unit = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    deviation_reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ResultInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=[("", "—"), *ItemOutcome.choices], allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class FindingInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(required=False, allow_null=True)
    level = serializers.CharField()
    category = serializers.ChoiceField(choices=HazardCategory.choices)
    form = serializers.ChoiceField(choices=HazardForm.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    legal_basis_law = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    legal_basis_article = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")
    suggested_measure = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True)


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)
