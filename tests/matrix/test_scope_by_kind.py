"""Who sees which records, by kind, written by hand from the rules — never from `scope()`.

The world (`world.py`) holds named records of each kind inside and outside every persona's reach.
For each kind, the table below lists, per role that may look at that kind at all, exactly the
named records that role must see; every other named record of the kind must stay hidden. Each
list page and API list must show exactly those (among the named records, and no record the
world does not name), and each detail page and API detail must answer 200 for them and 404 —
not 403 — for the rest, so that ids reveal nothing.

Rules the lists come from (DESIGN.md "Who uses it", decision 0001):
- admin: everything; district bureau and leader: everything in 龙安区 (not 殷都区's 外区商贸);
- member unit: enterprises in its district under its duties (safety: divisions 06 08 09 10 17 25
  26 31 32 33 34 → all four 龙安 firms; police: divisions 06 and 10 for explosives → 龙泉煤业;
  fire: every industry for fire hazards → all four), and only the hazards routed to it;
- township A (龙泉镇): its own enterprises (龙泉煤业, 龙泉机械厂), its own contracts and hazards;
- provider (安泰): enterprises under its contracts (contract A: 龙泉煤业, 龙泉机械厂), its
  contracts, its own experts;
- expert (王工, of 安泰): the firm's contract enterprises less 龙泉机械厂, where they declared a
  conflict of interest; the hazards they reported or the firm's at those enterprises;
- enterprise (龙泉煤业): itself; outsider (外区商贸): itself.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from .world import build

pytestmark = pytest.mark.django_db

ALL_ENTERPRISES = ["coal", "machine", "chem", "textile", "outsider"]
LONGAN = ["coal", "machine", "chem", "textile"]

KINDS = {
    "enterprise": {
        "objects": ALL_ENTERPRISES,
        "lists": ["registry:enterprise_list", "registry-api:enterprise-list"],
        "details": ["registry:enterprise_detail", "registry-api:enterprise-detail"],
        "sees": {
            "admin": ALL_ENTERPRISES,
            "bureau": LONGAN,
            "leader": LONGAN,
            "safety_unit": LONGAN,
            "police": ["coal"],
            "fire": LONGAN,
            "township": ["coal", "machine"],
            "provider": ["coal", "machine"],
            "expert": ["coal"],
            "enterprise": ["coal"],
            "outsider": ["outsider"],
        },
    },
    "provider": {
        "objects": ["provider", "other_provider"],
        "lists": ["registry:provider_list", "registry-api:provider-list"],
        "details": ["registry:provider_detail", "registry-api:provider-detail"],
        "sees": {
            **dict.fromkeys(
                ["admin", "bureau", "leader", "safety_unit", "police", "fire", "township"],
                ["provider", "other_provider"],
            ),
            "provider": ["provider"],
            "expert": ["provider"],
        },
    },
    "expert": {
        "objects": ["expert", "other_expert"],
        "lists": ["registry:expert_list", "registry-api:expert-list"],
        "details": ["registry:expert_detail", "registry-api:expert-detail"],
        "sees": {
            **dict.fromkeys(["admin", "bureau", "leader", "township"], ["expert", "other_expert"]),
            "provider": ["expert"],
            "expert": ["expert"],
        },
    },
    "member unit": {
        "objects": ["safety", "fire", "police"],
        "lists": ["registry:member_unit_list", "registry-api:memberunit-list"],
        "details": ["registry-api:memberunit-detail"],
        "sees": dict.fromkeys(
            ["admin", "bureau", "leader", "safety_unit", "police", "fire", "township"],
            ["safety", "fire", "police"],
        ),
    },
    "contract": {
        "objects": ["contract_a", "contract_b"],
        "lists": ["procurement:contract_list", "procurement-api:servicecontract-list"],
        "details": ["procurement:contract_detail", "procurement-api:servicecontract-detail"],
        "sees": {
            "admin": ["contract_a", "contract_b"],
            "bureau": ["contract_a", "contract_b"],
            "leader": ["contract_a", "contract_b"],
            "township": ["contract_a"],
            "provider": ["contract_a"],
        },
    },
    "hazard": {
        "objects": ["hazard_coal", "hazard_machine", "hazard_chem_fire"],
        "lists": ["hazards:list", "hazards-api:hazard-list"],
        "details": ["hazards:detail", "hazards-api:hazard-detail"],
        "sees": {
            "admin": ["hazard_coal", "hazard_machine", "hazard_chem_fire"],
            "bureau": ["hazard_coal", "hazard_machine", "hazard_chem_fire"],
            "leader": ["hazard_coal", "hazard_machine", "hazard_chem_fire"],
            "safety_unit": ["hazard_coal", "hazard_machine"],  # routed to it
            "police": [],  # nothing routed to it
            "fire": ["hazard_chem_fire"],
            "township": ["hazard_coal", "hazard_machine"],
            "provider": ["hazard_coal", "hazard_machine"],
            "expert": ["hazard_coal"],  # not 龙泉机械厂 (conflict of interest)
            "enterprise": ["hazard_coal"],
            "outsider": [],
        },
    },
}


def _listed(response, is_api: bool) -> set:
    if is_api:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return {row["id"] for row in rows}
    # Pages hand their rows to the template as `result` (the keyset/paged list), `page_obj` or
    # `rows` (the member-unit list: one dict per unit).
    context = response.context
    for key in ("result", "page_obj", "rows"):
        if key in context:
            rows = context[key]
            rows = getattr(rows, "object_list", rows)
            return {row["unit"].pk if isinstance(row, dict) else row.pk for row in rows}
    raise AssertionError(f"the page {response.request['PATH_INFO']} shows no list the matrix can read")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_role_sees_exactly_its_records(client, personas, district, settings, tmp_path, kind):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build(personas, district)
    spec = KINDS[kind]
    named = {getattr(world, name).pk: name for name in spec["objects"]}
    problems = []
    for role, sees in spec["sees"].items():
        client.force_login(getattr(personas, role))
        for list_route in spec["lists"]:
            response = client.get(reverse(list_route))
            if response.status_code != 200:
                problems.append(f"{role} {list_route}: {response.status_code}")
                continue
            listed = _listed(response, list_route.split(":")[0].endswith("-api"))
            unnamed = listed - set(named)
            shown = {named[pk] for pk in listed & set(named)}
            if shown != set(sees):
                problems.append(
                    f"{role} {list_route} shows {sorted(shown)}, must show exactly {sorted(sees)}"
                )
            if unnamed:
                problems.append(
                    f"{role} {list_route} shows records the world does not name: {sorted(unnamed)}"
                )
        for detail_route in spec["details"]:
            for pk, name in named.items():
                status = client.get(reverse(detail_route, kwargs={"pk": pk})).status_code
                want = 200 if name in sees else 404
                if status != want:
                    problems.append(f"{role} {detail_route} {name}: {status}, must be {want}")
    assert not problems, "\n".join(problems)
