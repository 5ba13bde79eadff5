"""Check every contract in force against its standards and store the breaches (履约检查)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from hazardloop.procurement.services import compliance


class Command(BaseCommand):
    help = "检查在履行的服务合同的履约情况，记录偏差（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期检查（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        results = compliance.record_all(today=today)
        for number, s in results.items():
            self.stdout.write(
                f"{number}: 偏差 {s['found']} 项（新增 {s['created']}，更新 {s['updated']}，消除 {s['resolved']}）"
            )
        self.stdout.write(self.style.SUCCESS(f"已检查 {len(results)} 份合同。"))
