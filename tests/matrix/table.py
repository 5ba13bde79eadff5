"""The access table, written by hand: for every route, the record its URL names and what each
role gets on it. Derived from DESIGN.md's table of roles ("who may see, who may do") and the
capability rules, route by route; never from `scope()` or `can()`.

A row is `"outcome: roles | outcome: roles | …"`; `*` stands for every role not named before it.
Outcomes: `ok` (2xx, or a redirect not to the login page), `400` (an empty POST reached the
service's validation), `409`, `403` (the role may not do this at all), `404` (the record is not
visible to the role: out of scope or missing), `405`. A row starting with "POST" is an action
page walked with an empty POST instead of a GET.

Role groups used below: gov = admin bureau leader (district-wide government);
units = safety_unit police fire (member units, see only what is routed to them or their duties).
"""

from __future__ import annotations

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
GROUPS = {
    "gov": ["admin", "bureau", "leader"],
    "units": ["safety_unit", "police", "fire"],
}

# What an anonymous caller gets where it is not the login page (pages) or 401/403 (API).
ANONYMOUS = {
    "login": "ok",
    "healthz": "ok",
    "onboarding:activate": "ok",  # an enterprise activates its account with the code it was sent
    "api-token": "405",  # POST only
    # Resetting a forgotten password is for people who cannot sign in.
    "password_reset": "ok",
    "password_reset_done": "ok",
    "password_reset_confirm": "ok",
    "password_reset_complete": "ok",
}
# Not posted to: they count sign-in attempts or change the session.
# (onboarding:activate counts tries per address, like the login.)
NO_POST = {
    "login",
    "api-token",
    "two_factor_setup",
    "two_factor_verify",
    "password_change",
    "onboarding:activate",
    "password_reset",  # sends mail and counts requests per address
}

# The record each model's ids are filled with (a name in world.py); None: a missing id, because
# the world has no such record (the row then says what a missing id gives each role).
BY_MODEL = {
    "registry.enterprise": "coal",
    "registry.provider": "provider",
    "registry.expert": "expert",
    "registry.memberunit": "safety",
    "registry.region": "town_a",
    "registry.industry": "industry",
    "procurement.servicecontract": "contract_a",
    "procurement.tender": "tender_a",
    "procurement.paymentmilestone": "milestone_a",
    "hazards.hazard": "hazard_coal",
    "hazards.rectificationnotice": "notice_coal",
    "meetings.meeting": "meeting",
}
# Pages (and the odd API route) say by hand what their ids are.
BY_ROUTE = {
    "api-personal-data": {"label": "=registry.expert", "pk": "expert"},
    "password_reset_confirm": {"uidb64": "=MQ", "token": "=no-such-token"},
    "analytics-api:chart": {"chart": "=funnel"},
    "enforcement:conclude": {"pk": None, "hazard_pk": "hazard_coal"},
    "evaluation:payment_rule": {"pk": "contract_a"},
    "hazards:act": {"pk": "hazard_coal", "action": "=submit_rectification"},
    "hazards:attachment": {"pk": "attachment_coal"},
    "hazards:detail": {"pk": "hazard_coal"},
    "hazards:notice_pdf": {"pk": "notice_coal"},
    # The world lists no major hazard: a missing listing or acceptance is 404 for every reader.
    "hazards:listing_pdf": {"pk": None},
    "hazards:acceptance_pdf": {"pk": None},
    "hazards-api:hazard-transition": {"pk": "hazard_coal", "name": "=no_such_transition"},
    "inspections:checklist_detail": {"pk": "checklist_version"},
    "inspections:checklist_publish": {"pk": "checklist_version"},
    "inspections:checklist_item_save": {"pk": "checklist_version"},
    "inspections:checklist_item_delete": {"pk": "checklist_version", "item_pk": "checklist_item"},
    "inspections:checklist_revise": {"template_pk": "checklist_template"},
    "inspections:finding_remove": {"pk": None, "finding_pk": None},
    "procurement:bid_submit": {"pk": "tender_a"},
    "procurement:contract_amend": {"pk": "contract_a"},
    "procurement:contract_detail": {"pk": "contract_a"},
    "procurement:contract_publish": {"pk": "contract_a"},
    "procurement:contract_solve": {"pk": "contract_a"},
    "procurement:milestone_add": {"pk": "contract_a"},
    "procurement:milestone_pay": {"pk": "milestone_a"},
    "procurement:tender_action": {"pk": "tender_a", "action": "=publish"},
    "procurement:tender_award": {"pk": "tender_a"},
    "procurement:tender_detail": {"pk": "tender_a"},
    "procurement:tender_score": {"pk": "tender_a"},
    "procurement-api:tender-transition": {"pk": "tender_a", "verb": "=publish"},
    "registry:enterprise_detail": {"pk": "coal"},
    "registry:enterprise_edit": {"pk": "coal"},
    "registry:expert_detail": {"pk": "expert"},
    "registry:provider_detail": {"pk": "provider"},
}
_MEETING_PAGES = ("approve_minutes", "attendance", "build_pack", "decision", "detail", "minutes")
_MEETING_PAGES += ("pack_pdf", "pack_xlsx", "report")
BY_ROUTE.update({f"meetings:{name}": {"pk": "meeting"} for name in _MEETING_PAGES})


def subject(route, kwarg: str) -> str | None:
    by_route = BY_ROUTE.get(route.name, {})
    if kwarg in by_route:
        return by_route[kwarg]
    if kwarg in ("pk", "code") and route.model:
        return BY_MODEL.get(route.model)
    if kwarg in ("pk", "code"):
        return None
    raise KeyError(f"route {route.name}: the table does not say what its '{kwarg}' is")


def method(name: str) -> str | None:
    """ "post" for an action page walked by POST (its row starts with "POST")."""
    return "post" if TABLE.get(name, "").startswith("POST ") else None


def expected(name: str) -> dict[str, str]:
    """The row for route `name`, one outcome per role."""
    out: dict[str, str] = {}
    for part in TABLE[name].removeprefix("POST ").split("|"):
        result, _, who = part.partition(":")
        result = result.strip()
        for word in who.split():
            for role in ROLES if word == "*" else GROUPS.get(word, [word]):
                if role not in ROLES:
                    raise KeyError(f"row {name}: unknown role {role}")
                out.setdefault(role, result)
    return out


TABLE: dict[str, str] = {
    # Dashboards are open to every signed-in role (each sees its own scope); the Order 16 Art. 14
    # statistics are for the government and the inspected enterprise, not firms or member units.
    "analytics-api:chart": "ok: *",
    "analytics-api:dashboard": "ok: *",
    "analytics-api:statistics": "403: units provider expert | ok: *",
    "analytics:dashboard": "ok: *",
    "analytics:statistics": "403: units provider expert | ok: *",
    "analytics:statistics_pdf": "403: units provider expert | ok: *",
    "analytics:statistics_xlsx": "403: units provider expert | ok: *",
    # Site-wide: API docs and schema, sign-in, password. The personal-data reveal (an expert's
    # ID number) is for the administrator, the bureau and the expert's own firm; roles that cannot
    # see experts at all get 404.
    "api-docs": "ok: *",
    "api-personal-data": "ok: admin bureau provider | 403: leader township expert | 404: *",
    "api-schema": "ok: *",
    "api-token": "405: *",
    # API tokens: everyone manages their own; the world holds none, so a token id is 404.
    "api-tokens-list": "ok: *",
    "api-tokens-detail": "404: *",
    "api-tokens-revoke": "404: *",
    "api_tokens": "ok: *",
    "api_token_revoke": "POST 404: *",
    "password_reset": "ok: *",
    "password_reset_done": "ok: *",
    "password_reset_confirm": "ok: *",
    "password_reset_complete": "ok: *",
    # Enforcement (处理) is the member units' act, supervised by the bureau: firms and experts are
    # refused; the world holds no enforcement action, so records are 404 to everyone else.
    "enforcement-api:enforcementaction-detail": "403: provider expert | 404: *",
    "enforcement-api:enforcementaction-fulfil": "403: provider expert | 404: *",
    "enforcement-api:enforcementaction-list": "403: provider expert | ok: *",
    "enforcement-api:enforcementaction-revoke": "403: provider expert | 404: *",
    "enforcement:conclude": "403: provider expert | 404: *",
    "enforcement:create": "ok: units bureau | 403: *",
    "enforcement:detail": "403: provider expert | 404: *",
    "enforcement:export": "403: provider expert | ok: *",
    "enforcement:fulfil": "403: provider expert | 404: *",
    "enforcement:list": "403: provider expert | ok: *",
    "enforcement:revoke": "403: provider expert | 404: *",
    # Scorecards and KPIs: government, townships and the evaluated firm; ratings by everyone who
    # took part except the expert. The world holds no scorecard (404 where the role may look).
    "evaluation-api:kpi-detail": "404: gov township provider | 403: *",
    "evaluation-api:kpi-list": "ok: gov township provider | 403: *",
    "evaluation-api:rating-detail": "403: expert | 404: *",
    "evaluation-api:rating-list": "403: expert | ok: *",
    "evaluation-api:scorecard-detail": "404: gov township provider | 403: *",
    "evaluation-api:scorecard-list": "ok: gov township provider | 403: *",
    "evaluation:kpi_config": "ok: gov township provider | 403: *",
    "evaluation:payment_rule": "ok: gov township provider | 403: *",
    "evaluation:rate_inspection": "POST 404: *",
    "evaluation:rating_export": "403: expert | ok: *",
    "evaluation:rating_list": "403: expert | ok: *",
    "evaluation:scorecard_apply": "POST 404: gov township provider | 403: *",
    "evaluation:scorecard_compute": "ok: bureau township | 403: *",
    "evaluation:scorecard_confirm": "POST 404: gov township provider | 403: *",
    "evaluation:scorecard_detail": "404: gov township provider | 403: *",
    "evaluation:scorecard_export": "ok: gov township provider | 403: *",
    "evaluation:scorecard_list": "ok: gov township provider | 403: *",
    "evaluation:scorecard_pdf": "404: gov township provider | 403: *",
    "evaluation:scorecard_recompute": "POST 404: gov township provider | 403: *",
    "evaluation:scorecard_records": "404: gov township provider | 403: *",
    "evaluation:scorecard_xlsx": "404: gov township provider | 403: *",
    # hazard_coal (龙泉煤业, township A, routed to safety): hidden from police and fire (nothing
    # routed to them) and from the outsider; seen by everyone else in its chain.
    "hazards-api:hazard-attachments": "404: police fire outsider | ok: *",
    "hazards-api:hazard-detail": "404: police fire outsider | ok: *",
    "hazards-api:hazard-extensions": "404: police fire outsider | ok: *",
    "hazards-api:hazard-list": "ok: *",
    "hazards-api:hazard-notices": "404: police fire outsider | ok: *",
    "hazards-api:hazard-plans": "404: police fire outsider | ok: *",
    "hazards-api:hazard-rectifications": "404: police fire outsider | ok: *",
    "hazards-api:hazard-reinspections": "404: police fire outsider | ok: *",
    "hazards-api:hazard-resumption-reviews": "404: police fire outsider | ok: *",
    "hazards-api:hazard-timeline": "404: police fire outsider | ok: *",
    "hazards-api:hazard-transition": "404: *",
    "hazards-api:notice-detail": "404: police fire outsider | ok: *",
    "hazards-api:notice-list": "ok: *",
    "hazards-api:notice-pdf": "404: police fire outsider | ok: *",
    "hazards:act": "POST ok: enterprise | 404: police fire outsider | 403: *",
    "hazards:attachment": "404: police fire outsider | ok: *",
    "hazards:detail": "404: police fire outsider | ok: *",
    "hazards:list": "ok: *",
    "hazards:notice_pdf": "404: police fire outsider | ok: *",
    "hazards:listed": "ok: *",  # the listings and suspected majors the reader's scope holds
    "hazards:listing_pdf": "404: *",
    "hazards:acceptance_pdf": "404: *",
    "healthz": "ok: *",
    "home": "ok: *",
    # Inspections are recorded by the firm and its experts; checklists are edited by the bureau
    # and the administrator and read by all. The world holds no inspection visit.
    "inspections-api:inspection-acknowledge": "404: *",
    "inspections-api:inspection-detail": "404: *",
    "inspections-api:inspection-findings": "404: *",
    "inspections-api:inspection-list": "ok: *",
    "inspections-api:inspection-report": "404: *",
    "inspections-api:inspection-results": "404: *",
    "inspections-api:inspection-submit": "404: *",
    "inspections:acknowledge": "POST 404: enterprise outsider | 403: *",
    "inspections:checklist_detail": "ok: *",
    "inspections:checklist_item_delete": "POST ok: admin bureau | 403: *",
    "inspections:checklist_item_save": "POST ok: admin bureau | 403: *",
    "inspections:checklist_list": "ok: *",
    "inspections:checklist_publish": "POST ok: admin bureau | 403: *",
    "inspections:checklist_revise": "POST ok: admin bureau | 403: *",
    "inspections:detail": "404: *",
    "inspections:finding_add": "POST 404: provider expert | 403: *",
    "inspections:finding_remove": "POST 404: provider expert | 403: *",
    "inspections:list": "ok: *",
    "inspections:new": "ok: provider expert | 403: *",
    "inspections:report": "404: *",
    "inspections:results": "POST 404: provider expert | 403: *",
    "inspections:submit": "POST 404: provider expert | 403: *",
    "login": "ok: *",
    # The joint meeting (联席会议) of 龙安区: the bureau runs it, the leader approves minutes,
    # member units report; firms, experts, enterprises and the administrator take no part. An empty
    # POST to an API action by a party of the meeting reaches validation (400) before the
    # service's own check of who may record it.
    "meetings-api:meeting-approve": "400: leader | 403: *",
    "meetings-api:meeting-attendance": "403: admin provider expert enterprise outsider | 400: *",
    "meetings-api:meeting-build": "ok: bureau | 403: *",
    "meetings-api:meeting-decisions": "403: admin provider expert enterprise outsider | 400: *",
    "meetings-api:meeting-detail": "403: admin provider expert enterprise outsider | ok: *",
    "meetings-api:meeting-list": "403: admin provider expert enterprise outsider | ok: *",
    "meetings-api:meeting-minutes": "400: bureau | 403: *",
    "meetings-api:meeting-pack": "403: admin provider expert enterprise outsider | 404: *",
    "meetings-api:meeting-pack-pdf": "403: admin provider expert enterprise outsider | 404: *",
    "meetings-api:meeting-report": "400: units | 403: *",
    "meetings:approve_minutes": "POST 403: units bureau township | ok: leader | 404: *",
    "meetings:attendance": "POST ok: bureau | 403: units leader township | 404: *",
    "meetings:build_pack": "POST ok: bureau | 403: units leader township | 404: *",
    "meetings:create": "ok: bureau | 403: *",
    "meetings:decision": "POST 404: admin provider expert enterprise outsider | ok: *",
    "meetings:detail": "403: admin provider expert enterprise outsider | ok: *",
    "meetings:export": "403: admin provider expert enterprise outsider | ok: *",
    "meetings:list": "403: admin provider expert enterprise outsider | ok: *",
    "meetings:minutes": "POST ok: bureau | 403: units leader township | 404: *",
    "meetings:pack_pdf": "403: admin provider expert enterprise outsider | 404: *",
    "meetings:pack_xlsx": "403: admin provider expert enterprise outsider | 404: *",
    "meetings:report": "POST 403: bureau leader township | ok: units | 404: *",
    # Enterprise activation: the code is entered by anyone holding it; issuing is per enterprise.
    "onboarding:activate": "ok: *",
    "onboarding:issue": "POST 404: *",
    "onboarding:pending": "403: leader provider expert enterprise outsider | ok: *",
    "password_change": "ok: *",
    # Procurement: contracts, tenders and money belong to the townships (bureau and admin act for
    # any); the leader reads; the firm reads its own contracts and plans. tender_a is a draft, so
    # the firm may not see it yet (404) and cannot bid on it.
    "procurement-api:award-compute": "400: gov | 403: *",
    "procurement-api:award-confirm": "400: gov | 403: *",
    "procurement-api:award-cost-effectiveness": "ok: gov township | 403: *",
    "procurement-api:award-detail": "404: gov township | 403: *",
    "procurement-api:award-list": "ok: gov township | 403: *",
    "procurement-api:awardformula-detail": "404: gov township | 403: *",
    "procurement-api:awardformula-list": "ok: gov township | 403: *",
    "procurement-api:bid-detail": "404: gov township provider | 403: *",
    "procurement-api:bid-list": "ok: gov township provider | 403: *",
    "procurement-api:compliancebreach-detail": "404: gov township provider | 403: *",
    "procurement-api:compliancebreach-list": "ok: gov township provider | 403: *",
    "procurement-api:inspectionplan-detail": "404: gov township provider | 403: *",
    "procurement-api:inspectionplan-list": "ok: gov township provider | 403: *",
    "procurement-api:inspectionplan-replan": "404: gov township provider | 403: *",
    "procurement-api:paymentmilestone-detail": "ok: gov township provider | 403: *",
    "procurement-api:paymentmilestone-list": "ok: gov township provider | 403: *",
    "procurement-api:paymentmilestone-pay": "ok: admin bureau township | 403: *",
    "procurement-api:planningjob-detail": "404: gov township provider | 403: *",
    "procurement-api:planningjob-list": "ok: gov township provider | 403: *",
    "procurement-api:servicecontract-amend": "400: admin bureau township | 403: *",
    "procurement-api:servicecontract-detail": "ok: gov township provider | 403: *",
    "procurement-api:servicecontract-list": "ok: gov township provider | 403: *",
    "procurement-api:servicecontract-milestones": "400: gov township provider | 403: *",
    "procurement-api:servicecontract-plan": "ok: admin bureau township provider | 403: *",
    "procurement-api:servicecontract-publish": "400: admin bureau township | 403: *",
    "procurement-api:tender-award": "404: gov township provider | 403: *",
    "procurement-api:tender-bid": "404: provider | 403: *",
    "procurement-api:tender-bids": "ok: gov township | 404: provider | 403: *",
    "procurement-api:tender-detail": "ok: gov township | 404: provider | 403: *",
    "procurement-api:tender-list": "ok: gov township provider | 403: *",
    "procurement-api:tender-score": "400: admin bureau township | 404: provider | 403: *",
    "procurement-api:tender-transition": "ok: admin bureau township | 404: provider | 403: *",
    "procurement:award_compute": "POST ok: admin bureau | 403: *",
    "procurement:award_confirm": "POST ok: gov | 403: *",
    "procurement:award_detail": "404: gov township | 403: *",
    "procurement:award_export": "ok: gov township | 403: *",
    "procurement:award_formula": "ok: admin bureau | 403: *",
    "procurement:award_list": "ok: gov township | 403: *",
    "procurement:award_pdf": "404: gov township | 403: *",
    "procurement:bid_submit": "POST 403: gov township | 404: *",
    "procurement:breach_export": "ok: gov township provider | 403: *",
    "procurement:breach_list": "ok: gov township provider | 403: *",
    "procurement:contract_amend": "ok: admin bureau township | 403: leader provider | 404: *",
    "procurement:contract_detail": "ok: gov township provider | 403: *",
    "procurement:contract_export": "ok: gov township provider | 403: *",
    "procurement:contract_list": "ok: gov township provider | 403: *",
    "procurement:contract_publish": "POST ok: admin bureau township | 403: leader provider | 404: *",
    "procurement:contract_solve": "POST ok: admin bureau township provider | 403: leader | 404: *",
    "procurement:cost_export": "ok: gov township | 403: *",
    "procurement:cost_summary": "ok: gov township | 403: *",
    "procurement:milestone_add": "POST ok: admin bureau township | 403: leader provider | 404: *",
    "procurement:milestone_export": "ok: gov township provider | 403: *",
    "procurement:milestone_list": "ok: gov township provider | 403: *",
    "procurement:milestone_pay": "POST ok: admin bureau township | 403: leader provider | 404: *",
    "procurement:plan_detail": "404: gov township provider | 403: *",
    "procurement:plan_export": "404: gov township provider | 403: *",
    "procurement:plan_list": "ok: gov township provider | 403: *",
    "procurement:plan_list_export": "ok: gov township provider | 403: *",
    "procurement:plan_replan": "POST 404: gov township provider | 403: *",
    "procurement:planning_job": "404: gov township provider | 403: *",
    "procurement:tender_action": "POST ok: admin bureau township | 403: leader | 404: *",
    "procurement:tender_award": "POST ok: admin bureau township | 403: leader | 404: *",
    "procurement:tender_create": "ok: admin bureau township | 403: *",
    "procurement:tender_detail": "ok: gov township | 404: provider | 403: *",
    "procurement:tender_export": "ok: gov township provider | 403: *",
    "procurement:tender_list": "ok: gov township provider | 403: *",
    "procurement:tender_score": "POST ok: admin bureau township | 403: leader | 404: *",
    "procurement:visit_done": "POST 404: *",
    # Registry: every role reads enterprises in its scope (the outsider cannot see 龙泉煤业);
    # providers and experts are hidden from enterprises; member units from firms and enterprises.
    "registry-api:enterprise-detail": "404: outsider | ok: *",
    "registry-api:enterprise-list": "ok: *",
    "registry-api:expert-detail": "403: units enterprise outsider | ok: *",
    "registry-api:expert-list": "403: units enterprise outsider | ok: *",
    "registry-api:industry-detail": "ok: *",
    "registry-api:industry-list": "ok: *",
    "registry-api:memberunit-detail": "403: provider expert enterprise outsider | ok: *",
    "registry-api:memberunit-list": "403: provider expert enterprise outsider | ok: *",
    "registry-api:provider-detail": "403: enterprise outsider | ok: *",
    "registry-api:provider-list": "403: enterprise outsider | ok: *",
    "registry-api:region-detail": "ok: *",
    "registry-api:region-list": "ok: *",
    "registry:enterprise_create": "ok: admin bureau township | 403: *",
    "registry:enterprise_detail": "404: outsider | ok: *",
    "registry:enterprise_edit": "ok: admin bureau township | 404: outsider | 403: *",
    "registry:enterprise_export": "403: expert enterprise outsider | ok: *",
    "registry:enterprise_import": "ok: admin bureau | 403: *",
    "registry:enterprise_list": "ok: *",
    "registry:enterprise_template": "ok: admin bureau | 403: *",
    "registry:expert_detail": "403: units enterprise outsider | ok: *",
    "registry:expert_export": "ok: gov township provider | 403: *",
    "registry:expert_import": "ok: admin bureau provider | 403: *",
    "registry:expert_list": "403: units enterprise outsider | ok: *",
    "registry:expert_template": "ok: admin bureau provider | 403: *",
    "registry:import_job_detail": "404: *",
    "registry:member_unit_list": "403: provider expert enterprise outsider | ok: *",
    "registry:provider_detail": "403: enterprise outsider | ok: *",
    "registry:provider_list": "403: enterprise outsider | ok: *",
    "two_factor_setup": "ok: *",
    "two_factor_verify": "ok: *",
}
