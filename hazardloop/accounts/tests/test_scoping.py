import pytest

from hazardloop.accounts import scoping
from hazardloop.registry.models import Enterprise, Expert, Provider

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "police",
    "fire",
    "township",
    "provider",
    "expert",
    "enterprise",
    "outsider",
]


@pytest.mark.parametrize("persona", ROLES)
def test_each_role_sees_exactly_its_enterprises(personas, persona):
    user = getattr(personas, persona)
    visible = set(Enterprise.objects.visible_to(user))
    assert visible == personas.expected[persona]


def test_anonymous_and_inactive_users_see_nothing(personas):
    from django.contrib.auth.models import AnonymousUser

    assert not Enterprise.objects.visible_to(AnonymousUser()).exists()
    personas.bureau.is_active = False
    assert not Enterprise.objects.visible_to(personas.bureau).exists()


def test_expert_never_sees_an_enterprise_they_must_not_inspect(personas, district):
    assert district.machine in set(Enterprise.objects.visible_to(personas.provider))
    assert district.machine not in set(Enterprise.objects.visible_to(personas.expert))


def test_provider_sees_only_its_own_firm_and_experts(personas, district):
    assert list(Provider.objects.visible_to(personas.provider)) == [district.provider]
    assert set(Expert.objects.visible_to(personas.provider)) == {district.expert}
    assert list(Expert.objects.visible_to(personas.expert)) == [district.expert]


def test_enterprise_sees_the_providers_that_serve_it_and_no_experts(personas, district):
    assert list(Provider.objects.visible_to(personas.enterprise)) == [district.provider]
    assert not Provider.objects.visible_to(personas.outsider).exists()
    assert not Expert.objects.visible_to(personas.enterprise).exists()


def test_out_of_scope_lookup_is_404_not_403(personas, district):
    from django.http import Http404

    with pytest.raises(Http404):
        scoping.get_visible_or_404(Enterprise.objects.all(), personas.outsider, pk=district.coal.pk)
    assert (
        scoping.get_visible_or_404(Enterprise.objects.all(), personas.enterprise, pk=district.coal.pk)
        == district.coal
    )


def test_a_model_without_a_scoping_rule_is_closed(personas):
    from hazardloop.registry.models import ExpertCertificate

    assert scoping.scope(ExpertCertificate.objects.all(), personas.admin).query.is_empty()
