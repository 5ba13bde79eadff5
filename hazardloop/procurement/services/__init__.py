"""The only writers of procurement state, one module per concept:

- `contracts`  record, amend and publish service contracts;
- `money`      payment milestones and payments;
- `tenders`    tenders and bids: create, publish, bid, close, score, award, cancel;
- `plans`      year inspection plans (solve, re-plan, visits done) and background planning jobs;
- `awards`     以奖代补: the award formula, computing and confirming the year's awards;
- `compliance` contract-compliance breaches found from the records;
- `common`     the error names, the township check and the settings every service reads.

Every service is atomic, locks the rows it changes, writes an audit row beside the change and
raises ProcurementError (a `core.errors.ServiceError`: a Chinese message per field, nothing
written) for bad input or ProcurementPermissionDenied (a `core.errors.Refused`) when the actor
may not act for the purchasing township or provider. `actor=None` is the system (demo data,
migrations, background tasks acting for a user).

Settings (all optional):
- PROCUREMENT_TERM_YEARS = {"normal": 1, "stable": 3} — 财政部令第102号 Art. 24;
- PROCUREMENT_ENTRY_CONDITIONS = {"min_qualified_engineers": 5, "min_office_area_m2": 100,
  "violation_free_years": 3} — domain.md §3.2.

The names below are re-exported so `from hazardloop.procurement import services` keeps working;
`services.awards` and `services.compliance` are the modules themselves.
"""

from . import awards, compliance
from .common import (
    ProcurementError,
    ProcurementPermissionDenied,
    entry_conditions,
    term_years,
)
from .compliance import check_contract_compliance, contract_fulfilment, record_compliance
from .contracts import amend_contract, publish_contract, record_service_contract
from .money import add_payment_milestone, record_payment
from .plans import (
    PlanningInfeasible,
    mark_visit_done,
    plan_size,
    replan_for_unavailable_expert,
    run_planning_job,
    solve_contract_plan,
    solver_seconds_per_month,
    start_planning_job,
    working_days,
)
from .tenders import (
    DEFAULT_CRITERIA,
    award_tender,
    cancel_tender,
    check_entry_conditions,
    close_tender,
    create_tender,
    provider_facts,
    publish_tender,
    score_bids,
    submit_bid,
)

__all__ = [
    "DEFAULT_CRITERIA",
    "PlanningInfeasible",
    "ProcurementError",
    "ProcurementPermissionDenied",
    "add_payment_milestone",
    "amend_contract",
    "award_tender",
    "awards",
    "cancel_tender",
    "check_contract_compliance",
    "check_entry_conditions",
    "close_tender",
    "compliance",
    "contract_fulfilment",
    "create_tender",
    "entry_conditions",
    "mark_visit_done",
    "plan_size",
    "provider_facts",
    "publish_contract",
    "publish_tender",
    "record_compliance",
    "record_payment",
    "record_service_contract",
    "replan_for_unavailable_expert",
    "run_planning_job",
    "score_bids",
    "solve_contract_plan",
    "solver_seconds_per_month",
    "start_planning_job",
    "submit_bid",
    "term_years",
    "working_days",
]
