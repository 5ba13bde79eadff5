from rest_framework import serializers

from ..models import Attendance, Meeting, MeetingDecision, MeetingPack, Minutes


class AttendanceSerializer(serializers.ModelSerializer):
    member_unit_name = serializers.CharField(source="member_unit.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member_unit", "member_unit_name", "attended", "representative", "report", "reported_at"]


class DecisionSerializer(serializers.ModelSerializer):
    # Plain strings in the schema: several apps name a choice field "kind" or "status", and
    # drf-spectacular would otherwise have to invent enum names for the collisions.
    kind = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = MeetingDecision
        fields = [
            "seq",
            "kind",
            "kind_display",
            "text",
            "hazards",
            "member_unit",
            "deadline",
            "outcome",
            "outcome_display",
            "outcome_detail",
            "recorded_at",
        ]


class MinutesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Minutes
        fields = ["text", "recorded_at", "approved_at"]


class MeetingSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "number",
            "title",
            "district",
            "district_name",
            "year",
            "month",
            "scheduled_at",
            "place",
            "convener",
            "convener_name",
            "status",
            "status_display",
            "held_at",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendances", "decisions"]


class PackSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingPack
        fields = ["id", "built_at", "built_by", "hazard_ids", "data"]


class MinutesInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class ReportInputSerializer(serializers.Serializer):
    report = serializers.CharField(allow_blank=True)


class AttendanceInputSerializer(serializers.Serializer):
    attended = serializers.ListField(child=serializers.IntegerField(), help_text="出席的成员单位 id")


class DecisionInputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    hazards = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    member_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
