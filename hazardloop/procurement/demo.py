"""The procurement part of the demo: how each township bought its 2026 inspection service.

Ten of the eleven townships and street offices of 龙安区 tendered in November 2025: the firm
registry.demo.PROVIDERS names for the township won against one rival, and on the first tender
安阳恒誉 also bid and was refused at the entry conditions (too few qualified engineers, too
small an office, a major violation in 2024). 文昌大道街道 kept its 2025 arrangement with 恒誉
(single-source, recorded directly), so later checks have a contract whose provider falls short.
Every contract carries the case study's standard, is published, and pays in three milestones
(30 % on signing, 40 % at mid-year, 30 % after the year's evaluation); the first two are paid.
A tender for 2027 is open for bids.

Prices follow the work: a base for travel and reporting, a share per enterprise and more per
high-risk enterprise (which needs three to five experts a visit). The case study's district paid
¥320,000 in 2012; the eleven contracts here come to about ¥360,000.

Plans: to keep load_demo fast, the first DEMO_SOLVED contracts' 2026 years are solved with CP-SAT
at DEMO_SECONDS_PER_MONTH a month and the others store the greedy baseline (checked by the same
independent checker; the plan's note says so, and the plan page can solve it again). A contract
whose firm lacks a specialist the enterprises need gets no plan: load_demo prints the diagnosis.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.registry.choices import EnterpriseStatus
from hazardloop.registry.demo import DEMO_YEAR, LONGAN_TOWNSHIPS, PROVIDERS
from hazardloop.registry.models import Enterprise, Provider, Region

from . import services
from .models import PlanMethod

BASE_PRICE = 5_000
PER_ENTERPRISE = 550
PER_HIGH_RISK = 300
DIRECT_TOWNSHIP = "410506003"  # 文昌大道街道: single-source from 恒誉, no tender
REFUSED_PROVIDER = "安阳恒誉安全科技有限公司"
DEMO_SECONDS_PER_MONTH = 0.15
DEMO_SOLVED = 3  # contracts solved with CP-SAT in load_demo; the rest store the greedy baseline
TZ = ZoneInfo("Asia/Shanghai")

ARTICLE_23 = {
    "content": "对合同所列企业开展安全生产隐患排查和复查（排查、复查两环节），出具排查报告，"
    "建立一企一档；不承担督办、执法等行政职能。",
    "quantity": "合同所列企业全部覆盖；高危企业每季度1次、大中型企业每半年1次、其他企业每年1次。",
    "quality_requirements": "每次排查专家人数：一般企业不少于2名，大中型企业不少于3名，高危企业3至5名，"
    "且至少1名专家具备该企业行业专业；与企业有利害关系的专家回避；报告7日内提交，"
    "复查在整改完成后5个工作日内完成。",
    "settlement_method": "分三期支付：合同签订后支付30%，年中考核合格后支付40%，年度考核后按得分结算30%。",
    "rights_and_duties": "甲方（购买主体）负责监督服务履行、组织考核并按合同付款；乙方（承接主体）按标准"
    "排查复查，建立项目台账，不得转包，不得以行政机关名义开展工作；隐患整改责任仍由企业承担。",
    "breach_liability": "排查次数或专家人数未达标准的，每次扣减服务费500元；报告或复查超时的，"
    "每次扣减200元；漏判重大隐患的，甲方可解除合同并追究责任。",
}


# The case study's purchase: "政府 2012 年实际支付的服务费用为 32 万元" for the district's 439
# enterprises (seed), beside the 30 posts × ¥30,000 it replaced. The demo reproduces it: the
# year's contracts add up to exactly this, split among the townships by the weights below.
CASE_PURCHASE = Decimal(320_000)


def contract_price(enterprises: int, high_risk: int) -> Decimal:
    """A township's weight: a base per contract, a share per enterprise, more for high-risk ones."""
    raw = BASE_PRICE + PER_ENTERPRISE * enterprises + PER_HIGH_RISK * high_risk
    return Decimal(round(raw, -3))


def split_purchase(weights: dict[str, Decimal], total: Decimal = CASE_PURCHASE) -> dict[str, Decimal]:
    """`total` shared by weight in whole ¥1,000s, adding up to it exactly: each key gets the floor
    of its share, and the ¥1,000s left go to the largest remainders (ties in key order)."""
    units = int(total // 1000)
    whole = sum(weights.values())
    exact = {k: Decimal(units) * w / whole for k, w in weights.items()}
    floors = {k: int(v) for k, v in exact.items()}
    left = units - sum(floors.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))[:left]:
        floors[k] += 1
    return {k: Decimal(n * 1000) for k, n in floors.items()}


def _standard(provider: Provider) -> dict:
    return {
        **ARTICLE_23,
        "equipment": provider.equipment or "便携式多参数气体检测仪、工作用车",
        "professional_staff": 5,
    }


def _at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False)


@demo_step(20)
def build_contracts(ctx: DemoContext) -> None:
    """Tenders, bids and awards; one published contract a township with milestones; 2026 plans."""
    provider_by_township = {}
    for spec in PROVIDERS:
        provider = Provider.objects.get(name=spec.name)
        for code in spec.serves:
            provider_by_township[code] = provider
    qualified = [p for p in dict.fromkeys(provider_by_township.values()) if p.name != REFUSED_PROVIDER]
    refused_provider = Provider.objects.get(name=REFUSED_PROVIDER)
    total = Decimal(0)
    contracts = []
    refused = 0
    covered_by = {}
    for spec in LONGAN_TOWNSHIPS:
        township = Region.objects.get(code=spec.code)
        covered = list(Enterprise.objects.filter(township=township, status=EnterpriseStatus.ACTIVE))
        if covered:  # a small demo may leave a township without working enterprises: nothing to buy
            covered_by[spec.code] = (township, covered)
    prices = split_purchase(
        {code: contract_price(len(c), sum(e.high_risk for e in c)) for code, (_t, c) in covered_by.items()}
    )
    for n, spec in enumerate(LONGAN_TOWNSHIPS, start=1):
        if spec.code not in covered_by:
            continue
        township, covered = covered_by[spec.code]
        provider = provider_by_township[spec.code]
        price = prices[spec.code]
        title = f"{spec.name}{DEMO_YEAR}年度安全生产隐患排查服务"
        number = f"LA{DEMO_YEAR}-FW-{n:02d}"
        if spec.code == DIRECT_TOWNSHIP:
            with _at(dt.date(DEMO_YEAR - 1, 12, 20)):
                contract = services.record_service_contract(
                    actor=None,
                    number=number,
                    title=title,
                    township=township,
                    provider=provider,
                    start_date=dt.date(DEMO_YEAR, 1, 1),
                    end_date=dt.date(DEMO_YEAR, 12, 31),
                    price=price,
                    enterprises=covered,
                    status="draft",
                    **_standard(provider),
                )
        else:
            rival = next(p for p in qualified[n % len(qualified) :] + qualified if p != provider)
            bidders = [(provider, price), (rival, (price * Decimal("0.92")).quantize(Decimal(1)))]
            if n == 1:
                bidders.append((refused_provider, (price * Decimal("0.85")).quantize(Decimal(1))))
            contract, refused_here = _tender(n, spec.name, township, covered, price, bidders, number, title)
            refused += refused_here
        with _at(dt.date(DEMO_YEAR - 1, 12, 28)):
            services.publish_contract(contract, actor=None)
        _milestones(contract)
        contracts.append(contract)
        total += contract.price
    _open_tender(LONGAN_TOWNSHIPS[1])
    ctx.log(
        f"  招标 {len(contracts)} 项（资格不符被拒 {refused} 份投标），服务合同 {len(contracts)} 份，合计 ¥{total:,.0f}"
    )
    _plans(ctx, contracts)


def _tender(n, name, township, covered, price, bidders, number, title):
    from .models import Bid

    published, closing = dt.date(DEMO_YEAR - 1, 11, 10), dt.date(DEMO_YEAR - 1, 12, 1)
    with _at(dt.date(DEMO_YEAR - 1, 11, 5)):
        tender = services.create_tender(
            actor=None,
            number=f"LA{DEMO_YEAR - 1}-ZB-{n:02d}",
            title=title,
            township=township,
            enterprises=covered,
            budget=(price * Decimal("1.1")).quantize(Decimal(1000)),
            requirements=f"为{name}辖区 {len(covered)} 家企业提供{DEMO_YEAR}年度安全生产隐患排查、复查服务；"
            "投标人须满足安全生产社会化服务机构准入条件。",
            service_start=dt.date(DEMO_YEAR, 1, 1),
            service_end=dt.date(DEMO_YEAR, 12, 31),
            closing_date=closing,
            standards=_standard(bidders[0][0]),
        )
    with _at(published):
        services.publish_tender(tender, actor=None, today=published)
    bids = []
    for k, (provider, amount) in enumerate(bidders):
        day = published + dt.timedelta(days=5 + 3 * k)
        with _at(day, 15):
            bids.append(
                services.submit_bid(
                    tender,
                    actor=None,
                    provider=provider,
                    price=amount,
                    technical_summary=f"{provider.name}：按季度编排排查计划，专家按企业类别组队，报告7日内提交。",
                    today=day,
                )
            )
    with _at(closing, 17):
        services.close_tender(tender, actor=None)
    technical = [c for c in tender.criteria.all() if c.kind == "technical"]
    marks = {0: (92, 90), 1: (80, 78)}
    with _at(closing + dt.timedelta(days=3)):
        services.score_bids(
            tender,
            actor=None,
            scores={
                b.pk: {c.pk: marks[k][i] for i, c in enumerate(technical)}
                for k, b in enumerate(bids)
                if b.status != "refused"
            },
        )
    with _at(closing + dt.timedelta(days=7)):
        contract = services.award_tender(
            tender, Bid.objects.get(pk=bids[0].pk), actor=None, contract_number=number
        )
    return contract, sum(1 for b in bids if b.status == "refused")


def _milestones(contract) -> None:
    year = contract.start_date.year
    plan = [
        ("合同签订后预付", dt.date(year, 1, 31), Decimal(30), True),
        ("年中考核合格后支付", dt.date(year, 7, 31), Decimal(40), True),
        ("年度考核后结算", dt.date(year + 1, 1, 31), Decimal(30), False),
    ]
    for name, due, share, paid in plan:
        milestone = services.add_payment_milestone(contract, actor=None, name=name, due_date=due, share=share)
        if paid:
            with _at(due - dt.timedelta(days=3)):
                services.record_payment(milestone, actor=None, note="国库集中支付")


def _open_tender(spec) -> None:
    township = Region.objects.get(code=spec.code)
    covered = list(Enterprise.objects.filter(township=township, status=EnterpriseStatus.ACTIVE))
    if not covered:
        return
    tender = services.create_tender(
        actor=None,
        number=f"LA{DEMO_YEAR}-ZB-{len(LONGAN_TOWNSHIPS) + 1:02d}",
        title=f"{spec.name}{DEMO_YEAR + 1}年度安全生产隐患排查服务",
        township=township,
        enterprises=covered,
        budget=contract_price(len(covered), sum(e.high_risk for e in covered)) * Decimal("1.1"),
        requirements="续签年度服务；高危企业每季度排查一次。",
        service_start=dt.date(DEMO_YEAR + 1, 1, 1),
        service_end=dt.date(DEMO_YEAR + 1, 12, 31),
        closing_date=dt.date(DEMO_YEAR + 1, 1, 31),
    )
    services.publish_tender(tender, actor=None, today=dt.date(DEMO_YEAR, 11, 20))


def _plans(ctx: DemoContext, contracts) -> None:
    solved, greedy, failed = [], [], []
    for n, contract in enumerate(contracts):
        method = PlanMethod.SOLVER if n < DEMO_SOLVED else PlanMethod.GREEDY
        try:
            plan = services.solve_contract_plan(
                contract, DEMO_YEAR, actor=None, method=method, seconds_per_month=DEMO_SECONDS_PER_MONTH
            )
        except services.PlanningInfeasible as exc:
            failed.append(f"{contract.number}：{exc.text}")
            continue
        if method == PlanMethod.GREEDY:
            plan.note = (
                "演示数据：为控制建库时间暂存贪心基线方案（同样经独立检查，0 处违反）；可在计划页重新求解。"
            )
            plan.save(update_fields=["note"])
            greedy.append(plan)
        else:
            solved.append(plan)
    ctx.log(
        f"  {DEMO_YEAR}年排查计划：CP-SAT 求解 {len(solved)} 份，贪心基线 {len(greedy)} 份，无可行方案 {len(failed)} 份"
    )
    for line in failed:
        ctx.log(f"    {line}")


@demo_step(95)
def build_compliance(ctx: DemoContext) -> None:
    """After the year of inspections and re-inspections: each contract's compliance to date,
    as the nightly `check_compliance` would have left it, so contract pages show fulfilment."""
    from .models import ServiceContract
    from .services.compliance import record_compliance

    found = 0
    for contract in ServiceContract.objects.in_force().order_by("number"):
        found += record_compliance(contract)["found"]
    ctx.log(f"  合同履约检查：发现未达标事项 {found} 项")


DEMO_AWARD_POOL = Decimal("180000")


@demo_step(96)
def build_awards(ctx: DemoContext) -> None:
    """The district's 以奖代补 formula for the demo year, published by the bureau's office, and the
    draft awards of all eleven townships computed from the year's records (left for the bureau
    to confirm)."""
    from .services import awards

    district = Region.objects.get(code=LONGAN_TOWNSHIPS[0].code[:6])
    awards.publish_award_formula(
        district,
        DEMO_YEAR,
        actor=None,
        pool=DEMO_AWARD_POOL,
        base_share=40,
        coverage_weight=30,
        closure_weight=50,
        punctuality_weight=20,
        note="奖补资金由区财政在年度安全生产专项经费中列支，经区安委会审核确认后拨付各乡镇（街道），"
        "专项用于购买安全生产隐患排查服务。",
    )
    rows = awards.compute_awards(district, DEMO_YEAR, actor=None)
    total = sum((a.amount for a in rows), Decimal(0))
    ctx.log(f"  {DEMO_YEAR}年以奖代补：{len(rows)} 个乡镇（街道）测算稿，合计 ¥{total:,.2f}")
