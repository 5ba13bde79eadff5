"""Compute (as drafts) the scorecards of every contract in force for a period, e.g. from cron
after each quarter; the bureau reviews and confirms them on the pages. Confirmed scorecards are
left alone, so the command can be run again."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hazardloop.evaluation import rules, services
from hazardloop.evaluation.models import Scorecard
from hazardloop.procurement.models import ServiceContract


class Command(BaseCommand):
    help = "计算在履行合同某一周期的服务质量考核表（草稿；已确认的不变，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=rules.PERIOD_KINDS, default=rules.QUARTER, help="考核周期")
        parser.add_argument("--year", type=int, help="年度（默认：上一个已结束周期所在年度）")
        parser.add_argument("--index", type=int, help="月份或季度（默认：上一个已结束的周期）")
        parser.add_argument("--providers", action="store_true", help="同时计算各服务机构全部合同的考核表")

    def handle(self, *args, **options):
        kind = options["kind"]
        if options.get("year") is None:
            current = rules.Period.of(kind, timezone.localdate())
            period = rules.Period.of(kind, current.start - dt.timedelta(days=1))
        else:
            try:
                period = rules.Period(kind, options["year"], options.get("index") or 1)
            except ValueError as exc:
                raise CommandError("周期超出范围：月度1–12，季度1–4，年度1。") from exc
        contracts = (
            ServiceContract.objects.in_force()
            .filter(start_date__lte=period.end, end_date__gte=period.start)
            .select_related("provider")
        )
        subjects = [(c.provider, c) for c in contracts.order_by("number")]
        if options["providers"]:
            subjects += [(p, None) for p in sorted({c.provider for c in contracts}, key=lambda p: p.pk)]
        computed = skipped = 0
        for provider, contract in subjects:
            confirmed = Scorecard.objects.filter(
                provider=provider,
                contract=contract,
                period_kind=kind,
                period_start=period.start,
                status="confirmed",
            ).exists()
            if confirmed:
                skipped += 1
                continue
            card = services.compute_scorecard(actor=None, provider=provider, contract=contract, period=period)
            computed += 1
            self.stdout.write(
                f"{provider.name} {card.subject}: {card.total if card.total is not None else '—'}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{period.label}：计算 {computed} 份考核表（草稿），已确认未变 {skipped} 份。")
        )
