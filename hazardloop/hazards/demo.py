"""The hazards part of the demo: the rest of the loop for the year's hazards.

The inspections step (order 40) registers the year's findings at the visits' moments; this step
(order 60) then plays the loop forward as a small event simulation: every action is a real
service call by the person who does it, at a realistic past moment (time-machine), and schedules
the next. Actions that would fall after the demo's "today" are not taken, so recent hazards stay
early in the loop and old ones are closed, while the fates drawn below leave some overturned,
some overdue, some under enforcement, halted majors waiting on resumption, extensions granted
and refused, and second rounds after failed re-inspections.

Most enterprises have no demo login; each enterprise with hazards gets a contact account (no
usable password: it cannot sign in) so that its side of the loop is done by an enterprise user
as the services require.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.test import override_settings
from PIL import Image, ImageDraw

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.demo import DemoContext, demo_step, demo_steps
from hazardloop.registry.demo import DEMO_YEAR
from hazardloop.registry.models import Enterprise, MemberUnit

from . import rules, services
from .choices import AssessedBy, EnforcementReason, HazardForm, HazardStatus, Verdict
from .models import Hazard, HazardLevel

S = HazardStatus
# The demo's "today" (as the inspections step): nothing is done after its working day.
DEMO_TODAY = dt.date(DEMO_YEAR, 11, 24)
CUTOFF_HOUR = 18

OVERTURN_SHARE = 0.04
HALT_SHARE = 0.35  # of major hazards
EXTENSION_SHARE = 0.12
EXTENSION_GRANTED_SHARE = 0.7
STALL_SHARE = 0.08  # never rectified: overdue, and some taken into enforcement
ENFORCE_STALLED_SHARE = 0.45
CONCLUDE_ENFORCEMENT_SHARE = 0.6
LATE_SHARE = 0.12  # rectified, but after the deadline
REINSPECTION_FAIL_SHARE = 0.15
PLAN_REJECT_SHARE = 0.2
RESUMPTION_FAIL_SHARE = 0.2
SEED_HAZARDS = 40  # registered by this step only when no inspections step made any
SLOW_PLAN_SHARE = 0.3  # of major hazards: the plan comes a month or two after the notice
GRADE_GENERAL_SHARE = 0.12  # of suspected majors: the department finds them general, with a reason
LIST_SHARE = 0.45  # of confirmed majors: listed for supervision (挂牌督办) — "必要时", not all
CITY_LISTING_SHARE = 0.15  # of listings: at city level rather than district
ACCEPT_FAIL_SHARE = 0.1  # of acceptances: the department sends the work back once

MEASURES = (
    "已按要求整改到位，并组织相关人员培训。",
    "已更换损坏部件，重新检测合格。",
    "已完善管理制度并张贴上墙，落实岗位责任。",
    "已清理通道并设置警示标识，安排专人巡查。",
    "已补齐台账记录，建立定期检查机制。",
)
REASONS = (
    "所需设备需外地采购，到货周期较长。",
    "整改涉及停产检修，需与生产计划衔接。",
    "施工单位排期紧张，需延后进场。",
)


@dataclass
class Actors:
    units: dict[int, User]
    enterprises: dict[int, User]
    providers: dict[int, User]
    bureau: User | None


@dataclass(order=True)
class _Step:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class Simulation:
    """A queue of timed actions; each runs at its moment and may schedule the next."""

    def __init__(self, ctx: DemoContext, rng, actors: Actors):
        self.ctx = ctx
        self.rng = rng
        self.actors = actors
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.cutoff = dt.datetime.combine(DEMO_TODAY, dt.time(CUTOFF_HOUR), self.zone)
        self.queue: list[_Step] = []
        self.counter = itertools.count()
        self.photo_serial = itertools.count(1)
        self.refused = 0
        self.done = 0
        # When the enforcement app's demo step runs after this one, it takes overdue hazards
        # into enforcement with its own records; this step then leaves them overdue for it.
        self.general_level = (
            HazardLevel.objects.filter(active=True, legal_level="general").order_by("order", "id").first()
        )
        self.enforcement_step = any(step.name.startswith("hazardloop.enforcement.") for step in demo_steps())

    # --- time -----------------------------------------------------------------------------------

    def moment(self, day: dt.date) -> dt.datetime:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(
            day, dt.time(self.rng.choice((9, 10, 11, 14, 15, 16)), self.rng.choice((0, 20, 40))), self.zone
        )

    def after(self, when: dt.datetime, low: int, high: int) -> dt.datetime:
        return self.moment(when.astimezone(self.zone).date() + dt.timedelta(days=self.rng.randint(low, high)))

    def schedule(self, when: dt.datetime, run: Callable[[], None]) -> None:
        if when <= self.cutoff:
            heapq.heappush(self.queue, _Step(when, next(self.counter), run))

    def run(self) -> None:
        while self.queue:
            step = heapq.heappop(self.queue)
            owner = getattr(step.run, "__self__", None)
            if isinstance(owner, Script) and owner.stop_at and _fresh(owner.pk).status == owner.stop_at:
                continue  # this one is left waiting here at the demo's today
            with time_machine.travel(step.at, tick=False):
                try:
                    step.run()
                    self.done += 1
                except services.HazardError as exc:
                    # A rule the script did not foresee (a deadline window, a missing actor):
                    # the hazard simply stays where it is, as it would in life.
                    self.refused += 1
                    if self.refused <= 3:
                        self.ctx.log(f"    未执行：{exc.message}")

    # --- files ----------------------------------------------------------------------------------

    def photo(self, label: str = "after") -> SimpleUploadedFile:
        """A small photo-like JPEG: a coloured scene with a few shapes, different each time."""
        n = next(self.photo_serial)
        rng = self.rng
        image = Image.new(
            "RGB", (160, 120), (rng.randint(90, 200), rng.randint(90, 200), rng.randint(90, 200))
        )
        draw = ImageDraw.Draw(image)
        for _ in range(3):
            x, y = rng.randint(0, 120), rng.randint(0, 80)
            draw.rectangle(
                (x, y, x + rng.randint(20, 40), y + rng.randint(15, 35)),
                fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
            )
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=70)
        return SimpleUploadedFile(f"{label}-{n:05d}.jpg", out.getvalue(), "image/jpeg")

    def report_pdf(self) -> SimpleUploadedFile:
        n = next(self.photo_serial)
        out = io.BytesIO()
        Image.new("RGB", (210, 297), "white").save(out, format="PDF")
        return SimpleUploadedFile(f"评估报告-{n:05d}.pdf", out.getvalue(), "application/pdf")

    # --- who ------------------------------------------------------------------------------------

    def unit_user(self, hazard: Hazard) -> User | None:
        return self.actors.units.get(hazard.member_unit_id)

    def enterprise_user(self, hazard: Hazard) -> User | None:
        return self.actors.enterprises.get(hazard.enterprise_id)

    def reinspector(self, hazard: Hazard) -> User | None:
        if hazard.provider_id:
            return self.actors.providers.get(hazard.provider_id)
        return self.unit_user(hazard)


def _fresh(pk: int) -> Hazard:
    return Hazard.objects.select_related("enterprise").get(pk=pk)


class Group:
    """The hazards one visit sent to one member unit (general and major apart): routed if the
    rules left them unrouted, then one notice covers those not overturned."""

    def __init__(self, sim: Simulation, scripts: list[Script]):
        self.sim = sim
        self.scripts = scripts

    def start(self, found_at: dt.datetime) -> None:
        self.sim.schedule(self.sim.after(found_at, 1, 2), self.supervise)

    def supervise(self) -> None:
        sim, now = self.sim, _now()
        rows = Hazard.objects.select_related("level", "enterprise__township").in_bulk(
            [s.pk for s in self.scripts]
        )
        unrouted = [rows[s.pk] for s in self.scripts if rows[s.pk].status == S.FOUND]
        if unrouted:
            for hazard in unrouted:
                unit, _why = services.find_route(hazard)
                district = hazard.enterprise.township.code[:6]
                unit = unit or MemberUnit.objects.filter(district__code=district).order_by("pk").first()
                if sim.actors.bureau is None or unit is None:
                    return
                services.route_hazard(
                    hazard,
                    actor=sim.actors.bureau,
                    version=hazard.version,
                    member_unit=unit,
                    note="按职责交办",
                )
            sim.schedule(sim.after(now, 1, 3), self.supervise)
            return
        routed = [s for s in self.scripts if rows[s.pk].status == S.ROUTED]
        if not routed:
            return
        actor = sim.unit_user(rows[routed[0].pk])
        if actor is None:
            return
        for script in routed:
            if script.overturn:
                hazard = rows[script.pk]
                services.overturn_hazard(
                    hazard,
                    actor=actor,
                    version=hazard.version,
                    reason="经现场复核，该问题不构成事故隐患，属误判。",
                )
        rest = [s for s in routed if not s.overturn and s.stop_at != S.ROUTED]
        if not rest:
            return
        # 认定: the department decides each suspected major before any notice (a government act).
        for script in rest:
            hazard = rows[script.pk]
            if not hazard.is_suspected_major:
                continue
            if sim.rng.random() < GRADE_GENERAL_SHARE and not script.stop_at:
                services.grade_general(
                    hazard,
                    actor=actor,
                    version=hazard.version,
                    level=sim.general_level,
                    reason="经现场核实，该问题不属于重大事故隐患判定标准所列情形，按一般隐患督办。",
                )
                script.major = script.halt = script.slow_plan = False
            else:
                services.confirm_major(
                    hazard, actor=actor, version=hazard.version, note="经现场核实，认定为重大事故隐患。"
                )
            rows[script.pk] = _fresh(script.pk)
        for grade in (True, False):
            part = [s for s in rest if rows[s.pk].is_major == grade]
            if part:
                self.notice(part, rows, actor, now)

    def notice(self, rest: list[Script], rows: dict, actor, now: dt.datetime) -> None:
        sim = self.sim
        first = rows[rest[0].pk]
        if len(rest) == 1:
            requirements = first.suggested_measure or "立即组织整改，整改完成后报送整改情况。"
        else:
            requirements = "按检查报告所列问题逐项落实整改，整改完成后报送整改情况及整改前后照片。"
        services.issue_notice(
            first,
            actor=actor,
            version=first.version,
            others=[(rows[s.pk], rows[s.pk].version) for s in rest[1:]],
            requirements=requirements,
            legal_basis="；".join(
                sorted(
                    {
                        "".join(filter(None, [rows[s.pk].legal_basis_law, rows[s.pk].legal_basis_article]))
                        for s in rest
                    }
                )
            ),
            halt=first.is_major and rest[0].halt,
        )
        for script in rest:
            if script.major and sim.actors.bureau is not None and sim.rng.random() < LIST_SHARE:
                sim.schedule(sim.after(now, 1, 5), script.list_major)
            script.after_notice(now)


class Script:
    """One hazard's fate, drawn once, played out step by step."""

    def __init__(self, sim: Simulation, hazard: Hazard):
        self.sim = sim
        self.pk = hazard.pk
        rng = sim.rng
        self.major = hazard.is_major
        self.overturn = rng.random() < OVERTURN_SHARE
        self.halt = self.major and rng.random() < HALT_SHARE
        self.extension = rng.random() < EXTENSION_SHARE
        self.stall = rng.random() < STALL_SHARE
        self.late = rng.random() < LATE_SHARE
        self.fail_reinspection = rng.random() < REINSPECTION_FAIL_SHARE
        self.reject_plan = rng.random() < PLAN_REJECT_SHARE
        self.fail_resumption = rng.random() < RESUMPTION_FAIL_SHARE
        self.slow_plan = self.major and rng.random() < SLOW_PLAN_SHARE
        self.stop_at = ""

    def wait_in(self, state: str, *, halt: bool = False) -> None:
        """Make this hazard reach `state` without detours and stay there."""
        self.stop_at = state
        self.overturn = self.stall = self.late = self.extension = self.slow_plan = False
        self.fail_reinspection = self.fail_resumption = self.reject_plan = False
        self.halt = halt

    # Each step reads the hazard afresh (its version), acts, and schedules the next.

    def list_major(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        if sim.actors.bureau is None or not hazard.is_open or not hazard.is_major or hazard.is_listed:
            return
        today = _now().astimezone(sim.zone).date()
        services.list_major(
            hazard,
            actor=sim.actors.bureau,
            version=hazard.version,
            level="city" if sim.rng.random() < CITY_LISTING_SHARE else "district",
            supervising_unit=hazard.member_unit,
            deadline=max(hazard.deadline or today, today) + dt.timedelta(days=30),
            requirements="按批准的治理方案落实“五到位”，治理完成经复查后报督办单位验收销号。",
        )

    def after_notice(self, now: dt.datetime) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        if hazard.status == S.AWAITING_PLAN:
            low, high = (25, 60) if self.slow_plan else (3, 8)
            sim.schedule(sim.after(now, low, high), self.submit_plan)
        elif hazard.status == S.RECTIFYING:
            self.rectifying(now)

    def submit_plan(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.enterprise_user(hazard)
        if actor is None or hazard.status != S.AWAITING_PLAN:
            return
        services.submit_plan(
            hazard,
            actor=actor,
            version=hazard.version,
            goal_and_tasks=f"彻底消除“{hazard.title[:30]}”重大事故隐患。",
            methods_and_measures=hazard.suggested_measure or "停用相关设备，委托专业单位检修改造。",
            funds_and_materials="专项资金已列入本年度安全投入计划，所需材料已询价。",
            funds_amount=sim.rng.choice((20000, 50000, 80000, 150000)),
            responsible_body_and_people="企业安全生产领导小组，组长由主要负责人担任。",
            time_limit_and_requirements=f"于{hazard.deadline:%Y年%m月%d日}前完成治理并组织验收。",
            safety_and_emergency="治理期间设置警戒区域，专人监护，修订专项应急预案并组织演练。",
        )
        sim.schedule(sim.after(_now(), 2, 6), self.review_plan)

    def review_plan(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.unit_user(hazard)
        if actor is None or hazard.status != S.PLAN_REVIEW:
            return
        if self.reject_plan:
            self.reject_plan = False
            services.reject_plan(
                hazard,
                actor=actor,
                version=hazard.version,
                note="治理经费和责任人员未落实到位，请补充后重新提交。",
            )
            sim.schedule(sim.after(_now(), 2, 5), self.submit_plan)
            return
        services.approve_plan(hazard, actor=actor, version=hazard.version, note="同意按方案治理。")
        self.rectifying(_now())

    def rectifying(self, now: dt.datetime) -> None:
        """The rectification clock runs: maybe an extension request, then the work (or not)."""
        sim, hazard = self.sim, _fresh(self.pk)
        if self.extension:
            self.extension = False
            sim.schedule(sim.after(now, 1, 3), self.request_extension)
            return
        deadline = sim.moment(hazard.deadline)
        if self.stall:
            if not sim.enforcement_step and sim.rng.random() < ENFORCE_STALLED_SHARE:
                sim.schedule(sim.after(deadline, 3, 10), self.start_enforcement)
            return  # left overdue
        span = max(1, (hazard.deadline - now.astimezone(sim.zone).date()).days)
        if self.late:
            when = sim.after(deadline, 2, 12)
        else:
            when = sim.after(now, max(1, span // 3), max(1, span - 1))
        sim.schedule(when, self.rectify)

    def request_extension(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.enterprise_user(hazard)
        if actor is None or hazard.status not in (S.RECTIFYING, S.AWAITING_PLAN, S.PLAN_REVIEW):
            return
        latest = rules.latest_extension_request_day(
            hazard.deadline,
            services.time_limits().extension_notice(hazard.legal_level),
            services.workday_overrides(),
        )
        if _now().astimezone(sim.zone).date() > latest:
            self.rectifying(_now())
            return
        services.request_extension(
            hazard,
            actor=actor,
            version=hazard.version,
            requested_deadline=hazard.deadline + dt.timedelta(days=sim.rng.choice((10, 15, 20, 30))),
            reason=sim.rng.choice(REASONS),
        )
        sim.schedule(sim.after(_now(), 1, 6), self.decide_extension)

    def decide_extension(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.unit_user(hazard)
        if actor is None:
            return
        if sim.rng.random() < EXTENSION_GRANTED_SHARE:
            services.decide_extension(
                hazard, actor=actor, version=hazard.version, approve=True, note="理由充分，同意延期。"
            )
        else:
            services.decide_extension(
                hazard,
                actor=actor,
                version=hazard.version,
                approve=False,
                note="现有条件可按期完成，不同意延期。",
            )
        self.rectifying(_now())

    def rectify(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.enterprise_user(hazard)
        if actor is None or hazard.status != S.RECTIFYING:
            return
        today = _now().astimezone(sim.zone).date()
        services.submit_rectification(
            hazard,
            actor=actor,
            version=hazard.version,
            measures=sim.rng.choice(MEASURES),
            responsible_person=hazard.enterprise.safety_contact or actor.display_name,
            completed_on=today - dt.timedelta(days=sim.rng.choice((0, 0, 1))),
            cost=sim.rng.choice((0, 200, 500, 1200, 3000, 8000)) * (20 if hazard.is_major else 1),
            evidence=[sim.photo() for _ in range(sim.rng.choice((1, 1, 2, 3)))],
        )
        sim.schedule(sim.after(_now(), 1, 6), self.reinspect)

    def reinspect(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.reinspector(hazard)
        if actor is None or hazard.status != S.AWAITING_REINSPECTION:
            return
        if self.fail_reinspection:
            self.fail_reinspection = False
            services.record_reinspection(
                hazard,
                actor=actor,
                version=hazard.version,
                verdict=Verdict.FAILED,
                findings="整改不彻底，现场仍存在同类问题。",
                deadline=_now().astimezone(sim.zone).date() + dt.timedelta(days=15),
                evidence=[sim.photo("recheck")],
            )
            self.late = False
            self.rectifying(_now())
            return
        services.record_reinspection(
            hazard,
            actor=actor,
            version=hazard.version,
            verdict=Verdict.PASSED,
            findings="整改到位，同意销号。",
            evidence=[sim.photo("recheck")],
        )
        status = _fresh(self.pk).status
        if status == S.AWAITING_RESUMPTION:
            sim.schedule(sim.after(_now(), 2, 8), self.apply_resumption)
        elif status == S.AWAITING_ACCEPTANCE:
            sim.schedule(sim.after(_now(), 2, 9), self.accept)

    def accept(self) -> None:
        """验收: the listing's supervising unit (else the unit holding the hazard) decides."""
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.unit_user(hazard)
        if actor is None or hazard.status != S.AWAITING_ACCEPTANCE:
            return
        listing = hazard.listings.filter(delisted_at__isnull=True).first()
        if listing is not None and listing.supervising_unit_id != hazard.member_unit_id:
            actor = sim.actors.bureau or actor
        if sim.rng.random() < ACCEPT_FAIL_SHARE:
            services.accept_rectification(
                hazard,
                actor=actor,
                version=hazard.version,
                verdict=Verdict.FAILED,
                opinion="验收发现治理措施未全部落实，不同意销号，请继续整改。",
                deadline=_now().astimezone(sim.zone).date() + dt.timedelta(days=20),
            )
            self.rectifying(_now())
            return
        services.accept_rectification(
            hazard,
            actor=actor,
            version=hazard.version,
            verdict=Verdict.PASSED,
            opinion="经现场验收，重大事故隐患已按治理方案整改到位，同意销号"
            + ("并摘牌。" if listing else "。"),
        )

    def apply_resumption(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.enterprise_user(hazard)
        if actor is None:
            return
        services.apply_resumption(
            hazard,
            actor=actor,
            version=hazard.version,
            assessed_by=sim.rng.choice(AssessedBy.values),
            assessment_summary="隐患治理工程已完工，经评估各项指标符合安全生产条件，申请恢复生产。",
            evidence=[self.sim.report_pdf()],
        )
        sim.schedule(sim.after(_now(), 2, 8), self.review_resumption)

    def review_resumption(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.unit_user(hazard)
        if actor is None:
            return
        if self.fail_resumption:
            self.fail_resumption = False
            services.review_resumption(
                hazard,
                actor=actor,
                version=hazard.version,
                verdict=Verdict.FAILED,
                findings="现场审查发现安全防护设施未全部恢复，暂不同意复产。",
                deadline=_now().astimezone(sim.zone).date() + dt.timedelta(days=20),
            )
            self.rectifying(_now())
            return
        services.review_resumption(
            hazard,
            actor=actor,
            version=hazard.version,
            verdict=Verdict.PASSED,
            findings="现场审查合格，同意恢复生产。",
            evidence=[sim.photo("review")],
        )

    def start_enforcement(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.unit_user(hazard)
        if actor is None or hazard.status not in (S.RECTIFYING, S.AWAITING_PLAN):
            return
        services.start_enforcement(
            hazard,
            actor=actor,
            version=hazard.version,
            reason=EnforcementReason.OVERDUE,
            note="逾期未整改，已立案调查。",
        )
        if sim.rng.random() < CONCLUDE_ENFORCEMENT_SHARE:
            sim.schedule(sim.after(_now(), 7, 20), self.conclude_enforcement)

    def conclude_enforcement(self) -> None:
        sim, hazard = self.sim, _fresh(self.pk)
        actor = sim.unit_user(hazard)
        if actor is None:
            return
        services.conclude_enforcement(
            hazard,
            actor=actor,
            version=hazard.version,
            note="已依法作出行政处罚，责令限期整改。",
            deadline=_now().astimezone(sim.zone).date() + dt.timedelta(days=15),
        )
        self.stall = False
        self.rectifying(_now())


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _actors(district_code: str, enterprise_ids: set[int]) -> Actors:
    users = User.objects.filter(is_active=True).order_by("pk")
    units = {}
    for user in users.filter(role=Role.MEMBER_UNIT):
        units.setdefault(user.member_unit_id, user)
    providers = {}
    for user in users.filter(role=Role.PROVIDER):
        providers.setdefault(user.provider_id, user)
    enterprises = {}
    for user in users.filter(role=Role.ENTERPRISE):
        enterprises.setdefault(user.enterprise_id, user)
    missing = Enterprise.objects.filter(pk__in=enterprise_ids - set(enterprises)).order_by("pk")
    contacts = []
    for enterprise in missing:
        contact = User(
            username=f"qy{enterprise.credit_code}".lower(),
            role=Role.ENTERPRISE,
            enterprise=enterprise,
            display_name=enterprise.safety_contact or enterprise.name[:20],
        )
        contact.set_unusable_password()
        contacts.append(contact)
    for contact in User.objects.bulk_create(contacts):
        enterprises[contact.enterprise_id] = contact
    bureau = users.filter(role=Role.BUREAU, region__code=district_code).first()
    return Actors(units=units, enterprises=enterprises, providers=providers, bureau=bureau)


def _seed_hazards(ctx: DemoContext, rng, zone) -> None:
    """Without the inspections step (building this step alone), the bureau records a modest set
    of department-inspection hazards across the year, so the loop has something to work on."""
    bureau = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
    if bureau is None:
        return
    levels = {lv.code: lv for lv in HazardLevel.objects.filter(code__in=["general", "major"])}
    enterprises = list(
        Enterprise.objects.visible_to(bureau)
        .filter(status="active")
        .select_related("industry")
        .order_by("credit_code")[:60]
    )
    from hazardloop.registry.choices import HazardCategory

    if not enterprises:
        return
    count = max(SEED_HAZARDS, len(enterprises))
    for n in range(count):
        enterprise = enterprises[n % len(enterprises)]
        day = dt.date(DEMO_YEAR, 1, 5) + dt.timedelta(days=int(n * 320 / count))
        found = dt.datetime.combine(day, dt.time(10), zone)
        with time_machine.travel(found + dt.timedelta(hours=2), tick=False):
            services.register_hazard(
                actor=bureau,
                enterprise=enterprise,
                level=levels["major" if n % 6 == 0 else "general"],
                category=rng.choice([HazardCategory.PRODUCTION, HazardCategory.FIRE]),
                form=rng.choice(HazardForm.values),
                title=rng.choice(("安全出口堵塞", "配电箱未接地", "特种作业人员无证上岗", "危险化学品混存")),
                description="部门检查发现。",
                found_at=found,
            )
    ctx.log(f"  （无排查步骤）区安监局登记隐患 {count} 条")


def _tip_offs(rng, zone) -> None:
    """A few recent tip-offs the district holds for the monthly meeting (found, not yet routed)."""
    bureau = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
    level = HazardLevel.objects.filter(code="general").first()
    if bureau is None or level is None:
        return
    enterprises = list(
        Enterprise.objects.visible_to(bureau).filter(status="active").order_by("-credit_code")[:3]
    )
    from hazardloop.registry.choices import HazardCategory

    with override_settings(HAZARD_FEEDBACK_GATE_GENERAL=True):
        for n, enterprise in enumerate(enterprises):
            found = dt.datetime.combine(DEMO_TODAY - dt.timedelta(days=3 + n), dt.time(15), zone)
            with time_machine.travel(found + dt.timedelta(hours=1), tick=False):
                services.register_hazard(
                    actor=bureau,
                    enterprise=enterprise,
                    level=level,
                    source="tip_off",
                    category=HazardCategory.FIRE,
                    form=HazardForm.UNSAFE_BEHAVIOUR,
                    title=(
                        "群众举报：夜间违规动火作业",
                        "群众举报：消防通道被货物占用",
                        "群众举报：员工宿舍私拉电线",
                    )[n % 3],
                    description="12345热线转来群众举报，待联席会议研究后交办。",
                    found_at=found,
                )


# States the drawn fates may leave empty, each then held by the most recent hazard (major, or
# any) found long enough before the demo's today to get there: (state, halt, days, major only).
WAITING = (
    (S.ROUTED, False, 0, False),
    (S.AWAITING_PLAN, False, 10, True),
    (S.PLAN_REVIEW, False, 40, True),
    (S.AWAITING_ACCEPTANCE, False, 75, True),
    (S.AWAITING_RESUMPTION, True, 90, True),
    (S.RESUMPTION_REVIEW, True, 100, True),
)


def _waiting(sim: Simulation, scripts: list[Script], hazards: list[Hazard]) -> None:
    found = {h.pk: h.found_at.date() for h in hazards}
    latest_first = sorted(scripts, key=lambda s: (found[s.pk], s.pk), reverse=True)
    taken: set[int] = set()
    for state, halt, days, major_only in WAITING:
        for script in latest_first:
            if script.pk in taken or (major_only and not script.major):
                continue
            if found[script.pk] <= DEMO_TODAY - dt.timedelta(days=days):
                script.wait_in(state, halt=halt)
                taken.add(script.pk)
                break


@demo_step(60)
def build_hazard_loop(ctx: DemoContext) -> None:
    """Drive every open hazard from where registration left it through the loop."""
    rng = ctx.rng("hazards")
    zone = ZoneInfo(settings.TIME_ZONE)
    if not Hazard.objects.exists():
        _seed_hazards(ctx, rng, zone)
    hazards = list(
        Hazard.objects.filter(status__in=[S.FOUND, S.ROUTED])
        .select_related("level", "enterprise__township")
        .order_by("found_at", "pk")
    )
    if not hazards:
        return
    district = hazards[0].enterprise.township.code[:6]
    sim = Simulation(ctx, rng, _actors(district, {h.enterprise_id for h in hazards}))
    groups: dict[tuple, list[Script]] = {}
    found_at: dict[tuple, dt.datetime] = {}
    for hazard in hazards:
        if hazard.status == S.FOUND or hazard.inspection_id is None:
            key: tuple = ("alone", hazard.pk)
        else:
            key = (hazard.inspection_id, hazard.member_unit_id, hazard.legal_level)
        groups.setdefault(key, []).append(Script(sim, hazard))
        found_at.setdefault(key, hazard.found_at)
    _waiting(sim, [script for scripts in groups.values() for script in scripts], hazards)
    for key, scripts in groups.items():
        Group(sim, scripts).start(found_at[key])
    sim.run()
    _tip_offs(rng, zone)
    counts = dict(Hazard.objects.order_by().values_list("status").annotate(n=Count("pk")))
    summary = "，".join(f"{S(state).label}{counts.get(state, 0)}" for state in S.values)
    ctx.log(f"  隐患闭环：执行 {sim.done} 步（{sim.refused} 步被规则拒绝）；{summary}")
