"""Two people editing one registry record: nobody's change is lost without them being told.

Issue 13 item 1: two users PATCHed different fields of one enterprise at once and only one change
survived, both answered 200; two PUTs from the same stale copy lost the first. The expected
outcomes below are the issue's, written by hand: both fields kept; the stale copy refused (409,
or 412 for a failed If-Match); the page shows the form again naming the other person's change.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from hazardloop.accounts.testing import api_token_key
from hazardloop.core.errors import Conflict
from hazardloop.registry import services
from hazardloop.registry.api.views import EnterpriseViewSet
from hazardloop.registry.models import Enterprise, Expert, Industry, Provider

pytestmark = pytest.mark.django_db

ENTERPRISES = "/api/registry/enterprises/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
    return client


# --- the API ------------------------------------------------------------------------------------


def test_two_patches_of_different_fields_interleaved_keep_both(personas, district, monkeypatch):
    """A reads the record, B's whole PATCH lands, then A's PATCH is written: the interleaving of
    the issue's race, made deterministic by running B from inside A's lookup."""
    machine = district.machine
    url = f"{ENTERPRISES}{machine.pk}/"
    original_get_object = EnterpriseViewSet.get_object
    b_response = {}

    def get_object_then_let_b_in(view):
        record = original_get_object(view)
        if not b_response:
            b_response["r"] = None  # B's own lookup must not start a third request
            b_response["r"] = api_as(personas.township).patch(url, {"employees": 777}, format="json")
        return record

    monkeypatch.setattr(EnterpriseViewSet, "get_object", get_object_then_let_b_in)
    a = api_as(personas.bureau).patch(url, {"address": "龙泉镇新华路 1 号"}, format="json")

    assert b_response["r"].status_code == 200
    assert a.status_code == 200
    machine.refresh_from_db()
    assert (machine.employees, machine.address) == (777, "龙泉镇新华路 1 号")


def test_a_second_put_from_the_same_stale_copy_is_refused_and_the_first_kept(personas, district):
    client = api_as(personas.bureau)
    url = f"{ENTERPRISES}{district.machine.pk}/"
    copy = client.get(url).json()

    first = client.put(url, {**copy, "employees": 400}, format="json")
    second = client.put(url, {**copy, "address": "马投涧镇 9 号"}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert "已被他人修改" in second.json()["detail"]
    machine = Enterprise.objects.get(pk=district.machine.pk)
    assert machine.employees == 400
    assert machine.address != "马投涧镇 9 号"


def test_the_put_body_takes_what_the_get_returned(personas, district):
    # Township and industry come back as {code, name}; sending them back as they came is fine.
    client = api_as(personas.bureau)
    url = f"{ENTERPRISES}{district.machine.pk}/"
    copy = client.get(url).json()
    assert isinstance(copy["township"], dict) and isinstance(copy["industry"], dict)

    response = client.put(url, {**copy, "employees": copy["employees"] + 1}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == copy["version"] + 1


def test_etag_and_if_match(personas, district):
    client = api_as(personas.bureau)
    url = f"{ENTERPRISES}{district.machine.pk}/"
    read = client.get(url)
    assert read["ETag"] == f'"{read.json()["version"]}"'

    ok = client.patch(url, {"employees": 321}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert ok.status_code == 200
    assert ok["ETag"] == f'"{read.json()["version"] + 1}"'

    stale = client.patch(url, {"employees": 999}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert "已被他人修改" in stale.json()["detail"]
    assert Enterprise.objects.get(pk=district.machine.pk).employees == 321


def test_a_patch_writes_only_the_fields_it_sends(personas, district):
    machine = district.machine
    before = Enterprise.objects.values().get(pk=machine.pk)
    response = api_as(personas.bureau).patch(
        f"{ENTERPRISES}{machine.pk}/", {"principal": "王五"}, format="json"
    )
    assert response.status_code == 200
    after = Enterprise.objects.values().get(pk=machine.pk)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"principal", "version", "updated_at"}


def test_provider_and_expert_updates_check_the_version_too(personas, district):
    client = api_as(personas.bureau)
    provider_url = f"/api/registry/providers/{district.provider.pk}/"
    copy = client.get(provider_url).json()
    assert (
        client.patch(provider_url, {"staff_count": 12, "version": copy["version"]}, format="json").status_code
        == 200
    )
    assert (
        client.patch(provider_url, {"address": "x", "version": copy["version"]}, format="json").status_code
        == 409
    )
    assert Provider.objects.get(pk=district.provider.pk).staff_count == 12

    expert_url = f"/api/registry/experts/{district.expert.pk}/"
    copy = client.get(expert_url).json()
    assert (
        client.patch(
            expert_url, {"title": "高级工程师", "version": copy["version"]}, format="json"
        ).status_code
        == 200
    )
    # The masked phone the GET shows, sent back, leaves the stored number alone.
    stored_phone = Expert.objects.get(pk=district.expert.pk).phone
    again = client.get(expert_url).json()
    assert client.put(expert_url, again, format="json").status_code == 200
    assert Expert.objects.get(pk=district.expert.pk).phone == stored_phone
    assert (
        client.patch(expert_url, {"title": "工程师", "version": copy["version"]}, format="json").status_code
        == 409
    )


# --- the services -------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_writes_nothing(personas, district):
    machine = district.machine
    services.update_enterprise(machine, {"employees": 10}, actor=personas.bureau, version=machine.version)
    with pytest.raises(Conflict) as caught:
        services.update_enterprise(machine, {"address": "y"}, actor=personas.bureau, version=machine.version)
    assert caught.value.status_code == 409
    fresh = Enterprise.objects.get(pk=machine.pk)
    assert (fresh.employees, fresh.version) == (10, machine.version + 1)
    assert fresh.address != "y"


def test_a_township_may_not_change_the_high_risk_decision_through_a_partial_update(personas, district):
    with pytest.raises(services.RegistryError) as caught:
        services.update_enterprise(district.machine, {"high_risk_override": True}, actor=personas.township)
    assert "high_risk_override" in caught.value.errors


# --- the page -----------------------------------------------------------------------------------


def posted(form) -> dict:
    """What the browser posts for an unbound form as rendered: each field's value and, where the
    form shows it, its hidden initial."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if getattr(field.widget, "input_type", None) == "checkbox":
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
        if field.show_hidden_initial:
            data[form.add_initial_prefix(name)] = "" if value is None else str(value)
    return data


def test_the_edit_page_shows_the_other_persons_change_and_keeps_both(client, personas, district):
    machine = district.machine
    url = reverse("registry:enterprise_edit", args=[machine.pk])
    client.force_login(personas.bureau)
    mine = posted(client.get(url).context["form"])

    # Someone else saves a new industry meanwhile.
    services.update_enterprise(
        machine,
        {"industry": Industry.objects.get(code="3110")},
        actor=personas.admin,
        version=machine.version,
    )

    mine["employees"] = "555"
    refused = client.post(url, mine)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "他人已修改" in page and "行业" in page
    form = refused.context["form"]
    assert str(form["industry"].value()) == str(Industry.objects.get(code="3110").pk)  # theirs taken in
    assert str(form["employees"].value()) == "555"  # mine kept
    assert Enterprise.objects.get(pk=machine.pk).employees != 555

    again = client.post(url, posted_bound(form))
    assert again.status_code == 302
    saved = Enterprise.objects.get(pk=machine.pk)
    assert (saved.employees, saved.industry.code) == (555, "3110")


def posted_bound(form) -> dict:
    """What the browser posts back for a bound form shown again: its data as it stands."""
    return {key: form.data.get(key) for key in form.data if not key.startswith("csrf")}


# --- real threads (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections")
def test_two_patches_at_once_in_two_threads_keep_both(personas, district, monkeypatch):
    """Both requests read the record, wait for each other, then write: ten rounds, no change lost."""
    machine = district.machine
    url = f"{ENTERPRISES}{machine.pk}/"
    clients = [api_as(personas.bureau), api_as(personas.township)]
    original_get_object = EnterpriseViewSet.get_object
    for round_ in range(10):
        barrier = threading.Barrier(2)

        def get_object_and_wait(view, barrier=barrier):
            record = original_get_object(view)
            barrier.wait(timeout=10)
            return record

        monkeypatch.setattr(EnterpriseViewSet, "get_object", get_object_and_wait)
        bodies = [{"employees": 1000 + round_}, {"address": f"第{round_}号"}]
        statuses = [None, None]

        def run(i, statuses=statuses, bodies=bodies):
            try:
                statuses[i] = clients[i].patch(url, bodies[i], format="json").status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        machine.refresh_from_db()
        assert statuses == [200, 200]
        assert (machine.employees, machine.address) == (1000 + round_, f"第{round_}号")
