from django.urls import reverse
from rest_framework import serializers

from ..choices import STAGE_OF_STATE
from ..models import (
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    HazardAttachment,
    HazardEvent,
    Rectification,
    RectificationNotice,
    ReInspection,
    ResumptionReview,
)


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
            "delisted_at",
            "grade_basis",
            "confirmation_due",
            "criterion",
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


class AttachmentSerializer(serializers.ModelSerializer):
    """A file's metadata; `url` is the scoped download (never the storage path)."""

    url = serializers.SerializerMethodField()
    event_seq = serializers.IntegerField(source="event.seq", read_only=True, default=None)

    class Meta:
        model = HazardAttachment
        fields = ["id", "kind", "original_name", "uploaded_at", "uploaded_by", "event_seq", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("hazards:attachment", args=[obj.pk])


class NoticeSerializer(serializers.ModelSerializer):
    member_unit_name = serializers.CharField(source="member_unit.name", read_only=True)
    hazards = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = RectificationNotice
        fields = [
            "id",
            "number",
            "member_unit",
            "member_unit_name",
            "enterprise",
            "hazards",
            "issued_by",
            "issued_at",
            "deadline",
            "deadline_basis",
            "deadline_source",
            "requirements",
            "legal_basis",
            "halt_ordered",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str:
        return reverse("hazards-api:notice-pdf", args=[obj.pk])


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = GovernancePlan
        fields = [
            "id",
            *GovernancePlan.ELEMENTS,
            "funds_amount",
            "submitted_by",
            "submitted_at",
            "decision",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "previous_deadline",
            "requested_deadline",
            "reason",
            "requested_by",
            "requested_at",
            "decision_due",
            "decision",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = [
            "id",
            "round",
            "measures",
            "cost",
            "responsible_person",
            "completed_on",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields


class ReInspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReInspection
        fields = ["id", "round", "verdict", "findings", "inspector", "provider", "inspected_at"]
        read_only_fields = fields


class ResumptionReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResumptionReview
        fields = [
            "id",
            "assessed_by",
            "assessment_summary",
            "applied_by",
            "applied_at",
            "review_due",
            "verdict",
            "findings",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields
