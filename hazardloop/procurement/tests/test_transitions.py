"""Procurement workflows, written out by hand.

1. State × move: from which states each declared transition may run (Tender, Bid,
   ServiceContract, PaymentMilestone, PlannedVisit, Award). The sets are copied from the
   procedure (publish a draft call, take bids while published, close, score and award the closed
   one, cancel anything not awarded; 财政部令第102号 Art. 23 publication of a contract…), not read
   from the models.
2. Role × move: every persona tries every service. Where the table says yes the row moved; where
   it says no the service refused with a Chinese message, the row is as it was and no audit row
   was written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm import can_proceed

from conftest import make_user
from hazardloop.accounts.choices import Role
from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import ServiceError

from .. import services
from ..models import (
    Award,
    AwardStatus,
    Bid,
    BidStatus,
    ContractStatus,
    InspectionPlan,
    MilestoneStatus,
    PaymentMilestone,
    PlannedVisit,
    ServiceContract,
    Tender,
    TenderStatus,
    VisitStatus,
)
from ..services import awards
from .conftest import qualified_provider

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = dt.date(2026, 1, 10)

# --- 1. state × move ---------------------------------------------------------------------------

T = TenderStatus
TENDER_MOVES = {
    "publish": {T.DRAFT},
    "take_bid": {T.PUBLISHED},
    "close": {T.PUBLISHED},
    "score": {T.CLOSED},
    "award": {T.CLOSED},
    "cancel": {T.DRAFT, T.PUBLISHED, T.CLOSED},
}
B = BidStatus
BID_MOVES = {
    "score": {B.SUBMITTED, B.SCORED},  # scores may be entered again until the award
    "win": {B.SCORED},
    "lose": {B.SCORED},
}
C = ContractStatus
CONTRACT_MOVES = {
    # Published once; a terminated contract is never published; completed and terminated ones
    # are closed to amendment.
    "publish": {C.DRAFT, C.ACTIVE, C.COMPLETED},
    "amend": {C.DRAFT, C.ACTIVE},
}
MILESTONE_MOVES = {"pay": {MilestoneStatus.PENDING}}
VISIT_MOVES = {"done": {VisitStatus.PLANNED}}
AWARD_MOVES = {"confirm": {AwardStatus.DRAFT}}


def _table(model, states, moves):
    return [(model, state, move, state in allowed) for move, allowed in moves.items() for state in states]


STATE_TABLE = [
    *_table(Tender, T, TENDER_MOVES),
    *_table(Bid, B, BID_MOVES),
    *_table(ServiceContract, C, CONTRACT_MOVES),
    *_table(PaymentMilestone, MilestoneStatus, MILESTONE_MOVES),
    *_table(PlannedVisit, VisitStatus, VISIT_MOVES),
    *_table(Award, AwardStatus, AWARD_MOVES),
]


@pytest.mark.parametrize(
    ("model", "state", "move", "allowed"),
    STATE_TABLE,
    ids=[f"{m.__name__}-{s.value}-{mv}" for m, s, mv, _a in STATE_TABLE],
)
def test_each_move_runs_only_from_the_states_the_procedure_allows(model, state, move, allowed):
    row = model(status=state)
    assert can_proceed(getattr(row, move)) is allowed


def test_a_published_contract_is_not_published_again():
    assert can_proceed(ServiceContract(status=C.ACTIVE).publish)
    assert not can_proceed(ServiceContract(status=C.ACTIVE, published_at=timezone.now()).publish)


# --- 2. role × move ----------------------------------------------------------------------------

PERSONAS = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "township",  # 龙泉镇 (township A): the purchasing township of everything built here
    "other_township",  # 马投涧镇 (township B)
    "provider",  # 安阳安泰, the contract's provider
    "other_provider",  # 河南中安
    "expert",
    "enterprise",
    "outsider",
]
BUYER = frozenset({"admin", "bureau", "township"})  # the township that buys; the bureau for it


@pytest.fixture
def people(personas, district):
    personas.other_township = make_user("other_township", Role.TOWNSHIP, region=district.town_b)
    personas.other_provider = make_user("other_provider", Role.PROVIDER, provider=district.other_provider)
    return personas


ART23 = {
    "content": "辖区企业安全生产隐患排查",
    "quality_requirements": "按合同标准排查并出具报告",
    "settlement_method": "分两期支付",
    "rights_and_duties": "双方权利义务见附件",
    "breach_liability": "按合同约定承担违约责任",
}


class World:
    """Rows of 龙泉镇 (township A) in the state each case starts from, built through the services
    as the system (actor None)."""

    def __init__(self, district):
        self.d = district

    def tender(self, *, until: str = T.DRAFT) -> Tender:
        d = self.d
        tender = services.create_tender(
            actor=None,
            number=f"LA2026-ZB-{Tender.objects.count() + 10}",
            title="龙泉镇2026年度隐患排查服务",
            township=d.town_a,
            enterprises=[d.coal, d.machine],
            budget=100000,
            requirements="覆盖全部企业",
            service_start=dt.date(2026, 2, 1),
            service_end=dt.date(2027, 1, 31),
            closing_date=dt.date(2026, 1, 20),
        )
        if until == T.DRAFT:
            return tender
        services.publish_tender(tender, actor=None, today=TODAY)
        if until == T.PUBLISHED:
            return tender
        self.bids = [
            services.submit_bid(
                tender,
                actor=None,
                provider=qualified_provider(name, engineers=5),
                price=price,
                technical_summary="方案",
                today=TODAY,
            )
            for name, price in (("安阳甲安全服务有限公司", 90000), ("安阳乙安全服务有限公司", 80000))
        ]
        services.close_tender(tender, actor=None)
        if until == T.CLOSED:
            return tender
        criteria = [c for c in tender.criteria.all() if c.kind == "technical"]
        services.score_bids(
            tender, actor=None, scores={b.pk: {c.pk: 80 for c in criteria} for b in self.bids}
        )
        return tender

    def contract(self, *, status=C.DRAFT) -> ServiceContract:
        d = self.d
        return services.record_service_contract(
            actor=None,
            number=f"LA-2026-{ServiceContract.objects.count() + 10:03d}",
            title="龙泉镇隐患排查服务（二）",
            township=d.town_a,
            provider=d.provider,
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31),
            price=50000,
            enterprises=[d.coal],
            status=status,
            **ART23,
        )

    def milestone(self) -> PaymentMilestone:
        return services.add_payment_milestone(
            self.d.contract, actor=None, name="首期款", due_date=dt.date(2026, 6, 30), share=Decimal(50)
        )

    def visit(self) -> PlannedVisit:
        # A stored plan row by hand: the solver is beside the point here.
        plan = InspectionPlan.objects.create(contract=self.d.contract, year=2026)
        return PlannedVisit.objects.create(
            plan=plan, enterprise=self.d.coal, index=0, month=3, day=dt.date(2026, 3, 5)
        )

    def awards(self):
        awards.publish_award_formula(
            self.d.longan,
            2026,
            actor=None,
            pool="100000",
            base_share="40",
            coverage_weight="30",
            closure_weight="50",
            punctuality_weight="20",
        )
        return awards.compute_awards(self.d.longan, 2026, actor=None, today=dt.date(2026, 12, 31))


@dataclass(frozen=True)
class Case:
    build: Callable  # World → the row the move acts on
    act: Callable  # (world, row, user) → calls the service
    allowed: frozenset[str]
    moved: Callable  # the row after a move the table allows, read again from the database
    state: Callable  # what must not change on refusal


def _tender_status(row):
    return Tender.objects.get(pk=row.pk).status


CASES = {
    "publish_tender": Case(
        build=lambda w: w.tender(),
        act=lambda w, t, u: services.publish_tender(t, actor=u, today=TODAY),
        allowed=BUYER,
        moved=lambda t: _tender_status(t) == T.PUBLISHED,
        state=_tender_status,
    ),
    "close_tender": Case(
        build=lambda w: w.tender(until=T.PUBLISHED),
        act=lambda w, t, u: services.close_tender(t, actor=u),
        allowed=BUYER,
        moved=lambda t: _tender_status(t) == T.CLOSED,
        state=_tender_status,
    ),
    "cancel_tender": Case(
        build=lambda w: w.tender(until=T.PUBLISHED),
        act=lambda w, t, u: services.cancel_tender(t, actor=u, reason="预算调整"),
        allowed=BUYER,
        moved=lambda t: _tender_status(t) == T.CANCELLED,
        state=_tender_status,
    ),
    "score_bids": Case(
        build=lambda w: w.tender(until=T.CLOSED),
        act=lambda w, t, u: services.score_bids(
            t,
            actor=u,
            scores={b.pk: {c.pk: 70 for c in t.criteria.filter(kind="technical")} for b in w.bids},
        ),
        allowed=BUYER,
        moved=lambda t: set(t.bids.values_list("status", flat=True)) == {B.SCORED},
        state=lambda t: sorted(t.bids.values_list("status", "total")),
    ),
    "award_tender": Case(
        build=lambda w: w.tender(until="scored"),
        act=lambda w, t, u: services.award_tender(t, w.bids[1], actor=u),
        allowed=BUYER,
        moved=lambda t: (
            _tender_status(t) == T.AWARDED
            and sorted(t.bids.values_list("status", flat=True)) == [B.LOST, B.WON]
        ),
        state=lambda t: (_tender_status(t), sorted(t.bids.values_list("status", flat=True))),
    ),
    # The bid is made in 安阳安泰's name by everyone: only its own user (or the administrator)
    # may; 河南中安's user may bid, but not in another firm's name.
    "submit_bid": Case(
        build=lambda w: w.tender(until=T.PUBLISHED),
        act=lambda w, t, u: services.submit_bid(
            t, actor=u, provider=w.d.provider, price=50000, technical_summary="方案", today=TODAY
        ),
        allowed=frozenset({"admin", "provider"}),
        moved=lambda t: t.bids.count() == 1,
        state=lambda t: t.bids.count(),
    ),
    "publish_contract": Case(
        build=lambda w: w.contract(),
        act=lambda w, c, u: services.publish_contract(c, actor=u),
        allowed=BUYER,
        moved=lambda c: ServiceContract.objects.get(pk=c.pk).status == C.ACTIVE,
        state=lambda c: ServiceContract.objects.filter(pk=c.pk).values_list("status", "published_at").get(),
    ),
    "amend_contract": Case(
        build=lambda w: w.contract(status=C.ACTIVE),
        act=lambda w, c, u: services.amend_contract(
            c, actor=u, reason="增加服务企业预算", changes={"price": "60000"}
        ),
        allowed=BUYER,
        moved=lambda c: (
            ServiceContract.objects.filter(pk=c.pk).values_list("status", "version", "price").get()
            == (C.ACTIVE, 2, Decimal("60000"))
        ),
        state=lambda c: ServiceContract.objects.filter(pk=c.pk).values_list("version", "price").get(),
    ),
    "record_payment": Case(
        build=lambda w: w.milestone(),
        act=lambda w, m, u: services.record_payment(m, actor=u),
        allowed=BUYER,
        moved=lambda m: PaymentMilestone.objects.get(pk=m.pk).status == MilestoneStatus.PAID,
        state=lambda m: PaymentMilestone.objects.filter(pk=m.pk).values_list("status", "paid_at").get(),
    ),
    # The contract's provider plans its experts' visits; the buying township and the bureau may too.
    "mark_visit_done": Case(
        build=lambda w: w.visit(),
        act=lambda w, v, u: services.mark_visit_done(v, actor=u),
        allowed=BUYER | {"provider"},
        moved=lambda v: PlannedVisit.objects.get(pk=v.pk).status == VisitStatus.DONE,
        state=lambda v: PlannedVisit.objects.get(pk=v.pk).status,
    ),
    # The district's bureau, or its leader (who approves the money), freezes the awards.
    "confirm_awards": Case(
        build=lambda w: w.awards(),
        act=lambda w, rows, u: awards.confirm_awards(w.d.longan, 2026, actor=u),
        allowed=frozenset({"admin", "bureau", "leader"}),
        moved=lambda rows: (
            set(Award.objects.filter(year=2026).values_list("status", flat=True)) == {AwardStatus.CONFIRMED}
        ),
        state=lambda rows: sorted(Award.objects.filter(year=2026).values_list("status", "confirmed_at")),
    ),
}

TABLE = [(name, persona) for name in CASES for persona in PERSONAS]


def test_the_table_names_every_persona_it_allows():
    for name, case in CASES.items():
        assert case.allowed <= set(PERSONAS), name


@pytest.mark.parametrize(("name", "persona"), TABLE, ids=[f"{n}-{p}" for n, p in TABLE])
def test_role_by_move(name, persona, people, district):
    case = CASES[name]
    world = World(district)
    row = case.build(world)
    user = getattr(people, persona)
    before_state = case.state(row)
    before_events = AuditEvent.objects.count()
    if persona in case.allowed:
        case.act(world, row, user)
        assert case.moved(row), f"{persona} may {name}, but the row did not move"
        assert AuditEvent.objects.count() > before_events
    else:
        with pytest.raises(ServiceError) as refused:
            case.act(world, row, user)
        assert refused.value.status_code == 403, refused.value.message
        assert CJK.search(refused.value.message)
        assert case.state(row) == before_state
        assert AuditEvent.objects.count() == before_events
