from rest_framework import serializers

from ..choices import STAGE_OF_STATE
from ..models import Hazard, HazardEvent


class HazardSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    member_unit_name = serializers.CharField(source="member_unit.name", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    stage = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "number",
            "title",
            "enterprise",
            "enterprise_name",
            "legal_level",
            "status",
            "status_display",
            "stage",
            "deadline",
            "member_unit",
            "member_unit_name",
            "listed_supervision",
            "found_at",
            "version",
        ]
        read_only_fields = fields

    def get_stage(self, obj) -> str:
        return str(STAGE_OF_STATE[obj.status])


class HazardEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor", read_only=True, default=None)

    class Meta:
        model = HazardEvent
        fields = ["seq", "at", "name", "from_state", "to_state", "actor", "actor_name", "note"]
        read_only_fields = fields
