from rest_framework import serializers

from ..models import (
    Award,
    AwardFormula,
    Bid,
    ComplianceBreach,
    ContractAmendment,
    InspectionPlan,
    PaymentMilestone,
    PlannedVisit,
    PlanningJob,
    ServiceContract,
    Tender,
    TenderCriterion,
)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenderCriterion
        fields = ["id", "kind", "name", "weight"]
        read_only_fields = fields


class BidSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "provider",
            "provider_name",
            "price",
            "technical_summary",
            "submitted_at",
            "submitted_by",
            "status",
            "status_display",
            "refusal_reason",
            "scores",
            "price_score",
            "total",
            "scored_at",
            "scored_by",
        ]
        read_only_fields = fields


class TenderSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "number",
            "title",
            "township",
            "township_name",
            "enterprises",
            "budget",
            "requirements",
            "service_start",
            "service_end",
            "stable_service",
            "standards",
            "closing_date",
            "status",
            "status_display",
            "criteria",
            "created_by",
            "created_at",
            "published_at",
            "published_by",
            "closed_at",
            "awarded_at",
            "awarded_by",
            "awarded_bid",
            "contract",
            "cancel_reason",
        ]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractAmendment
        fields = ["version", "changes", "reason", "actor", "created_at"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)

    class Meta:
        model = PaymentMilestone
        fields = [
            "id",
            "contract",
            "contract_number",
            "name",
            "due_date",
            "share",
            "amount",
            "status",
            "paid_at",
            "paid_by",
            "note",
        ]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ServiceContract
        exclude = ["enterprises"]
        read_only_fields = [f.name for f in ServiceContract._meta.concrete_fields]


class ContractDetailSerializer(ContractSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    enterprises = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        exclude = None
        fields = "__all__"


class VisitSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    team = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PlannedVisit
        fields = ["id", "enterprise", "enterprise_name", "index", "month", "day", "team", "status"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "contract",
            "contract_number",
            "year",
            "status",
            "method",
            "revision",
            "solve_seconds",
            "objective",
            "spread",
            "travel_km",
            "lower_bound",
            "greedy_objective",
            "violations",
            "changed_visits",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    visits = VisitSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "visits"]
        read_only_fields = fields


class PlanningJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanningJob
        fields = [
            "id",
            "contract",
            "year",
            "kind",
            "params",
            "status",
            "message",
            "plan",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class BreachSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = ComplianceBreach
        fields = [
            "id",
            "contract",
            "contract_number",
            "kind",
            "kind_display",
            "key",
            "enterprise",
            "inspection",
            "hazard",
            "expected",
            "actual",
            "note",
            "detected_at",
            "resolved_at",
            "is_open",
        ]
        read_only_fields = fields

    def get_is_open(self, obj) -> bool:
        return obj.resolved_at is None


class AwardFormulaSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = AwardFormula
        fields = [
            "id",
            "district",
            "district_name",
            "year",
            "version",
            "pool",
            "base_share",
            "coverage_weight",
            "closure_weight",
            "punctuality_weight",
            "note",
            "published_at",
            "published_by",
        ]
        read_only_fields = ["id", "district", "district_name", "version", "published_at", "published_by"]


class AwardSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    formula_version = serializers.IntegerField(source="formula.version", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Award
        fields = "__all__"
        read_only_fields = [f.name for f in Award._meta.concrete_fields]


class AwardYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2999)
