"""The only writers of checklists and inspections. Pages, API, commands and the demo call these.

Shape (CONVENTIONS.md): lock the row, check scope (not visible → `InspectionNotFound`, a 404),
capability (`InspectionPermissionDenied`, a 403), guard state and data (`InspectionError` with a
Chinese message; nothing changed), change, and write an audit row in the same transaction.

Findings are held with the draft and become hazards only when the inspection is submitted, all
through `hazards.services.register_hazard` inside one transaction: one refused finding refuses
the whole submission and leaves no hazard behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.core.access import require
from hazardloop.core.errors import NotVisible, Refused, ServiceError
from hazardloop.core.uploads import UploadRejected, clean_photo
from hazardloop.core.workflows import check
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import HazardForm
from hazardloop.hazards.models import HazardLevel, NumberSequence
from hazardloop.procurement.models import ContractStatus, ServiceContract
from hazardloop.registry.choices import EnterpriseStatus, HazardCategory, Specialty
from hazardloop.registry.models import Enterprise, Expert, ExpertConflict
from hazardloop.registry.rules import required_team_size

from . import access, rules
from .choices import ChecklistStatus, InspectionStatus, ItemOutcome
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Finding,
    FindingPhoto,
    Inspection,
    ItemResult,
    TeamMember,
)

# --- errors ---------------------------------------------------------------------------------


class InspectionError(ServiceError):
    """A refused action. `message` is for the user (Chinese); `errors` maps fields to messages."""


class InspectionPermissionDenied(InspectionError, Refused):
    """The actor's role may not do this."""


class InspectionNotFound(InspectionError, NotVisible):
    """Not there, or not the actor's to see — deliberately indistinguishable."""


def _check(record, step: str, actor, *, not_now: str, refused: str | None = None) -> None:
    """May `actor` take `step` (declared on Inspection or ChecklistVersion) now? Refused (403)
    by the step's access predicate, InspectionError when the state does not open it."""
    check(getattr(record, step), actor, not_now=not_now, error=InspectionError, refused=refused)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InspectionError("；".join(m for ms in errors.values() for m in ms), errors=errors)


def _audit(event_type, *, actor, target, data: dict) -> None:
    record_event(event_type, actor=actor, target=target, data=data)


# --- checklists -----------------------------------------------------------------------------


def _lock_version(version: ChecklistVersion | int) -> ChecklistVersion:
    pk = version.pk if isinstance(version, ChecklistVersion) else version
    locked = ChecklistVersion.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise InspectionNotFound(_("检查表版本不存在。"))
    return locked


def _require_draft(version: ChecklistVersion, actor, step: str = "edit") -> None:
    _check(version, step, actor, not_now=_("已发布的检查表版本不能修改，请先新建修订草稿。"))


@transaction.atomic
def create_checklist_draft(template: ChecklistTemplate, *, actor, note: str = "") -> ChecklistVersion:
    """Start a revision of `template`: a draft copying every item of its latest version.

    Precondition: the actor may edit checklists. Effects: returns the existing draft if there is
    one, else a new draft numbered after the latest version. Audit: record created (200).
    Raises InspectionPermissionDenied."""
    require(actor, "inspections.edit_checklists")
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    existing = template.versions.filter(status=ChecklistStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = template.versions.order_by("-number").first()
    draft = ChecklistVersion.objects.create(
        template=template, number=(latest.number + 1) if latest else 1, note=note.strip()[:200]
    )
    if latest is not None:
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                version=draft,
                section=item.section,
                order=item.order,
                text=item.text,
                source=item.source,
                article=item.article,
                major_criterion=item.major_criterion,
                hazard_category=item.hazard_category,
                hazard_form=item.hazard_form,
            )
            for item in latest.items.all()
        )
    _audit(
        EventType.RECORD_CREATED,
        actor=actor,
        target=draft,
        data={"checklist": template.code, "version": draft.number, "from": latest.number if latest else None},
    )
    return draft


@dataclass
class ItemData:
    section: str
    text: str
    source: str
    article: str = ""
    major_criterion: bool = False
    hazard_category: str = HazardCategory.PRODUCTION
    hazard_form: str = HazardForm.UNSAFE_STATE
    order: int | None = None


def _item_errors(data: ItemData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.section.strip():
        errors.setdefault("section", []).append(_("请填写检查类别。"))
    if not data.text.strip():
        errors.setdefault("text", []).append(_("请填写检查内容。"))
    if not data.source.strip():
        errors.setdefault("source", []).append(_("请填写依据的法规标准。"))
    if data.hazard_category not in HazardCategory.values:
        errors.setdefault("hazard_category", []).append(_("隐患类别无效。"))
    if data.hazard_form not in HazardForm.values:
        errors.setdefault("hazard_form", []).append(_("隐患形态无效。"))
    return errors


@transaction.atomic
def save_checklist_item(
    version: ChecklistVersion, data: ItemData, *, actor, item: ChecklistItem | None = None
) -> ChecklistItem:
    """Add an item to a draft version, or change one of its items.

    Precondition: draft version; the actor may edit checklists. Effects: the item saved.
    Audit: record created/updated. Raises InspectionPermissionDenied, InspectionError."""
    require(actor, "inspections.edit_checklists")
    version = _lock_version(version)
    _require_draft(version, actor)
    _raise_if(_item_errors(data))
    if item is not None and item.version_id != version.pk:
        raise InspectionNotFound(_("检查项不存在。"))
    order = data.order
    if order is None:
        order = item.order if item else (version.items.aggregate(m=Max("order"))["m"] or 0) + 10
    row = item or ChecklistItem(version=version)
    row.section = data.section.strip()[:100]
    row.text = data.text.strip()
    row.source = data.source.strip()[:200]
    row.article = data.article.strip()[:64]
    row.major_criterion = bool(data.major_criterion)
    row.hazard_category = data.hazard_category
    row.hazard_form = data.hazard_form
    row.order = order
    row.save()
    _audit(
        EventType.RECORD_UPDATED if item else EventType.RECORD_CREATED,
        actor=actor,
        target=row,
        data={"version": version.pk, "text": row.text[:100]},
    )
    return row


@transaction.atomic
def delete_checklist_item(item: ChecklistItem, *, actor) -> None:
    """Remove an item from a draft version. Raises InspectionPermissionDenied, InspectionError."""
    require(actor, "inspections.edit_checklists")
    version = _lock_version(item.version_id)
    _require_draft(version, actor)
    _audit(EventType.RECORD_DELETED, actor=actor, target=item, data={"text": item.text[:100]})
    item.delete()


@transaction.atomic
def publish_checklist_version(version: ChecklistVersion, *, actor) -> ChecklistVersion:
    """Publish a draft: from now on new inspections of these industries use it; earlier
    inspections keep theirs. Precondition: a draft with at least one item.
    Audit: state transition (300). Raises InspectionPermissionDenied, InspectionError."""
    require(actor, "inspections.edit_checklists")
    version = _lock_version(version)
    _require_draft(version, actor, "publish")
    if not version.items.exists():
        raise InspectionError(_("检查表没有任何检查项，不能发布。"))
    version.publish(at=timezone.now(), by=actor if getattr(actor, "is_authenticated", False) else None)
    version.save(update_fields=["status", "published_at", "published_by"])
    _audit(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=version,
        data={"checklist": version.template.code, "version": version.number, "to": "published"},
    )
    return version


def checklist_for(enterprise: Enterprise) -> ChecklistVersion | None:
    """The latest published version of the checklist that fits the enterprise's industry best."""
    templates = [
        t
        for t in ChecklistTemplate.objects.filter(versions__status=ChecklistStatus.PUBLISHED).distinct()
        if t.match_length(enterprise.industry.code) >= 0
    ]
    template = rules.best_template(sorted(templates, key=lambda t: t.code), enterprise.industry.code)
    return template.latest_published() if template else None


# --- teams ----------------------------------------------------------------------------------


def required_team(enterprise: Enterprise, contract: ServiceContract | None) -> rules.TeamRequirement:
    """What an inspection team at `enterprise` must look like. The one place that decides it:
    the contract's standard for the enterprise's class (procurement; its defaults are the
    registry's size rule), the registry's rule where no contract covers the visit, and the
    specialty the enterprise's industry needs. Compliance checks the same standard."""
    specialties = set()
    specialty = enterprise.industry.specialty
    if specialty and specialty != Specialty.GENERAL:
        specialties.add(specialty)
    size = (
        contract.team_requirement(enterprise)
        if contract is not None
        else required_team_size(enterprise.size, enterprise.high_risk)
    )
    return rules.TeamRequirement(
        size=size,
        specialties=frozenset(specialties),
        provider_id=contract.provider_id if contract is not None else None,
    )


def allow_team_deviation() -> bool:
    return bool(getattr(settings, "INSPECTION_ALLOW_TEAM_DEVIATION", False))


def check_team(
    enterprise: Enterprise, contract: ServiceContract, experts: Sequence[Expert], leader
) -> rules.TeamCheck:
    conflicted = set(
        ExpertConflict.objects.filter(enterprise=enterprise, expert__in=[e.pk for e in experts]).values_list(
            "expert_id", flat=True
        )
    )
    members = [
        rules.Member(
            expert_id=e.pk,
            name=e.name,
            provider_id=e.provider_id,
            specialties=frozenset(e.specialties),
            conflicted=e.pk in conflicted,
            active=e.active,
        )
        for e in experts
    ]
    return rules.check_team(
        required_team(enterprise, contract),
        members,
        getattr(leader, "pk", None),
        specialty_labels={k: str(v) for k, v in Specialty.choices},
    )


# --- inspections ----------------------------------------------------------------------------


def _actor_provider_id(actor) -> int | None:
    return access.provider_of(actor)


def contract_covering(enterprise: Enterprise, provider_id: int, on: dt.date) -> ServiceContract | None:
    """The provider's contract in force that covers `enterprise` on `on`."""
    return (
        ServiceContract.objects.in_force()
        .filter(provider_id=provider_id, enterprises=enterprise, start_date__lte=on, end_date__gte=on)
        .order_by("-start_date", "pk")
        .first()
    )


def _lock_inspection(inspection: Inspection | int, *, actor, capability: str) -> Inspection:
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    locked = Inspection.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not scoping.scope(Inspection.objects.filter(pk=pk), actor).exists():
        raise InspectionNotFound(_("检查记录不存在或不在您的管辖范围内。"))
    require(actor, capability)
    return locked


def _require_own_draft(inspection: Inspection, actor, step: str = "record") -> None:
    """The firm's own visit (`inspections.may_record`), still a draft (the step's state)."""
    _check(
        inspection,
        step,
        actor,
        not_now=_("检查记录已提交，不能再修改。"),
        refused=_("只能修改本机构的检查记录。"),
    )


@transaction.atomic
def create_inspection(
    *,
    actor,
    enterprise: Enterprise,
    experts: Sequence[Expert],
    leader: Expert | None,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    officer_name: str = "",
    officer_unit: str = "",
    contract: ServiceContract | None = None,
    checklist_version: ChecklistVersion | None = None,
    deviation_reason: str = "",
    results: Mapping[int, tuple[str, str]] | None = None,
) -> Inspection:
    """Record a visit as a draft.

    Precondition: the actor is an expert or provider user who sees the enterprise; the actor's
    provider holds a contract in force covering it on the visit's date (found when not given);
    the team meets `required_team` — members of that provider, none conflicted, the required
    specialty, one leader, and the size, unless INSPECTION_ALLOW_TEAM_DEVIATION is on, in which
    case a short team is recorded as a deviation with its reason. The checklist version is the
    best fit for the industry when not given, and must be published. `results` (optional, as
    for `record_item_results`) records item outcomes in the same step.
    Effects: a draft inspection with its team (and results). Audit: record created (200).
    Raises InspectionNotFound, InspectionPermissionDenied, InspectionError."""
    require(actor, "inspections.record")
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise InspectionNotFound(_("企业不存在或不在您的管辖范围内。"))
    provider_id = _actor_provider_id(actor)
    errors: dict[str, list[str]] = {}
    if enterprise.status == EnterpriseStatus.CLOSED:
        errors.setdefault("enterprise", []).append(_("企业已关闭，不能检查。"))
    now = timezone.now()
    if started_at is None:
        errors.setdefault("started_at", []).append(_("请填写检查开始时间。"))
        _raise_if(errors)
    if started_at > now:
        errors.setdefault("started_at", []).append(_("检查开始时间不能晚于现在。"))
    if ended_at is not None and ended_at < started_at:
        errors.setdefault("ended_at", []).append(_("检查结束时间不能早于开始时间。"))
    if ended_at is not None and ended_at > now:
        errors.setdefault("ended_at", []).append(_("检查结束时间不能晚于现在。"))
    on = timezone.localdate(started_at)
    if contract is None:
        contract = contract_covering(enterprise, provider_id, on)
        if contract is None:
            errors.setdefault("contract", []).append(_("本机构在检查当日没有覆盖该企业的服务合同。"))
    elif (
        contract.provider_id != provider_id
        or not contract.enterprises.filter(pk=enterprise.pk).exists()
        or not (contract.start_date <= on <= contract.end_date)
        or contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED)
    ):
        errors.setdefault("contract", []).append(_("所选合同在检查当日不覆盖该企业。"))
    if checklist_version is None:
        checklist_version = checklist_for(enterprise)
        if checklist_version is None:
            errors.setdefault("checklist_version", []).append(_("没有适用于该企业行业的已发布检查表。"))
    elif checklist_version.status != ChecklistStatus.PUBLISHED:
        errors.setdefault("checklist_version", []).append(_("只能使用已发布的检查表版本。"))
    _raise_if(errors)
    clean_results = _clean_results(
        results or {}, set(checklist_version.items.values_list("pk", flat=True)) if results else set()
    )

    experts = list(experts)
    team = check_team(enterprise, contract, experts, leader)
    if actor.role == Role.EXPERT and actor.expert_id not in {e.pk for e in experts}:
        team.problems.append(_("专家只能记录自己参加的检查。"))
    if team.problems:
        _raise_if({"experts": team.problems})
    deviation = False
    deviation_reason = (deviation_reason or "").strip()
    if team.size_problem:
        if not allow_team_deviation():
            _raise_if({"experts": [team.size_problem]})
        if not deviation_reason:
            _raise_if({"deviation_reason": [team.size_problem + _("如确需检查，请填写人数不足的原因。")]})
        deviation = True

    inspection = Inspection.objects.create(
        enterprise=enterprise,
        contract=contract,
        provider_id=contract.provider_id,
        checklist_version=checklist_version,
        officer_name=officer_name.strip()[:64],
        officer_unit=officer_unit.strip()[:100],
        started_at=started_at,
        ended_at=ended_at,
        team_deviation=deviation,
        deviation_reason=deviation_reason[:200] if deviation else "",
        created_by=actor,
    )
    TeamMember.objects.bulk_create(
        TeamMember(inspection=inspection, expert=e, is_leader=e.pk == leader.pk) for e in experts
    )
    _write_results(inspection, clean_results)
    _audit(
        EventType.RECORD_CREATED,
        actor=actor,
        target=inspection,
        data={
            "enterprise": enterprise.pk,
            "contract": contract.number,
            "checklist_version": checklist_version.pk,
            "team": [e.pk for e in experts],
            "leader": leader.pk,
            "deviation": deviation,
            "results": len(clean_results),
        },
    )
    return inspection


@transaction.atomic
def record_item_results(inspection: Inspection, *, actor, results: Mapping[int, tuple[str, str]]) -> int:
    """Set the outcome (and note) of checklist items: `results` maps item id → (outcome, note);
    an empty outcome clears the item. Precondition: the actor's provider's draft; the items
    belong to the inspection's checklist version. Returns how many items now have a result.
    Audit: record updated (201). Raises InspectionNotFound, InspectionPermissionDenied,
    InspectionError."""
    inspection = _lock_inspection(inspection, actor=actor, capability="inspections.record")
    _require_own_draft(inspection, actor)
    valid_items = set(inspection.checklist_version.items.values_list("pk", flat=True))
    clean = _clean_results(results, valid_items)
    created, updated = _write_results(inspection, clean)
    _audit(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=inspection,
        data={"results": len(clean), "created": created, "updated": updated},
    )
    return inspection.results.count()


def _clean_results(results: Mapping, valid_items: set[int]) -> dict[int, tuple[str, str]]:
    errors: dict[str, list[str]] = {}
    clean: dict[int, tuple[str, str]] = {}
    for item_id, (outcome, note) in results.items():
        try:
            item_id = int(item_id)
        except (TypeError, ValueError):
            errors.setdefault("results", []).append(_("检查项无效。"))
            continue
        if item_id not in valid_items:
            errors.setdefault("results", []).append(_("检查项不属于本次检查所用的检查表。"))
            continue
        if outcome and outcome not in ItemOutcome.values:
            errors.setdefault("results", []).append(_("检查结果无效。"))
            continue
        clean[item_id] = (outcome or "", (note or "").strip()[:500])
    _raise_if(errors)
    return clean


def _write_results(inspection: Inspection, clean: dict[int, tuple[str, str]]) -> tuple[int, int]:
    existing = {r.item_id: r for r in inspection.results.all()} if clean else {}
    to_create, to_update, to_delete = [], [], []
    for item_id, (outcome, note) in clean.items():
        row = existing.get(item_id)
        if not outcome:
            if row is not None:
                to_delete.append(row.pk)
        elif row is None:
            to_create.append(ItemResult(inspection=inspection, item_id=item_id, outcome=outcome, note=note))
        elif (row.outcome, row.note) != (outcome, note):
            row.outcome, row.note = outcome, note
            to_update.append(row)
    ItemResult.objects.bulk_create(to_create)
    if to_update:
        ItemResult.objects.bulk_update(to_update, ["outcome", "note"])
    if to_delete:
        ItemResult.objects.filter(pk__in=to_delete).delete()
    return len(to_create), len(to_update)


@dataclass
class FindingData:
    level: HazardLevel | None
    category: str
    form: str
    title: str
    description: str
    location: str = ""
    legal_basis_law: str = ""
    legal_basis_article: str = ""
    suggested_measure: str = ""
    deadline: dt.date | None = None
    item: ChecklistItem | None = None


def _finding_errors(inspection: Inspection, data: FindingData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.level is None or not data.level.active:
        errors.setdefault("level", []).append(_("请选择有效的隐患等级。"))
    if data.category not in HazardCategory.values:
        errors.setdefault("category", []).append(_("请选择隐患类别。"))
    if data.form not in HazardForm.values:
        errors.setdefault("form", []).append(_("请选择隐患形态。"))
    if not (data.title or "").strip():
        errors.setdefault("title", []).append(_("请填写隐患名称。"))
    if not (data.description or "").strip():
        errors.setdefault("description", []).append(_("请填写隐患描述。"))
    if data.deadline is not None and data.deadline < timezone.localdate(inspection.started_at):
        errors.setdefault("deadline", []).append(_("整改期限不能早于检查日期。"))
    if data.item is not None and data.item.version_id != inspection.checklist_version_id:
        errors.setdefault("item", []).append(_("检查项不属于本次检查所用的检查表。"))
    return errors


@transaction.atomic
def add_finding(inspection: Inspection, data: FindingData, *, actor, photos: Iterable = ()) -> Finding:
    """Add a finding to a draft inspection; photos are re-encoded before they are stored.

    Precondition: the actor's provider's draft. Effects: the finding (and its photos); when it
    names a checklist item, that item is marked non-conforming. The hazard is registered on
    submission. Audit: record created (200). Raises InspectionNotFound,
    InspectionPermissionDenied, InspectionError (nothing stored)."""
    inspection = _lock_inspection(inspection, actor=actor, capability="inspections.record")
    _require_own_draft(inspection, actor)
    errors = _finding_errors(inspection, data)
    cleaned = []
    for upload in photos or ():
        try:
            cleaned.append(clean_photo(upload))
        except UploadRejected as exc:
            errors.setdefault("photos", []).append(str(exc))
    _raise_if(errors)
    finding = Finding.objects.create(
        inspection=inspection,
        item=data.item,
        level=data.level,
        category=data.category,
        form=data.form,
        title=data.title.strip()[:200],
        description=data.description.strip(),
        location=data.location.strip()[:200],
        legal_basis_law=data.legal_basis_law.strip()[:200],
        legal_basis_article=data.legal_basis_article.strip()[:32],
        suggested_measure=data.suggested_measure.strip(),
        deadline=data.deadline,
    )
    for clean in cleaned:
        FindingPhoto.objects.create(
            finding=finding, file=clean.content, original_name=clean.original_name[:255]
        )
    if data.item is not None:
        ItemResult.objects.update_or_create(
            inspection=inspection, item=data.item, defaults={"outcome": ItemOutcome.NON_CONFORMING}
        )
    _audit(
        EventType.RECORD_CREATED,
        actor=actor,
        target=finding,
        data={"inspection": inspection.pk, "level": data.level.code, "title": finding.title},
    )
    return finding


@transaction.atomic
def remove_finding(finding: Finding, *, actor) -> None:
    """Drop a finding from a draft inspection. Raises as `add_finding`."""
    inspection = _lock_inspection(finding.inspection_id, actor=actor, capability="inspections.record")
    _require_own_draft(inspection, actor)
    _audit(EventType.RECORD_DELETED, actor=actor, target=finding, data={"title": finding.title})
    finding.delete()


def _next_serial(key: str) -> int:
    sequence, _created = NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return sequence.value


@transaction.atomic
def submit_inspection(inspection: Inspection, *, actor, ended_at: dt.datetime | None = None) -> Inspection:
    """Submit the visit: register every finding as a hazard and number the report.

    Precondition: the actor's provider's draft. Effects, all or nothing: each finding becomes a
    hazard through `hazards.services.register_hazard` (found at the visit's start, linked by
    `inspection_id`, with its photos); the inspection is numbered (PC-district-year-serial),
    submitted, and ended now unless it has an end. A refused finding refuses the submission and
    leaves no hazard and no change. Audit: state transition (300) plus the hazards' own rows.
    Raises InspectionNotFound, InspectionPermissionDenied, InspectionError."""
    inspection = _lock_inspection(inspection, actor=actor, capability="inspections.record")
    _require_own_draft(inspection, actor, "submit")
    now = timezone.now()
    ended_at = ended_at or inspection.ended_at or now
    if ended_at < inspection.started_at or ended_at > now:
        raise InspectionError(_("检查结束时间应在开始时间之后、不晚于现在。"))
    enterprise = inspection.enterprise
    findings = list(inspection.findings.select_related("level", "item").prefetch_related("photos"))
    for n, finding in enumerate(findings, start=1):
        photos = []
        for photo in finding.photos.all():
            with photo.file.open("rb") as fh:
                photos.append(ContentFile(fh.read(), name=photo.file.name.rsplit("/", 1)[-1]))
        try:
            hazard = hazard_services.register_hazard(
                actor=actor,
                enterprise=enterprise,
                level=finding.level,
                category=finding.category,
                form=finding.form,
                title=finding.title,
                description=finding.description,
                location=finding.location,
                legal_basis=finding.legal_basis,
                legal_basis_law=finding.legal_basis_law,
                legal_basis_article=finding.legal_basis_article,
                suggested_measure=finding.suggested_measure,
                found_at=inspection.started_at,
                deadline=finding.deadline,
                inspection_id=inspection.pk,
                photos=photos,
                # A failed 判定标准 item makes the finding major by rule (hazards decides the grade).
                criterion=bool(finding.item and finding.item.major_criterion),
            )
        except hazard_services.HazardError as exc:
            # Leaving the atomic block with an error undoes the hazards registered before it.
            raise InspectionError(
                _("第%(n)s条发现“%(title)s”无法登记为隐患：%(reason)s")
                % {"n": n, "title": finding.title, "reason": exc.message}
            ) from exc
        finding.hazard = hazard
        finding.save(update_fields=["hazard"])
    district = enterprise.township.code[:6]
    year = timezone.localdate(inspection.started_at).year
    inspection.submit(
        report_number=rules.report_number(district, year, _next_serial(f"inspection:{district}:{year}")),
        ended_at=ended_at,
        at=now,
        by=actor,
    )
    inspection.save(update_fields=["report_number", "status", "ended_at", "submitted_at", "submitted_by"])
    _audit(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=inspection,
        data={
            "report_number": inspection.report_number,
            "from": InspectionStatus.DRAFT,
            "to": InspectionStatus.SUBMITTED,
            "hazards": [f.hazard.number for f in findings],
        },
    )
    return inspection


@transaction.atomic
def acknowledge_inspection(inspection: Inspection, *, actor, note: str = "") -> Inspection:
    """The inspected enterprise confirms it has received the report (签收), with an optional note.

    Precondition: the actor is a user of that enterprise; the inspection is submitted.
    Effects: acknowledged with time, user and note. Audit: state transition (300).
    Raises InspectionNotFound, InspectionPermissionDenied, InspectionError."""
    inspection = _lock_inspection(inspection, actor=actor, capability="inspections.acknowledge")
    _check(
        inspection,
        "acknowledge",
        actor,
        not_now=_("检查记录当前状态为“%(state)s”，不能确认。") % {"state": inspection.get_status_display()},
        refused=_("只有被检查企业本身可以确认检查报告。"),
    )
    inspection.acknowledge(at=timezone.now(), by=actor, note=(note or "").strip()[:2000])
    inspection.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    _audit(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=inspection,
        data={"from": InspectionStatus.SUBMITTED, "to": InspectionStatus.ACKNOWLEDGED},
    )
    return inspection
