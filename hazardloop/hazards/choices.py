"""Choice sets of the closed loop, the one mapping from state to stage, and who may do what.

Values are stable English (stored and audited); labels are Chinese through gettext."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role


class LegalLevel(models.TextChoices):
    """The only two levels the law knows (Order 16 Art. 3); configurable levels map onto these."""

    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class HazardSource(models.TextChoices):
    PROVIDER_INSPECTION = "provider", _("服务机构排查")
    SELF_INSPECTION = "self", _("企业自查")
    DEPARTMENT_INSPECTION = "department", _("部门检查")
    TIP_OFF = "tip_off", _("举报")


class HazardForm(models.TextChoices):
    """The three forms of Order 16 Art. 3."""

    UNSAFE_STATE = "state", _("物的不安全状态")
    UNSAFE_BEHAVIOUR = "behaviour", _("人的不安全行为")
    MANAGEMENT_DEFECT = "management", _("管理缺陷")


class DeadlineBasis(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日")


class DeadlineSource(models.TextChoices):
    """How the department that issued a notice arrived at its deadline: the law leaves the time
    limit to the department (Law Art. 65(三)); an inspector's date is a suggestion it may adopt."""

    SET = "set", _("督办单位确定")
    ADOPTED = "adopted", _("督办单位采纳排查建议期限")
    DEFAULT = "default", _("按本区默认整改时限")


class HazardStatus(models.TextChoices):
    FOUND = "found", _("已排查")
    ROUTED = "routed", _("已交办")
    AWAITING_PLAN = "awaiting_plan", _("待治理方案")
    PLAN_REVIEW = "plan_review", _("方案审核中")
    RECTIFYING = "rectifying", _("整改中")
    AWAITING_REINSPECTION = "awaiting_reinspection", _("待复查")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待验收销号")
    AWAITING_RESUMPTION = "awaiting_resumption", _("待复产申请")
    RESUMPTION_REVIEW = "resumption_review", _("复产审查中")
    UNDER_ENFORCEMENT = "under_enforcement", _("执法处理中")
    CLOSED = "closed", _("已销号")
    OVERTURNED = "overturned", _("已撤销")


class Stage(models.TextChoices):
    """The six stages of the Longan scheme, plus the two ends."""

    INSPECTION = "inspection", _("排查")
    FEEDBACK = "feedback", _("反馈")
    SUPERVISION = "supervision", _("督办")
    RECTIFICATION = "rectification", _("整改")
    REINSPECTION = "reinspection", _("复查")
    HANDLING = "handling", _("处理")
    CLOSED = "closed", _("已销号")
    OVERTURNED = "overturned", _("已撤销")


S = HazardStatus

# The one place that names each state's stage; dashboards and the funnel read it.
# 反馈 has no state of its own: feedback at the monthly meeting is a milestone (`fed_back_at`),
# because major hazards must not wait for it and by default general ones do not either. With
# HAZARD_FEEDBACK_GATE_GENERAL on, general hazards wait in `found` until the meeting.
STAGE_OF_STATE: dict[str, str] = {
    S.FOUND: Stage.INSPECTION,
    S.ROUTED: Stage.SUPERVISION,
    S.AWAITING_PLAN: Stage.RECTIFICATION,
    S.PLAN_REVIEW: Stage.RECTIFICATION,
    S.RECTIFYING: Stage.RECTIFICATION,
    S.AWAITING_REINSPECTION: Stage.REINSPECTION,
    S.AWAITING_ACCEPTANCE: Stage.REINSPECTION,
    S.AWAITING_RESUMPTION: Stage.REINSPECTION,
    S.RESUMPTION_REVIEW: Stage.REINSPECTION,
    S.UNDER_ENFORCEMENT: Stage.HANDLING,
    S.CLOSED: Stage.CLOSED,
    S.OVERTURNED: Stage.OVERTURNED,
}

TERMINAL_STATES = frozenset({S.CLOSED, S.OVERTURNED})
OPEN_STATES = frozenset(s for s in S if s not in TERMINAL_STATES)


def states_in_stage(stage: str) -> list[str]:
    return [state for state, s in STAGE_OF_STATE.items() if s == stage]


class Party(models.TextChoices):
    """Whose move it is."""

    INSPECTOR = "inspector", _("排查单位")
    BUREAU = "bureau", _("区安监局")
    MEMBER_UNIT = "member_unit", _("成员单位")
    ENTERPRISE = "enterprise", _("企业")
    PROVIDER = "provider", _("服务机构")


# Who holds the ball in each open state: reminders go to them, and boards show it.
OWNER_OF_STATE: dict[str, str] = {
    S.FOUND: Party.BUREAU,
    S.ROUTED: Party.MEMBER_UNIT,
    S.AWAITING_PLAN: Party.ENTERPRISE,
    S.PLAN_REVIEW: Party.MEMBER_UNIT,
    S.RECTIFYING: Party.ENTERPRISE,
    S.AWAITING_REINSPECTION: Party.PROVIDER,
    S.AWAITING_ACCEPTANCE: Party.MEMBER_UNIT,
    S.AWAITING_RESUMPTION: Party.ENTERPRISE,
    S.RESUMPTION_REVIEW: Party.MEMBER_UNIT,
    S.UNDER_ENFORCEMENT: Party.MEMBER_UNIT,
}

# Which date field runs the clock in each state; the deadline scan reads this.
DUE_FIELD_OF_STATE: dict[str, str] = {
    S.AWAITING_PLAN: "deadline",
    S.PLAN_REVIEW: "deadline",
    S.RECTIFYING: "deadline",
    S.AWAITING_REINSPECTION: "reinspection_due",
    S.AWAITING_ACCEPTANCE: "acceptance_due",
    S.RESUMPTION_REVIEW: "resumption_due",
}

# The enterprise may ask for more time, and enforcement may start, while the rectification
# clock runs.
RECTIFICATION_CLOCK_STATES = frozenset({S.AWAITING_PLAN, S.PLAN_REVIEW, S.RECTIFYING})


class EventName(models.TextChoices):
    """What a timeline entry records: the transition's name, or a bookkeeping event."""

    REGISTER = "register", _("登记")
    ROUTE = "route", _("交办")
    REASSIGN = "reassign", _("改派")
    RECORD_FEEDBACK = "record_feedback", _("联席会议反馈")
    ISSUE_NOTICE = "issue_notice", _("下达整改通知")
    SUBMIT_PLAN = "submit_plan", _("提交治理方案")
    APPROVE_PLAN = "approve_plan", _("批准治理方案")
    REJECT_PLAN = "reject_plan", _("退回治理方案")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    EXTEND_DEADLINE = "extend_deadline", _("同意延期")
    REFUSE_EXTENSION = "refuse_extension", _("不同意延期")
    SUBMIT_RECTIFICATION = "submit_rectification", _("提交整改")
    PASS_REINSPECTION = "pass_reinspection", _("复查合格")
    FAIL_REINSPECTION = "fail_reinspection", _("复查不合格")
    CLOSE_ON_THE_SPOT = "close_on_the_spot", _("立查立改")
    OVERTURN = "overturn", _("误判撤销")
    START_ENFORCEMENT = "start_enforcement", _("转入执法处理")
    CONCLUDE_ENFORCEMENT = "conclude_enforcement", _("执法处理完毕")
    APPLY_RESUMPTION = "apply_resumption", _("申请复产")
    PASS_RESUMPTION_REVIEW = "pass_resumption_review", _("复产审查合格")
    FAIL_RESUMPTION_REVIEW = "fail_resumption_review", _("复产审查不合格")
    CONFIRM_MAJOR = "confirm_major", _("认定重大隐患")
    GRADE_GENERAL = "grade_general", _("认定为一般隐患")
    REGRADE = "regrade", _("调整隐患等级")
    LIST_MAJOR = "list_major", _("挂牌督办")
    ACCEPT_RECTIFICATION = "accept_rectification", _("验收销号（摘牌）")
    REFUSE_ACCEPTANCE = "refuse_acceptance", _("验收不通过")
    FLAG_OVERDUE = "flag_overdue", _("逾期")
    FLAG_REMINDED = "flag_reminded", _("到期提醒")


class Closure(models.TextChoices):
    REINSPECTION = "reinspection", _("复查合格销号")
    ON_THE_SPOT = "on_the_spot", _("立查立改")
    RESUMPTION_REVIEW = "resumption_review", _("复产审查合格核销")
    ACCEPTANCE = "acceptance", _("验收销号")


class GradeBasis(models.TextChoices):
    """Who settled a hazard's legal level. A major hazard reported by a provider, an expert or
    the enterprise is only *suspected* until a government department decides (认定); a finding on
    a 判定标准 criterion is major unless the government decides otherwise."""

    REPORTED = "reported", _("按登记等级")
    SUSPECTED = "suspected", _("重大隐患待认定")
    GOVERNMENT = "government", _("政府部门认定")


class ListingLevel(models.TextChoices):
    """The level of government that lists a major hazard for supervision (挂牌督办)."""

    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class AttachmentKind(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")
    EVIDENCE = "evidence", _("佐证材料")


class Decision(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("同意")
    REFUSED = "refused", _("不同意")
    WITHDRAWN = "withdrawn", _("已撤回")


class Verdict(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class AssessedBy(models.TextChoices):
    """Order 16 Art. 18: the finished work is assessed by the enterprise or an assessment firm."""

    SELF = "self", _("企业自行评估")
    FIRM = "firm", _("委托安全评价机构评估")


class EnforcementReason(models.TextChoices):
    OVERDUE = "overdue", _("逾期未整改")
    REFUSED = "refused", _("拒不整改")
    REPEATED = "repeated", _("屡查屡犯")


class NotificationKind(models.TextChoices):
    TASK = "task", _("待办")
    INFO = "info", _("通知")
    REMINDER = "reminder", _("到期提醒")
    OVERDUE = "overdue", _("逾期")
    ESCALATION = "escalation", _("逾期升级")


GOVERNMENT_ACTORS = frozenset({Role.BUREAU, Role.MEMBER_UNIT})

# Who may do what, by role; record scope and relationships are checked on top of this (the
# hazard must be visible to the actor; a member unit acts only on hazards routed to it).
# Providers and experts never appear beside enforcement, supervision or resumption review:
# 政府购买服务管理办法 Art. 10 keeps those with government. Administrators keep the reference
# data and users, not the loop; leaders and townships read.
CAPABILITIES: dict[str, frozenset[str]] = {
    "hazards.register": frozenset(
        {Role.EXPERT, Role.PROVIDER, Role.ENTERPRISE, Role.MEMBER_UNIT, Role.BUREAU}
    ),
    "hazards.route": frozenset({Role.BUREAU}),
    "hazards.reassign": frozenset({Role.BUREAU, Role.MEMBER_UNIT}),
    "hazards.issue_notice": GOVERNMENT_ACTORS,
    "hazards.submit_plan": frozenset({Role.ENTERPRISE}),
    "hazards.review_plan": GOVERNMENT_ACTORS,
    "hazards.submit_rectification": frozenset({Role.ENTERPRISE}),
    # 代录: an officer records the rectification an enterprise without an account (or with a
    # paper submission) reports, with its evidence; the timeline names both.
    "hazards.record_rectification": frozenset({Role.TOWNSHIP, Role.MEMBER_UNIT}),
    "hazards.reinspect": frozenset({Role.EXPERT, Role.PROVIDER, Role.MEMBER_UNIT, Role.BUREAU}),
    "hazards.close_on_the_spot": frozenset({Role.EXPERT, Role.PROVIDER, Role.MEMBER_UNIT, Role.BUREAU}),
    "hazards.overturn": GOVERNMENT_ACTORS,
    "hazards.request_extension": frozenset({Role.ENTERPRISE}),
    "hazards.decide_extension": GOVERNMENT_ACTORS,
    "hazards.enforce": GOVERNMENT_ACTORS,
    "hazards.apply_resumption": frozenset({Role.ENTERPRISE}),
    "hazards.review_resumption": GOVERNMENT_ACTORS,
    "hazards.mark_fed_back": frozenset({Role.BUREAU, Role.LEADER}),
    # Major hazards are government acts (Law Art. 41 ¶3, Order 16 Arts. 20, 23): confirming or
    # regrading (认定, 一般↔重大), listing (挂牌督办), and accepting the rectification, which alone
    # closes and de-lists (验收销号, 摘牌). Providers and experts only inspect and re-inspect.
    "hazards.grade": GOVERNMENT_ACTORS,
    "hazards.list_major": GOVERNMENT_ACTORS,
    "hazards.accept": GOVERNMENT_ACTORS,
    "hazards.view": frozenset(r.value for r in Role),
}

# Which registration source each role may claim.
SOURCES_BY_ROLE: dict[str, frozenset[str]] = {
    Role.EXPERT: frozenset({HazardSource.PROVIDER_INSPECTION}),
    Role.PROVIDER: frozenset({HazardSource.PROVIDER_INSPECTION}),
    Role.ENTERPRISE: frozenset({HazardSource.SELF_INSPECTION}),
    Role.MEMBER_UNIT: frozenset({HazardSource.DEPARTMENT_INSPECTION, HazardSource.TIP_OFF}),
    Role.BUREAU: frozenset({HazardSource.DEPARTMENT_INSPECTION, HazardSource.TIP_OFF}),
}
