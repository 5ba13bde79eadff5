"""The only writers of registry state. Pages, API, imports, commands and tasks call these.

Each service validates everything first and raises `RegistryError` (a `core.errors.ServiceError`
with a Chinese message per field) before writing anything; `RegistryPermissionDenied` (a
`Refused`, 403) when the actor may not act, `RegistryConflict` (409) when the record changed
since the actor read it."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.core import access
from hazardloop.core.api.masking import MASK
from hazardloop.core.errors import Conflict, Refused, ServiceError

from . import access as registry_access
from . import imports, rules
from .choices import ImportKind, ImportStatus, RegionLevel
from .models import (
    Enterprise,
    Expert,
    ExpertCertificate,
    ExpertConflict,
    ExpertSpecialty,
    ImportJob,
    Industry,
    MemberUnit,
    MemberUnitDuty,
    Provider,
    Region,
)
from .rules import USCC_MESSAGES, credit_code_error  # noqa: F401  (callers read them from here)
from .types import EnterpriseData


class RegistryError(ServiceError):
    """Bad input for a registry service; `errors` (also `message_dict`) maps field names to
    Chinese messages."""


class RegistryPermissionDenied(RegistryError, Refused):
    """The actor's role or organisation may not do this (403)."""


class RegistryConflict(RegistryError, Conflict):
    """The record changed after the actor read it (409); nothing was written."""


def validate_enterprise_data(
    data: EnterpriseData, *, instance: Enterprise | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name:
        errors.setdefault("name", []).append(_("企业名称不能为空。"))
    message = credit_code_error(data.credit_code)
    if message:
        errors.setdefault("credit_code", []).append(message)
    elif (
        Enterprise.objects.filter(credit_code=data.credit_code)
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors.setdefault("credit_code", []).append(_("该统一社会信用代码已登记。"))
    if data.township.level != RegionLevel.TOWNSHIP:
        errors.setdefault("township", []).append(_("所属区划必须是乡镇或街道。"))
    return errors


def _require(actor, capability: str) -> None:
    """`core.access.require`, except that `actor=None` is the system itself (the demo, migrations,
    benchmarks), which needs no role."""
    if actor is not None:
        access.require(actor, capability)


def _check_scope(actor, township: Region) -> None:
    """A township clerk may only keep enterprises in their own township (`registry/access.py`)."""
    if actor is not None and not access.may(actor, "registry.keep_enterprises_in", township):
        raise RegistryPermissionDenied(_("只能登记本辖区的企业。"))


def _check_maintains_experts_of(actor, provider_id: int) -> None:
    if actor is not None and not access.may(actor, "registry.maintain_experts_of", provider_id):
        raise RegistryPermissionDenied(_("只能维护本机构的专家。"))


@transaction.atomic
def register_enterprise(data: EnterpriseData, *, actor) -> Enterprise:
    """Create an enterprise. Precondition: `actor` may edit enterprises in `data.township`.
    Raises RegistryError (nothing written) or RegistryPermissionDenied."""
    _require(actor, "registry.edit_enterprise")
    _check_scope(actor, data.township)
    errors = validate_enterprise_data(data)
    if errors:
        raise RegistryError(errors)
    enterprise = Enterprise(**data.field_values())
    _full_clean(enterprise, validate_unique=False)
    enterprise.save()
    return enterprise


def _check_version(record, version, what: str) -> None:
    """Refuse an edit made from an older copy: `version` is what the editor read (None: the
    caller does not know it, and sends only the fields it changes)."""
    if version is None:
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise RegistryError({"version": [_("版本号应为整数。")]}) from None
    if version != record.version:
        conflict = RegistryConflict(
            _(
                "{what}已被他人修改（您打开的是第{old}版，现为第{new}版），未保存您的修改。请查看最新内容后重新保存。"
            ).format(what=what, old=version, new=record.version)
        )
        conflict.current_version = record.version
        raise conflict


def _check_override(actor, before: bool | None, after: bool | None) -> None:
    if actor is not None and after != before and not access.may(actor, "registry.override_high_risk"):
        raise RegistryError({"high_risk_override": [_("高危人工认定由区应急管理局办理。")]})


@transaction.atomic
def update_enterprise(
    enterprise: Enterprise, changes: EnterpriseData | Mapping, *, actor, version: int | None = None
) -> Enterprise:
    """Change an enterprise's file.

    `changes` is either a whole `EnterpriseData` (the edit page: every field replaced) or a
    mapping of only the fields the caller changes (an API PATCH): those are applied to the row
    as it is under the lock, so two people changing different fields both keep their change.

    Precondition: `actor` may edit enterprises in the record's township and in the new one; a
    change of the manual high-risk decision needs `registry.override_high_risk`. When `version`
    is given it must be the record's current version. Effects: the fields, the derived size and
    high-risk flag, `version` + 1. Errors: RegistryConflict (409, stale version),
    RegistryError (400, nothing written), RegistryPermissionDenied / Refused (403)."""
    _require(actor, "registry.edit_enterprise")
    locked = (
        Enterprise.objects.select_for_update().select_related("township", "industry").get(pk=enterprise.pk)
    )
    _check_scope(actor, locked.township)
    _check_version(locked, version, _("该企业档案"))
    if isinstance(changes, EnterpriseData):
        data = changes
    else:
        unknown = set(changes) - set(EnterpriseData.__dataclass_fields__)
        if unknown:
            raise RegistryError({name: [_("该字段不能修改。")] for name in sorted(unknown)})
        data = dataclasses.replace(EnterpriseData.from_record(locked), **changes)
    _check_scope(actor, data.township)
    _check_override(actor, locked.high_risk_override, data.high_risk_override)
    errors = validate_enterprise_data(data, instance=locked)
    if errors:
        raise RegistryError(errors)
    for field, value in data.field_values().items():
        setattr(locked, field, value)
    locked.version += 1
    _full_clean(locked, validate_unique=False)
    locked.save()
    return locked


PROVIDER_EDITABLE = (
    "name",
    "credit_code",
    "status",
    "qualifications",
    "equipment",
    "office_area_m2",
    "staff_count",
    "address",
    "contact",
    "contact_phone",
    "major_violation_date",
)


@transaction.atomic
def update_provider(provider: Provider, changes: Mapping, *, actor, version: int | None = None) -> Provider:
    """Change the fields of a provider named in `changes` (the others stay as they are under the
    lock). Precondition: `actor` may edit providers; `version`, when given, is current.
    Effects: the fields, `version` + 1. Errors: RegistryConflict, RegistryError, Refused."""
    _require(actor, "registry.edit_provider")
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    _check_version(locked, version, _("该服务机构"))
    unknown = set(changes) - set(PROVIDER_EDITABLE)
    if unknown:
        raise RegistryError({name: [_("该字段不能修改。")] for name in sorted(unknown)})
    values = dict(changes)
    if "credit_code" in values:
        values["credit_code"] = rules.normalise_uscc(values["credit_code"])
        message = credit_code_error(values["credit_code"])
        if message:
            raise RegistryError({"credit_code": [message]})
    if "name" in values:
        values["name"] = rules.normalise_text(values["name"])
    for field, value in values.items():
        setattr(locked, field, value)
    locked.version += 1
    _full_clean(locked)
    locked.save()
    return locked


EXPERT_EDITABLE = (
    "name",
    "phone",
    "title",
    "full_time",
    "active",
    "base_address",
    "base_longitude",
    "base_latitude",
)


@transaction.atomic
def update_expert(expert: Expert, changes: Mapping, *, actor, version: int | None = None) -> Expert:
    """Change the fields of an expert named in `changes`, and with `specialties` (a list of
    codes) replace the expert's specialties. A phone given masked (138****5678, as pages and
    the API show it) leaves the stored number alone.

    Precondition: `actor` may edit experts, a provider user only its own firm's; `version`,
    when given, is current. Effects: the fields, `version` + 1. Errors: RegistryConflict,
    RegistryError, RegistryPermissionDenied / Refused."""
    _require(actor, "registry.edit_expert")
    locked = Expert.objects.select_for_update().get(pk=expert.pk)
    _check_maintains_experts_of(actor, locked.provider_id)
    _check_version(locked, version, _("该专家信息"))
    values = dict(changes)
    specialties = values.pop("specialties", None)
    unknown = set(values) - set(EXPERT_EDITABLE)
    if unknown:
        raise RegistryError({name: [_("该字段不能修改。")] for name in sorted(unknown)})
    if MASK in (values.get("phone") or ""):
        values.pop("phone")
    for name in ("name", "title", "base_address"):
        if name in values:
            values[name] = rules.normalise_text(values[name])
    for field, value in values.items():
        setattr(locked, field, value)
    locked.version += 1
    _full_clean(locked)
    locked.save()
    if specialties is not None:
        set_expert_specialties(locked, specialties)
    return locked


def _full_clean(record, **kwargs) -> None:
    """The model's own checks, refused the registry's way (400 with per-field messages)."""
    try:
        record.full_clean(**kwargs)
    except ValidationError as exc:
        raise RegistryError(exc.message_dict) from exc


@transaction.atomic
def register_provider(*, actor, name: str, credit_code: str, **fields) -> Provider:
    _require(actor, "registry.edit_provider")
    code = rules.normalise_uscc(credit_code)
    message = credit_code_error(code)
    if message:
        raise RegistryError({"credit_code": [message]})
    provider = Provider(name=rules.normalise_text(name), credit_code=code, **fields)
    _full_clean(provider)
    provider.save()
    return provider


@transaction.atomic
def register_expert(
    *,
    actor,
    provider: Provider,
    name: str,
    specialties: Iterable[str] = (),
    conflicts: Iterable[tuple[Enterprise, str]] = (),
    **fields,
) -> Expert:
    """Add an expert to a provider. A provider user may add experts only to its own firm."""
    _require(actor, "registry.edit_expert")
    _check_maintains_experts_of(actor, provider.pk)
    expert = Expert(provider=provider, name=rules.normalise_text(name), **fields)
    _full_clean(expert)
    expert.save()
    set_expert_specialties(expert, specialties)
    ExpertConflict.objects.bulk_create(
        ExpertConflict(expert=expert, enterprise=enterprise, reason=reason)
        for enterprise, reason in conflicts
    )
    return expert


def set_expert_specialties(expert: Expert, specialties: Iterable[str]) -> None:
    wanted = set(specialties)
    expert.specialty_rows.exclude(specialty__in=wanted).delete()
    have = set(expert.specialty_rows.values_list("specialty", flat=True))
    ExpertSpecialty.objects.bulk_create(
        ExpertSpecialty(expert=expert, specialty=s) for s in sorted(wanted - have)
    )


# --- imports ---
# An import checks the whole file first and writes nothing unless every row is good; then it
# writes in one transaction: new rows in bulk, and only the rows whose values really differ, so
# re-importing a file changes nothing (not even updated_at). Reference data, existing codes and
# the importer's scope are loaded once into dictionaries: no query per row.

IMPORT_CAPABILITIES = {
    ImportKind.ENTERPRISES: "registry.import_enterprises",
    ImportKind.EXPERTS: "registry.import_experts",
}
IMPORT_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
IMPORT_MAX_BYTES = 50 * 1024 * 1024
WRITE_BATCH = 2000  # objects handed to one bulk_create/bulk_update, so memory stays bounded
LOOKUP_CHUNK = 500  # ids per IN (...) query, under SQLite's 999-parameter limit
PROGRESS_WRITE_EVERY = 1000

logger = logging.getLogger(__name__)


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: imports.Problems):
        super().__init__(problems.count)
        self.problems = problems


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def start_import(kind: str, upload, *, actor) -> ImportJob:
    """Store an uploaded Excel file as a pending import job of `kind`.

    Precondition: `actor` holds the import capability for `kind`. Effects: the file is saved
    under MEDIA_ROOT/imports/ and an ImportJob row is created (status pending); nothing in the
    registry changes. Errors: RegistryPermissionDenied; RegistryError on "file" when the upload
    is not an Excel file or is too large."""
    _require(actor, IMPORT_CAPABILITIES[ImportKind(kind)])
    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in IMPORT_EXTENSIONS:
        raise RegistryError({"file": [_("请上传 Excel 文件（.xlsx 或 .xls）。")]})
    if getattr(upload, "size", 0) > IMPORT_MAX_BYTES:
        raise RegistryError(
            {"file": [_("文件超过 {mb} MB，请拆分后分批导入。").format(mb=IMPORT_MAX_BYTES // (1024 * 1024))]}
        )
    job = ImportJob(kind=kind, actor=actor, original_name=name[:255] or f"import{extension}")
    # The stored name is ours: a clerk's file name may hold characters a file system refuses.
    job.file.save(f"{kind}-{uuid.uuid4().hex}{extension}", upload, save=False)
    job.save()
    return job


def run_import_job(job: ImportJob, *, progress: imports.Progress | None = None) -> ImportJob:
    """Run a pending job to its end (done or failed) as its uploader.

    Precondition: the job is pending; a job another process has already claimed is returned as
    it is, so the page and a worker never run one twice. Effects: see import_enterprises and
    import_experts. Errors: none raised; an unexpected failure marks the job failed, with a
    message, and is logged."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING, started_at=timezone.now()
    )
    job.refresh_from_db()
    if not claimed:
        return job
    runner = import_enterprises if job.kind == ImportKind.ENTERPRISES else import_experts
    try:
        runner(job, actor=job.actor, progress=progress)
    except Refused as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc))
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(
            job,
            status=ImportStatus.FAILED,
            message=_("导入时发生内部错误，未写入任何数据，请稍后重试或联系管理员。"),
        )
    return job


def import_enterprises(job: ImportJob, *, actor, progress: imports.Progress | None = None) -> ImportOutcome:
    """Import the job's enterprise file, matching rows to enterprises on 统一社会信用代码.

    Precondition: `actor` may import enterprises; each row's township is in the actor's scope.
    Effects: if every row is good, in one transaction creates the new enterprises and updates
    those whose values differ (updated_at moves only for them); the job ends done with counts.
    Otherwise nothing is written and the job ends failed with every problem (row, column,
    message). Errors: RegistryPermissionDenied."""
    _require(actor, "registry.import_enterprises")
    report = _progress_writer(job, progress)
    townships = imports.TownshipIndex(
        list(Region.objects.filter(level=RegionLevel.TOWNSHIP)), in_scope=import_township_scope(actor)
    )
    industries = imports.IndustryIndex({industry.code: industry for industry in Industry.objects.all()})
    try:
        with job.file.open("rb") as handle:
            parsed = imports.read_enterprises(
                handle, townships=townships, industries=industries, progress=report
            )
        _set_status(job, ImportStatus.WRITING, total_rows=parsed.total_rows)
        with transaction.atomic():
            outcome = _write_enterprises(parsed, actor=actor)
    except imports.FileProblem as exc:
        return _reject_file(job, str(exc))
    except ImportRejected as rejected:
        return _reject(job, rejected.problems)
    except IntegrityError:
        logger.warning("import job %s hit a concurrent change", job.pk, exc_info=True)
        return _reject_file(job, _("写入时发现有人同时修改了相同的记录，未写入任何数据，请重新导入。"))
    _finish(job, status=ImportStatus.DONE, outcome=outcome, total_rows=parsed.total_rows)
    return outcome


def _write_enterprises(parsed: imports.ParsedFile, *, actor) -> ImportOutcome:
    fields = imports.ENTERPRISE_FIELDS
    code_at = imports.CODE_INDEX
    existing = dict(Enterprise.objects.values_list("credit_code", "pk"))
    visible = None
    if registry_access.enterprise_filter(actor) is not None:
        visible = set(Enterprise.objects.visible_to(actor).values_list("pk", flat=True))
    letter, header = parsed.locate("credit_code")
    problems = parsed.problems
    creates: list[tuple] = []
    matched: list[tuple[int, tuple]] = []
    for row, excel_row in zip(parsed.rows, parsed.row_numbers, strict=True):
        pk = existing.get(row[code_at])
        if pk is None:
            creates.append(row)
        elif visible is not None and pk not in visible:
            problems.add(
                imports.Problem(
                    excel_row,
                    letter,
                    header,
                    _("该统一社会信用代码已由您辖区以外的企业登记，不能在此导入。"),
                    row[code_at],
                )
            )
        else:
            matched.append((pk, row))
    if problems:
        raise ImportRejected(problems)

    now = timezone.now()
    changed: list[Enterprise] = []
    changed_fields: set[str] = set()
    for start in range(0, len(matched), LOOKUP_CHUNK):
        chunk = matched[start : start + LOOKUP_CHUNK]
        current = {
            values[0]: values[1:]
            for values in Enterprise.objects.select_for_update()
            .filter(pk__in=[pk for pk, _row in chunk])
            .values_list("pk", *fields)
        }
        for pk, row in chunk:
            before = current[pk]
            if before == row:
                continue
            changed_fields.update(f for f, old, new in zip(fields, before, row, strict=True) if old != new)
            enterprise = Enterprise(pk=pk, **dict(zip(fields, row, strict=True)))
            enterprise.updated_at = now
            # An import is an edit too: a page or API edit made from the copy before it is stale.
            enterprise.version = F("version") + 1
            changed.append(enterprise)
    if changed:
        Enterprise.objects.bulk_update(
            changed, [*sorted(changed_fields), "updated_at", "version"], batch_size=WRITE_BATCH
        )
    for start in range(0, len(creates), WRITE_BATCH):
        Enterprise.objects.bulk_create(
            [
                Enterprise(**dict(zip(fields, row, strict=True)))
                for row in creates[start : start + WRITE_BATCH]
            ]
        )
    return ImportOutcome(created=len(creates), updated=len(changed), unchanged=len(matched) - len(changed))


def import_experts(job: ImportJob, *, actor, progress: imports.Progress | None = None) -> ImportOutcome:
    """Import the job's expert file. A row is the same expert as a stored one by 身份证号 or,
    when the row gives none, by provider and name; specialties and the conflicts with
    enterprises the actor can see are replaced by the file's.

    Precondition: `actor` may import experts; a provider user only for its own firm. Effects:
    as import_enterprises (all or nothing; only real differences written). Errors:
    RegistryPermissionDenied."""
    _require(actor, "registry.import_experts")
    report = _progress_writer(job, progress)
    own = actor.provider if actor.role == "provider" else None
    providers = imports.ProviderIndex(list(Provider.objects.visible_to(actor)), own=own)
    enterprises = dict(Enterprise.objects.visible_to(actor).values_list("credit_code", "pk"))
    try:
        with job.file.open("rb") as handle:
            parsed = imports.read_experts(
                handle, providers=providers, enterprises=enterprises, progress=report
            )
        _set_status(job, ImportStatus.WRITING, total_rows=parsed.total_rows)
        with transaction.atomic():
            outcome = _write_experts(parsed, managed_enterprises=set(enterprises.values()))
    except imports.FileProblem as exc:
        return _reject_file(job, str(exc))
    except ImportRejected as rejected:
        return _reject(job, rejected.problems)
    except IntegrityError:
        logger.warning("import job %s hit a concurrent change", job.pk, exc_info=True)
        return _reject_file(job, _("写入时发现有人同时修改了相同的记录，未写入任何数据，请重新导入。"))
    _finish(job, status=ImportStatus.DONE, outcome=outcome, total_rows=parsed.total_rows)
    return outcome


EXPERT_FIELDS = (
    "provider_id",
    "name",
    "id_number",
    "phone",
    "title",
    "full_time",
    "active",
    "base_address",
    "base_longitude",
    "base_latitude",
)


def _write_experts(parsed: imports.ParsedFile, *, managed_enterprises: set[int]) -> ImportOutcome:
    rows: list[imports.ExpertRow] = parsed.rows
    problems = parsed.problems
    id_letter, id_header = parsed.locate("id_number")
    name_letter, name_header = parsed.locate("name")

    provider_ids = {row.provider_id for row in rows}
    numbers = [row.id_number for row in rows if row.id_number]
    records: dict[int, dict] = {}
    for chunk in _chunks(sorted(provider_ids), LOOKUP_CHUNK):
        for record in (
            Expert.objects.select_for_update().filter(provider_id__in=chunk).values("pk", *EXPERT_FIELDS)
        ):
            records[record["pk"]] = record
    for chunk in _chunks(numbers, LOOKUP_CHUNK):
        for record in (
            Expert.objects.select_for_update().filter(id_number__in=chunk).values("pk", *EXPERT_FIELDS)
        ):
            records[record["pk"]] = record
    by_number = {r["id_number"]: r for r in records.values() if r["id_number"]}
    by_name: dict[tuple[int, str], list[dict]] = {}
    for record in records.values():
        by_name.setdefault((record["provider_id"], record["name"]), []).append(record)

    matches: list[tuple[imports.ExpertRow, dict | None]] = []
    claimed: dict[int, int] = {}
    for row in rows:
        record = None
        if row.id_number:
            record = by_number.get(row.id_number)
            if record is not None and record["provider_id"] != row.provider_id:
                problems.add(
                    imports.Problem(
                        row.row,
                        id_letter,
                        id_header,
                        _("该身份证号已登记为其他服务机构的专家。"),
                        row.id_number,
                    )
                )
                continue
            if record is None:
                unnumbered = [r for r in by_name.get((row.provider_id, row.name), []) if not r["id_number"]]
                if len(unnumbered) > 1:
                    problems.add(
                        imports.Problem(
                            row.row,
                            name_letter,
                            name_header,
                            _("本机构有多位未登记身份证号的同名专家，无法确定是哪一位。"),
                            row.name,
                        )
                    )
                    continue
                record = unnumbered[0] if unnumbered else None
        else:
            same_name = by_name.get((row.provider_id, row.name), [])
            if len(same_name) > 1:
                problems.add(
                    imports.Problem(
                        row.row,
                        id_letter or name_letter,
                        id_header or name_header,
                        _("本机构有多位同名专家，请填写身份证号以区分。"),
                        row.name,
                    )
                )
                continue
            record = same_name[0] if same_name else None
        if record is not None:
            first = claimed.setdefault(record["pk"], row.row)
            if first != row.row:
                problems.add(
                    imports.Problem(
                        row.row,
                        name_letter,
                        name_header,
                        _("与第{row}行是同一位专家。").format(row=first),
                        row.name,
                    )
                )
                continue
        matches.append((row, record))
    if problems:
        raise ImportRejected(problems)

    matched_ids = [record["pk"] for _row, record in matches if record is not None]
    specialties: dict[int, set[str]] = {pk: set() for pk in matched_ids}
    conflicts: dict[int, set[int]] = {pk: set() for pk in matched_ids}
    for chunk in _chunks(matched_ids, LOOKUP_CHUNK):
        for expert_id, specialty in ExpertSpecialty.objects.filter(expert_id__in=chunk).values_list(
            "expert_id", "specialty"
        ):
            specialties[expert_id].add(specialty)
        for expert_id, enterprise_id in ExpertConflict.objects.filter(expert_id__in=chunk).values_list(
            "expert_id", "enterprise_id"
        ):
            if enterprise_id in managed_enterprises:
                conflicts[expert_id].add(enterprise_id)

    now = timezone.now()
    outcome = ImportOutcome()
    new_experts: list[tuple[imports.ExpertRow, Expert]] = []
    changed: list[Expert] = []
    changed_fields: set[str] = set()
    add_specialties: list[ExpertSpecialty] = []
    drop_specialties: list[tuple[int, set[str]]] = []
    add_conflicts: list[ExpertConflict] = []
    drop_conflicts: list[tuple[int, set[int]]] = []
    for row, record in matches:
        values = {
            "provider_id": row.provider_id,
            "name": row.name,
            # A row without 身份证号 leaves the stored one alone: exports hide the middle digits.
            "id_number": row.id_number or (record["id_number"] if record else ""),
            "phone": row.phone if row.phone is not None else (record["phone"] if record else ""),
            "title": row.title,
            "full_time": row.full_time,
            "active": row.active,
        }
        if row.base is not None:
            values.update(zip(imports.BASE_KEYS, row.base, strict=True))
        elif record is not None:
            values.update({key: record[key] for key in imports.BASE_KEYS})
        if record is None:
            new_experts.append((row, Expert(**values)))
            continue
        pk = record["pk"]
        differs = [f for f in EXPERT_FIELDS if record[f] != values[f]]
        wanted_specialties, have_specialties = set(row.specialties), specialties[pk]
        wanted_conflicts, have_conflicts = set(row.conflicts), conflicts[pk]
        if not differs and wanted_specialties == have_specialties and wanted_conflicts == have_conflicts:
            outcome.unchanged += 1
            continue
        outcome.updated += 1
        expert = Expert(pk=pk, **values)
        expert.updated_at = now
        expert.version = F("version") + 1
        changed.append(expert)
        changed_fields.update(differs)
        add_specialties += [
            ExpertSpecialty(expert_id=pk, specialty=s) for s in sorted(wanted_specialties - have_specialties)
        ]
        if have_specialties - wanted_specialties:
            drop_specialties.append((pk, have_specialties - wanted_specialties))
        reason = row.conflict_reason or _(imports.DEFAULT_CONFLICT_REASON)
        add_conflicts += [
            ExpertConflict(expert_id=pk, enterprise_id=e, reason=reason)
            for e in sorted(wanted_conflicts - have_conflicts)
        ]
        if have_conflicts - wanted_conflicts:
            drop_conflicts.append((pk, have_conflicts - wanted_conflicts))

    if changed:
        Expert.objects.bulk_update(
            changed, [*sorted(changed_fields), "updated_at", "version"], batch_size=WRITE_BATCH
        )
    for pk, specialty_set in drop_specialties:
        ExpertSpecialty.objects.filter(expert_id=pk, specialty__in=specialty_set).delete()
    for pk, enterprise_set in drop_conflicts:
        ExpertConflict.objects.filter(expert_id=pk, enterprise_id__in=enterprise_set).delete()
    for start in range(0, len(new_experts), WRITE_BATCH):
        batch = new_experts[start : start + WRITE_BATCH]
        Expert.objects.bulk_create([expert for _row, expert in batch])
        for row, expert in batch:
            add_specialties += [ExpertSpecialty(expert=expert, specialty=s) for s in sorted(row.specialties)]
            reason = row.conflict_reason or _(imports.DEFAULT_CONFLICT_REASON)
            add_conflicts += [
                ExpertConflict(expert=expert, enterprise_id=e, reason=reason) for e in sorted(row.conflicts)
            ]
    ExpertSpecialty.objects.bulk_create(add_specialties, batch_size=WRITE_BATCH)
    ExpertConflict.objects.bulk_create(add_conflicts, batch_size=WRITE_BATCH)
    outcome.created = len(new_experts)
    return outcome


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_township_scope(actor):
    """Whether `actor` may import enterprises into a township: the same rule as _check_scope."""
    return lambda township: access.may(actor, "registry.keep_enterprises_in", township)


def _progress_writer(job: ImportJob, outer: imports.Progress | None) -> imports.Progress:
    """Writes progress to the job row for the page to poll (outside any transaction, so it is
    seen at once), at most every PROGRESS_WRITE_EVERY rows."""
    last = [-PROGRESS_WRITE_EVERY]

    def report(done: int, total: int) -> None:
        if done - last[0] >= PROGRESS_WRITE_EVERY or done >= total:
            last[0] = done
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)
            job.processed_rows, job.total_rows = done, total
        if outer is not None:
            outer(done, total)

    return report


def _set_status(job: ImportJob, status: str, **fields) -> None:
    fields["status"] = status
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def _finish(job: ImportJob, *, status: str, outcome: ImportOutcome | None = None, **fields) -> None:
    if outcome is not None:
        fields.update(
            created_count=outcome.created,
            updated_count=outcome.updated,
            unchanged_count=outcome.unchanged,
            processed_rows=fields.get("total_rows", job.total_rows),
        )
    _set_status(job, status, finished_at=timezone.now(), **fields)


def _reject(job: ImportJob, problems: imports.Problems) -> ImportOutcome:
    _finish(
        job,
        status=ImportStatus.FAILED,
        errors=[problem.as_dict() for problem in problems.sorted()],
        error_count=problems.count,
        message=_("文件中有 {n} 处问题，未写入任何数据。").format(n=problems.count),
    )
    return ImportOutcome()


def _reject_file(job: ImportJob, message: str) -> ImportOutcome:
    problem = imports.Problem(None, "", "", message)
    _finish(job, status=ImportStatus.FAILED, errors=[problem.as_dict()], error_count=1, message=message)
    return ImportOutcome()


# --- bulk registration (demo and benchmarks) ---

BULK_BATCH_SIZE = 2000
# Django caps SQLite statements at 999 bound parameters, so look codes up in smaller slices.
_LOOKUP_SLICE = 900


def _batches(rows: Iterable, size: int):
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _registered_codes(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), _LOOKUP_SLICE):
        chunk = codes[start : start + _LOOKUP_SLICE]
        found.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", flat=True))
    return found


def _enterprise_field_checks() -> list[tuple]:
    checks = []
    for f in Enterprise._meta.concrete_fields:
        if (
            f.primary_key
            or not f.editable  # the version: its default is the database's to give
            or f.is_relation
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        ):
            continue
        choices = {value for value, _label in f.flatchoices} if f.choices else None
        checks.append((f.name, f, choices))
    return checks


def _field_problems(values: dict) -> Iterable[tuple[str, str]]:
    """What `Model.clean_fields()` would object to (nulls, choices, lengths, validators), for
    the plain fields only and without its per-field overhead, which at a hundred thousand rows
    costs more than the insert. The township and industry are saved rows already."""
    for name, f, choices in _ENTERPRISE_FIELD_CHECKS:
        value = values.get(name)
        if value is None:
            if not f.null:
                yield name, _("{field}不能为空。").format(field=f.verbose_name)
            continue
        if value == "" and not f.blank:
            yield name, _("{field}不能为空。").format(field=f.verbose_name)
        elif choices is not None and value not in choices:
            yield name, _("{field}的取值“{value}”无效。").format(field=f.verbose_name, value=value)
        elif isinstance(value, str):
            if f.max_length and len(value) > f.max_length:
                yield name, _("{field}不能超过{n}个字符。").format(field=f.verbose_name, n=f.max_length)
        elif f.validators:
            try:
                f.run_validators(value)
            except ValidationError as exc:
                for message in exc.messages:
                    yield name, message


_ENTERPRISE_FIELD_CHECKS = _enterprise_field_checks()


@transaction.atomic
def bulk_register_enterprises(
    rows: Iterable[EnterpriseData], *, actor, batch_size: int = BULK_BATCH_SIZE
) -> int:
    """Register many enterprises at once: the synthetic regions of the demo and the benchmarks.

    Precondition: `actor` may edit enterprises in every row's township (None: the system).
    Checks what `register_enterprise` checks — name, credit code valid and not yet registered
    (in the database or earlier in `rows`), township level, field limits — and derives size and
    the high-risk flag the same way (`EnterpriseData.derived()`), but per batch of `batch_size`
    rows with one query per few hundred codes instead of several per row. `rows` may be a
    generator; only one batch is held in memory.

    All or nothing: the first batch with a problem raises RegistryError naming every problem of
    that batch by row number (1-based over `rows`), and earlier batches roll back with it.
    Raises RegistryPermissionDenied likewise. Writes no audit row per enterprise. Returns the
    number of enterprises registered."""
    _require(actor, "registry.edit_enterprise")
    checked_townships: set[int] = set()
    seen: set[str] = set()
    written = 0
    for batch in _batches(rows, batch_size):
        errors: dict[str, list[str]] = {}

        def problem(field: str, row: int, message: str, errors=errors) -> None:
            errors.setdefault(field, []).append(_("第{row}行：{message}").format(row=row, message=message))

        codes = [data.credit_code for data in batch]
        registered = _registered_codes(codes)
        objects = []
        for number, data in enumerate(batch, start=written + 1):
            if data.township.pk not in checked_townships:
                _check_scope(actor, data.township)
                checked_townships.add(data.township.pk)
            if not data.name:
                problem("name", number, _("企业名称不能为空。"))
            message = credit_code_error(data.credit_code)
            if message:
                problem("credit_code", number, message)
            elif data.credit_code in registered or data.credit_code in seen:
                problem("credit_code", number, _("该统一社会信用代码已登记。"))
            seen.add(data.credit_code)
            if data.township.level != RegionLevel.TOWNSHIP:
                problem("township", number, _("所属区划必须是乡镇或街道。"))
            values = data.field_values()
            for field, message in _field_problems(values):
                problem(field, number, message)
            objects.append(Enterprise(**values))
        if errors:
            raise RegistryError(errors)
        Enterprise.objects.bulk_create(objects, batch_size=batch_size)
        written += len(objects)
    return written


@transaction.atomic
def register_member_unit(
    *,
    actor,
    district: Region,
    name: str,
    kind: str,
    duties: Iterable[tuple[str, str]] = (),
    committee_office: bool = False,
) -> MemberUnit:
    """Add a member unit of the joint meeting and what it answers for: (industry code prefix,
    hazard category) pairs, either blank meaning every one. Setting up the joint meeting is the
    bureau's work, done by the same people who keep the provider list, hence that capability.
    Raises RegistryError (nothing written) or RegistryPermissionDenied."""
    _require(actor, "registry.edit_provider")
    errors: dict[str, list[str]] = {}
    if district.level != RegionLevel.DISTRICT:
        errors.setdefault("district", []).append(_("成员单位必须属于区县。"))
    duty_rows = []
    for prefix, category in dict.fromkeys(duties):
        if prefix and not (prefix.isdigit() and len(prefix) <= 4):
            errors.setdefault("duties", []).append(_("行业代码前缀“{p}”无效。").format(p=prefix))
            continue
        duty = MemberUnitDuty(industry_prefix=prefix, hazard_category=category)
        try:
            duty.clean_fields(exclude=["member_unit"])
        except ValidationError as exc:
            errors.setdefault("duties", []).extend(m for ms in exc.message_dict.values() for m in ms)
        duty_rows.append(duty)
    if errors:
        raise RegistryError(errors)
    if committee_office and MemberUnit.objects.filter(district=district, committee_office=True).exists():
        raise RegistryError({"committee_office": [_("本区县已有安委会办公室所在单位。")]})
    unit = MemberUnit(
        district=district, name=rules.normalise_text(name), kind=kind, committee_office=committee_office
    )
    _full_clean(unit)
    unit.save()
    for duty in duty_rows:
        duty.member_unit = unit
    MemberUnitDuty.objects.bulk_create(duty_rows)
    return unit


@transaction.atomic
def add_expert_certificate(
    expert: Expert, *, actor, kind: str, number: str, issued=None, expires=None
) -> ExpertCertificate:
    """Record a certificate an expert holds. A provider user may do so only for its own
    experts. Raises RegistryError (nothing written) or RegistryPermissionDenied."""
    _require(actor, "registry.edit_expert")
    _check_maintains_experts_of(actor, expert.provider_id)
    if issued and expires and expires < issued:
        raise RegistryError({"expires": [_("有效期不能早于发证日期。")]})
    certificate = ExpertCertificate(
        expert=expert, kind=kind, number=rules.normalise_text(number), issued=issued, expires=expires
    )
    _full_clean(certificate)
    certificate.save()
    return certificate


# --- reference data: the industry classification ---------------------------------------------


def load_industry_classification(rows: Iterable[tuple[str, str, str]]) -> tuple[int, int]:
    """Load GB/T 4754 categories `(code, name, parent code)` from the operator's copy of the
    standard's table (ADR 0036). The whole table is checked first; any problem refuses it with
    every line named and nothing written. Existing categories keep their specialty (the bureau
    may have set it); their name and parent follow the table. Returns (created, updated)."""
    from .data.industries import classification

    rows = [tuple(str(cell).strip() for cell in row) for row in rows]
    problems: list[str] = []
    known = set(Industry.objects.values_list("code", flat=True))
    for line, row in enumerate(rows, start=1):
        if len(row) != 3:
            problems.append(_("第%(line)d行：应有代码、名称、上级代码三列。") % {"line": line})
            continue
        code, name, parent = row
        shape_ok = (len(code) == 1 and code.isalpha() and code.isupper() and not parent) or (
            code.isdigit() and len(code) in (2, 3, 4) and bool(parent)
        )
        if not shape_ok or not name:
            problems.append(
                _("第%(line)d行：代码“%(code)s”或名称不符合 GB/T 4754 的格式。")
                % {"line": line, "code": code}
            )
        elif parent and parent not in known:
            problems.append(
                _("第%(line)d行：上级代码“%(parent)s”不存在。") % {"line": line, "parent": parent}
            )
        known.add(code)
    if problems:
        raise ServiceError(_("行业分类表有误，未导入任何内容。"), errors={"file": problems})

    created = updated = 0
    with transaction.atomic():
        by_code = {industry.code: industry for industry in Industry.objects.all()}
        for code, name, parent, specialty in classification(rows)[len(classification()) :]:
            industry = by_code.get(code)
            parent_row = by_code.get(parent)
            if industry is None:
                by_code[code] = Industry.objects.create(
                    code=code, name=name, parent=parent_row, specialty=specialty
                )
                created += 1
            elif industry.name != name or industry.parent_id != getattr(parent_row, "pk", None):
                industry.name, industry.parent = name, parent_row
                industry.save(update_fields=["name", "parent"])
                updated += 1
    return created, updated
