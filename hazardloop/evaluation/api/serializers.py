from rest_framework import serializers

from ..models import Kpi, Rating, Scorecard, ScorecardKpi


class KpiSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_code_display", read_only=True)

    class Meta:
        model = Kpi
        fields = ["id", "code", "name", "weight", "target", "zero_at", "description"]


class ScorecardKpiSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_code_display", read_only=True)
    code = serializers.CharField(read_only=True)

    class Meta:
        model = ScorecardKpi
        fields = [
            "code",
            "name",
            "weight",
            "target",
            "zero_at",
            "value",
            "score",
            "numerator",
            "denominator",
            "inputs",
        ]


class ScorecardSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True, default=None)
    period_label = serializers.CharField(source="period.label", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "provider",
            "provider_name",
            "contract",
            "contract_number",
            "period_kind",
            "period_start",
            "period_end",
            "period_label",
            "status",
            "status_display",
            "total",
            "computed_at",
            "confirmed_at",
        ]


class ScorecardDetailSerializer(ScorecardSerializer):
    kpis = ScorecardKpiSerializer(many=True, read_only=True)

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "kpis"]


class RatingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    report_number = serializers.CharField(source="inspection.report_number", read_only=True)
    enterprise_name = serializers.CharField(source="inspection.enterprise.name", read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "inspection",
            "report_number",
            "enterprise_name",
            "kind",
            "kind_display",
            "score",
            "comment",
            "rated_at",
        ]
        read_only_fields = ["kind", "rated_at"]


class RatingInputSerializer(serializers.Serializer):
    inspection = serializers.IntegerField(help_text="检查记录 id（已提交）")
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
