"""Registry API serializers. Reads come straight from the models; writes are validated here,
turned into services.EnterpriseData and handed to the services, which decide and write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hazardloop.core.api.fields import CodeNameRelatedField, masked_id_number, masked_phone
from hazardloop.core.api.masking import mask_phone

from .. import rules, services
from ..choices import RegionLevel, Specialty
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
from ..types import EnterpriseData

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


class CodeOrObjectField(CodeNameRelatedField):
    """Reads as {"code", "name"}; writes take the code, or the same object the read gives, so a
    client can send back what it got (the name is ignored: the code decides)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get("code")
        return super().to_internal_value(data)


VERSION_HELP = _("读取时的版本号；修改时带回（或用 If-Match 请求头），若他人已先修改则拒绝（409）。")


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
    township = CodeOrObjectField(
        label=_("所属乡镇街道"), queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP)
    )
    industry = CodeOrObjectField(label=_("行业（GB/T 4754）"), queryset=Industry.objects.all())
    version = serializers.IntegerField(label=_("版本"), required=False, min_value=1, help_text=VERSION_HELP)
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
            "version",
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
        return attrs

    def create(self, validated_data):
        values = {k: v for k, v in validated_data.items() if k in EnterpriseData.__dataclass_fields__}
        return services.register_enterprise(EnterpriseData(**values), actor=self.context["request"].user)

    def update(self, instance, validated_data):
        # Only the fields the request sent reach the service, which applies them to the row as
        # it is under the lock (who may change the high-risk decision is the service's rule too).
        version = validated_data.pop("if_match", None) or validated_data.pop("version", None)
        validated_data.pop("version", None)
        return services.update_enterprise(
            instance, validated_data, actor=self.context["request"].user, version=version
        )


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
            "version",
            "created_at",
            "updated_at",
        ]

    version = serializers.IntegerField(label=_("版本"), required=False, min_value=1, help_text=VERSION_HELP)

    def update(self, instance, validated_data):
        version = validated_data.pop("if_match", None) or validated_data.pop("version", None)
        validated_data.pop("version", None)
        return services.update_provider(
            instance, validated_data, actor=self.context["request"].user, version=version
        )


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


@extend_schema_field(SpecialtySerializer(many=True))
class SpecialtiesField(serializers.Field):
    """Read as [{specialty, specialty_display}]; written as a list of codes or of those objects."""

    default_error_messages = {
        "not_a_list": _("专业应为列表。"),
        "unknown": _("专业“{value}”无效。"),
    }

    def to_representation(self, value):
        labels = dict(Specialty.choices)
        return [{"specialty": code, "specialty_display": str(labels.get(code, code))} for code in value]

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        codes = []
        for item in data:
            code = item.get("specialty") if isinstance(item, dict) else item
            if code not in Specialty.values:
                self.fail("unknown", value=code)
            codes.append(code)
        return codes


class MaskedPhoneField(serializers.CharField):
    """Read masked (138****5678); a masked value written back means "unchanged", a full number
    replaces the stored one."""

    def to_representation(self, value):
        return mask_phone(value or "")


class ExpertDetailSerializer(ExpertSerializer):
    """One expert: the id number too, masked like the phone. The writable fields are those of
    `services.update_expert`; a provider user edits only its own firm's experts."""

    id_number = masked_id_number(label=_("身份证号（脱敏）"))
    phone = MaskedPhoneField(label=_("手机号（脱敏）"), required=False, allow_blank=True, max_length=32)
    specialties = SpecialtiesField(label=_("专业"), required=False)
    version = serializers.IntegerField(label=_("版本"), required=False, min_value=1, help_text=VERSION_HELP)

    class Meta(ExpertSerializer.Meta):
        fields = [
            *ExpertSerializer.Meta.fields,
            "id_number",
            "base_address",
            "base_latitude",
            "base_longitude",
            "version",
            "created_at",
            "updated_at",
        ]

    def update(self, instance, validated_data):
        version = validated_data.pop("if_match", None) or validated_data.pop("version", None)
        validated_data.pop("version", None)
        return services.update_expert(
            instance, validated_data, actor=self.context["request"].user, version=version
        )


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
        fields = ["id", "name", "kind", "kind_display", "committee_office", "district", "duties"]
