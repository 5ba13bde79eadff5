"""A JSON list where the results endpoint expects an object is a 400 in Chinese, not a 500
(issue 13; the guard is one line in inspections/api/views.py)."""

import pytest
from django.test import Client

from .test_api import BASE, create_payload

pytestmark = pytest.mark.django_db


def test_a_json_list_to_results_is_a_400(personas, district, team):
    client = Client(raise_request_exception=False)
    client.force_login(personas.provider)
    pk = client.post(BASE, create_payload(district, team), content_type="application/json").json()["id"]
    answer = client.post(
        f"{BASE}{pk}/results/", [{"item": 1, "outcome": "conforming"}], content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["results"] == ['请求体应为 JSON 对象：{"results": [...]}。']
