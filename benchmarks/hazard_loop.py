"""Benchmark: hazards driven through the whole closed loop by the services, beside the floor.

    .venv/bin/python -m benchmarks hazard_loop
    .venv/bin/python -m benchmarks.hazard_loop --hazards 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_loop .venv/bin/python -m benchmarks.hazard_loop

On a fresh database (var/bench/hazard_loop.sqlite3, rebuilt each run, or the DATABASE_URL given,
which must be empty) holding the demo district, each hazard goes

    register (an expert's finding; routed by the rules at once) → issue_notice (member unit)
    → submit_rectification (the enterprise, one evidence photo) → record_reinspection passed (销号)

through `hazardloop.hazards.services`, one service call per step as the pages make them, each in
its own transaction with its row lock, version check, timeline event, audit row and inbox rows.

The floor: the same number of rows the loop left in the loop's own tables (hazard, timeline
event, notice and its link, rectification, re-inspection, attachment, audit event, notification)
copied back in with `bulk_create` in one transaction — what the database costs without any rule.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import time

from benchmarks import BENCH_DIR, database_url, format_figures, setup_django

DEFAULT_HAZARDS = 300


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(out, format="JPEG")
    return SimpleUploadedFile("整改后.jpg", out.getvalue(), content_type="image/jpeg")


def _cast(hazard_count: int):
    """The parties: an expert, an enterprise of its firm's contracts with its own login, and a
    member-unit login for whichever unit the rules route that enterprise's hazards to."""
    from hazardloop.accounts.choices import Role
    from hazardloop.accounts.models import User
    from hazardloop.hazards import services
    from hazardloop.hazards.models import HazardLevel

    expert = User.objects.filter(role=Role.EXPERT).order_by("pk").first()
    enterprise_user = None
    for candidate in User.objects.filter(role=Role.ENTERPRISE).select_related("enterprise").order_by("pk"):
        from hazardloop.registry.models import Enterprise

        if Enterprise.objects.visible_to(expert).filter(pk=candidate.enterprise_id).exists():
            enterprise_user = candidate
            break
    if enterprise_user is None:
        raise SystemExit("the demo has no enterprise login inside an expert's contracts")
    level = HazardLevel.objects.filter(legal_level="general", active=True).order_by("order").first()
    _ensure_routing_rule(enterprise_user.enterprise)
    return expert, enterprise_user, level, services


def _shifted_counters(model, rows) -> dict[str, int]:
    """Counters inside a composite unique key whose other parts a copy keeps (a notice's serial
    within its unit and year): shifted past the largest, so the copies stay unique."""
    from django.db import models

    names: set[str] = set()
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            names.update(constraint.fields)
    for together in model._meta.unique_together:
        names.update(together)
    shifted = {}
    for name in names:
        field = model._meta.get_field(name)
        if isinstance(field, models.IntegerField) and not field.is_relation and not field.primary_key:
            shifted[field.attname] = max(getattr(row, field.attname) for row in rows) if rows else 0
    return shifted


def _ensure_routing_rule(enterprise) -> None:
    """Registration routes by the rules: give the enterprise's industry a rule if the district has
    none, so that the measured loop routes automatically as a configured district does."""
    from hazardloop.hazards.models import RoutingRule
    from hazardloop.registry.models import MemberUnit

    if RoutingRule.objects.filter(active=True).exists():
        return
    unit = MemberUnit.objects.filter(district__code=enterprise.township.code[:6]).order_by("pk").first()
    RoutingRule.objects.create(priority=0, industry_prefix="", member_unit=unit, note="基准测试：兜底规则")


def run(hazards: int = DEFAULT_HAZARDS) -> dict:
    url = database_url("hazard_loop.sqlite3")
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                (BENCH_DIR / (path.rsplit("/", 1)[-1] + suffix)).unlink()
    setup_django(url)
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import QuerySet

    call_command("migrate", verbosity=0)
    from hazardloop.hazards.models import Hazard

    if Hazard.objects.exists():
        raise SystemExit("the benchmark database must start empty")
    media = BENCH_DIR / "media"
    shutil.rmtree(media, ignore_errors=True)
    settings.MEDIA_ROOT = media
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo", verbosity=0)

    from hazardloop.accounts.choices import Role
    from hazardloop.accounts.models import User

    expert, enterprise_user, level, services = _cast(hazards)
    enterprise = enterprise_user.enterprise
    models_written = [
        apps.get_model(label)
        for label in (
            "hazards.Hazard",
            "hazards.HazardEvent",
            "hazards.RectificationNotice",
            "hazards.Rectification",
            "hazards.ReInspection",
            "hazards.HazardAttachment",
            "hazards.Notification",
            "audit.AuditEvent",
        )
    ]
    before = {m: m.objects.count() for m in models_written}
    notice_links = apps.get_model("hazards", "RectificationNotice").hazards.through
    before[notice_links] = notice_links.objects.count()

    step_times: dict[str, list[float]] = {k: [] for k in ("register", "notice", "rectify", "reinspect")}
    unit_users: dict[int, User] = {}
    started = time.perf_counter()
    for i in range(hazards):
        t0 = time.perf_counter()
        hazard = services.register_hazard(
            actor=expert,
            enterprise=enterprise,
            level=level,
            category="production",
            form="state",
            title=f"基准隐患 {i}",
            description="防护罩缺失",
            location="一号车间",
        )
        t1 = time.perf_counter()
        hazard.refresh_from_db()
        if hazard.member_unit_id not in unit_users:
            unit_users[hazard.member_unit_id] = User.objects.filter(
                role=Role.MEMBER_UNIT, member_unit_id=hazard.member_unit_id
            ).first()
        services.issue_notice(
            hazard, actor=unit_users[hazard.member_unit_id], version=hazard.version, requirements="立即整改"
        )
        t2 = time.perf_counter()
        hazard.refresh_from_db()
        services.submit_rectification(
            hazard,
            actor=enterprise_user,
            version=hazard.version,
            measures="加装防护罩",
            responsible_person="张三",
            completed_on=hazard.routed_at.date(),
            cost=100,
            evidence=[_photo()],
        )
        t3 = time.perf_counter()
        hazard.refresh_from_db()
        services.record_reinspection(hazard, actor=expert, version=hazard.version, verdict="passed")
        t4 = time.perf_counter()
        for key, spent in zip(step_times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            step_times[key].append(spent * 1000)
    loop_s = time.perf_counter() - started
    closed = Hazard.objects.filter(status="closed", title__startswith="基准隐患").count()

    # The floor: copy the rows the loop wrote back in, unchanged but for keys and unique values.
    written = {m: list(m.objects.order_by("pk")[before[m] :]) for m in before}
    rows_total = sum(len(v) for v in written.values())
    # Parents first, so that children can point at the copies rather than the originals.
    order = sorted(written, key=lambda m: {"Hazard": 0, "RectificationNotice": 1}.get(m.__name__, 2))
    started = time.perf_counter()
    with transaction.atomic():
        copies: dict[type, dict[int, int]] = {}
        for model in order:
            rows = written[model]
            pk = model._meta.pk
            # The audit chain numbers its rows itself (seq is the key): continue after the last.
            offset = rows[-1].pk if rows and pk.name == "seq" else None
            old_pks = [row.pk for row in rows]
            shifted = _shifted_counters(model, rows)
            for row in rows:
                row.pk = row.pk + offset if offset else None
                for field in model._meta.fields:
                    value = getattr(row, field.attname)
                    if field.is_relation and field.related_model in copies and value is not None:
                        setattr(row, field.attname, copies[field.related_model][value])
                    elif (
                        (field.unique or field.name == "dedupe_key")
                        and not field.primary_key
                        and isinstance(value, str)
                        and value
                    ):
                        setattr(row, field.attname, value + "~")
                    elif field.attname in shifted:
                        setattr(row, field.attname, value + shifted[field.attname])
            # A plain QuerySet: the audit model refuses bulk writes through its own manager.
            QuerySet(model=model).bulk_create(rows, batch_size=1000)
            copies[model] = dict(zip(old_pks, [row.pk for row in rows], strict=True))
    floor_s = time.perf_counter() - started

    return {
        "database": connection.vendor,
        "hazards through the loop": hazards,
        "closed": closed,
        "loop seconds": round(loop_s, 2),
        "hazards per second (loop)": round(hazards / loop_s, 1),
        "service calls per second": round(4 * hazards / loop_s, 1),
        "median ms register": round(statistics.median(step_times["register"]), 1),
        "median ms issue_notice": round(statistics.median(step_times["notice"]), 1),
        "median ms submit_rectification": round(statistics.median(step_times["rectify"]), 1),
        "median ms record_reinspection": round(statistics.median(step_times["reinspect"]), 1),
        "rows the loop wrote": rows_total,
        "rows per hazard": round(rows_total / hazards, 1),
        "floor seconds (bulk insert of the same rows)": round(floor_s, 3),
        "hazards per second (floor)": round(hazards / floor_s, 1),
        "loop / floor": round(loop_s / floor_s, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=DEFAULT_HAZARDS)
    args = parser.parse_args(argv)
    print(format_figures(run(args.hazards)))


if __name__ == "__main__":
    main()
