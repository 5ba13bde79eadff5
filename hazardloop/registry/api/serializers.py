"""Registry API serializers. Reads come straight from the models; writes are validated here,
turned into services.EnterpriseData and handed to the services, which decide and write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hazardloop.core.api.fields import CodeNameRelatedField, masked_id_number, masked_phone

from .. import rules, services
from ..choices import RegionLevel, Specialty
from ..forms import OVERRIDE_ROLES
from ..models import (
    Enterprise,
    Expert,
    ExpertCertificate,
    Industry,
    MemberUnit,
    MemberUnitDuty,
    Provider,
    Region,
)

# --- reference data -----------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, label=_("上级区划代码"))
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_display", "kind", "parent", "valid_from", "valid_to"]


class IndustrySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, label=_("上级行业代码"))

    class Meta:
        model = Industry
        fields = ["id", "code", "name", "parent", "specialty"]


# --- enterprises --------------------------------------------------------------------------------


class TeamSizeSerializer(serializers.Serializer):
    minimum = serializers.IntegerField(label=_("最少人数"))
    maximum = serializers.IntegerField(label=_("最多人数"), allow_null=True)


TEXT_FIELDS = ("address", "legal_representative", "principal", "safety_contact")


class EnterpriseSerializer(serializers.ModelSerializer):
    """One enterprise file. Township and industry are written as codes and read back as
    {code, name}; size, the effective high-risk flag and the inspection team size follow from
    the data and are computed by the service, so they are read-only here."""

    credit_code = serializers.CharField(
        label=_("统一社会信用代码"), max_length=30, help_text=_("18位，全角字符、空格和连字符会自动转换")
    )
    township = CodeNameRelatedField(
        label=_("所属乡镇街道"), queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP)
    )
    industry = CodeNameRelatedField(label=_("行业（GB/T 4754）"), queryset=Industry.objects.all())
    size_display = serializers.CharField(source="get_size_display", read_only=True, label=_("企业规模"))
    team_size = TeamSizeSerializer(read_only=True, label=_("检查组人数标准"))

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "township",
            "industry",
            "status",
            "employees",
            "revenue_10k",
            "size",
            "size_display",
            "hazchem_licence",
            "dust_explosion",
            "ammonia_refrigeration",
            "confined_space",
            "molten_metal",
            "high_risk_override",
            "high_risk",
            "team_size",
            "established",
            "address",
            "longitude",
            "latitude",
            "legal_representative",
            "principal",
            "safety_contact",
            "safety_contact_phone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["size", "high_risk", "created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        return rules.normalise_text(value)

    def validate_credit_code(self, value: str) -> str:
        # The check itself (length, charset, check character, uniqueness) is the service's, so
        # the message is the same on the page, in an import and here.
        return rules.normalise_uscc(value)

    def validate_safety_contact_phone(self, value: str) -> str:
        return rules.normalise_text(value).replace(" ", "")

    def validate(self, attrs):
        for name in TEXT_FIELDS:
            if name in attrs:
                attrs[name] = rules.normalise_text(attrs[name])
        user = self.context["request"].user
        if "high_risk_override" in attrs and user.role not in OVERRIDE_ROLES:
            current = self.instance.high_risk_override if self.instance is not None else None
            if attrs["high_risk_override"] != current:
                raise serializers.ValidationError({"high_risk_override": [_("高危人工认定由区安监局办理。")]})
        return attrs

    def to_data(self) -> services.EnterpriseData:
        """The service's input: the stored values, replaced by whatever the request gave."""
        names = services.EnterpriseData.__dataclass_fields__
        values = {name: getattr(self.instance, name) for name in names} if self.instance is not None else {}
        values.update({k: v for k, v in self.validated_data.items() if k in names})
        return services.EnterpriseData(**values)

    def create(self, validated_data):
        return services.register_enterprise(self.to_data(), actor=self.context["request"].user)

    def update(self, instance, validated_data):
        return services.update_enterprise(instance, self.to_data(), actor=self.context["request"].user)


# --- providers and experts ----------------------------------------------------------------------


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "credit_code",
            "status",
            "qualifications",
            "equipment",
            "office_area_m2",
            "staff_count",
            "address",
            "contact",
            "contact_phone",
            "major_violation_date",
            "created_at",
            "updated_at",
        ]


class ProviderRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name"]


class CertificateSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ExpertCertificate
        fields = ["kind", "kind_display", "number", "issued", "expires"]


class SpecialtySerializer(serializers.Serializer):
    specialty = serializers.ChoiceField(choices=Specialty.choices, label=_("专业"))
    specialty_display = serializers.CharField(label=_("专业名称"))


class ExpertSerializer(serializers.ModelSerializer):
    """An expert in a list. The phone is masked and the id number left out: both are personal
    data (个人信息保护法), and a list is where they would leak in bulk."""

    provider = ProviderRefSerializer(read_only=True)
    specialties = serializers.SerializerMethodField(label=_("专业"))
    certificates = CertificateSerializer(many=True, read_only=True)
    phone = masked_phone(label=_("手机号（脱敏）"))

    class Meta:
        model = Expert
        fields = [
            "id",
            "name",
            "provider",
            "title",
            "full_time",
            "active",
            "phone",
            "specialties",
            "certificates",
        ]

    @extend_schema_field(SpecialtySerializer(many=True))
    def get_specialties(self, expert: Expert) -> list[dict]:
        labels = dict(Specialty.choices)
        return [
            {"specialty": code, "specialty_display": str(labels.get(code, code))}
            for code in expert.specialties
        ]


class ExpertDetailSerializer(ExpertSerializer):
    """One expert: the id number too, masked like the phone. Unmasked reading, encrypted
    storage and its access log come with the personal-data issue."""

    id_number = masked_id_number(label=_("身份证号（脱敏）"))

    class Meta(ExpertSerializer.Meta):
        fields = [
            *ExpertSerializer.Meta.fields,
            "id_number",
            "base_address",
            "base_latitude",
            "base_longitude",
            "created_at",
            "updated_at",
        ]


# --- member units -------------------------------------------------------------------------------


class DutySerializer(serializers.ModelSerializer):
    hazard_category_display = serializers.CharField(source="get_hazard_category_display", read_only=True)

    class Meta:
        model = MemberUnitDuty
        fields = ["industry_prefix", "hazard_category", "hazard_category_display"]


class MemberUnitSerializer(serializers.ModelSerializer):
    district = CodeNameRelatedField(read_only=True, label=_("所属区县"))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    duties = DutySerializer(many=True, read_only=True)

    class Meta:
        model = MemberUnit
        fields = ["id", "name", "kind", "kind_display", "district", "duties"]
