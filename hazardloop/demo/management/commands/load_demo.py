"""Build the demo district (or a synthetic province slice) through every app's demo step."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from hazardloop.core.demo import DEFAULT_SEED, DISTRICT_ENTERPRISES, DemoContext, build_demo, demo_steps
from hazardloop.registry.models import Enterprise


class Command(BaseCommand):
    help = "建立演示数据：龙安区（439家企业）及其乡镇街道、成员单位、服务机构、合同和各角色账号；更大规模时另建合成区县。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="库中已有企业时什么也不做（make run 每次启动都调用）。",
        )
        parser.add_argument(
            "--enterprises",
            type=int,
            default=DISTRICT_ENTERPRISES,
            help=f"企业总数，默认 {DISTRICT_ENTERPRISES}；超出部分建在合成区县中（如 100000 用于性能测试）。",
        )
        parser.add_argument(
            "--hazards",
            type=int,
            default=0,
            help="另写入的合成隐患数（如 5000000，连同合成服务机构、合同、检查和复查记录，批量写入，"
            "用于省级规模性能测试）；库中已有演示数据时只补写这些隐患。",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="随机种子；同一种子得到同样的数据。"
        )

    def handle(self, *args, **options):
        count = options["enterprises"]
        if count < 1:
            raise CommandError("--enterprises 至少为 1。")
        if options["hazards"] < 0:
            raise CommandError("--hazards 不能为负数。")
        if Enterprise.objects.exists() and options["hazards"]:
            # The demo is there (perhaps from a run stopped before its hazards): add only them.
            self._province(options)
            return
        if Enterprise.objects.exists():
            if options["if_empty"]:
                self.stdout.write("库中已有企业数据，跳过演示数据。")
                return
            # A second run would collide with the first (credit codes, provider names, users);
            # start from an empty database instead.
            raise CommandError("库中已有企业数据。请在空库上运行，或加 --if-empty 跳过。")

        ctx = DemoContext(enterprises=count, seed=options["seed"], log=self.stdout.write)
        started = time.perf_counter()
        self.stdout.write(f"建立演示数据：{count} 家企业（种子 {ctx.seed}）")
        # The steps run the real services, which mail the people concerned once the transaction
        # commits. Demo people have addresses under a reserved domain and a year of reminders
        # must not flood the console or reach a mail server: mail stays in memory.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            build_demo(ctx)
        elapsed = time.perf_counter() - started
        for step in demo_steps():
            self.stdout.write(f"  {step.name}: {ctx.timings.get(step.name, 0):.1f} 秒")
        self.stdout.write(self.style.SUCCESS(f"演示数据已建立，用时 {elapsed:.1f} 秒。"))
        if options["hazards"]:
            self._province(options)

    def _province(self, options):
        from hazardloop.demo.province import build_province_load

        self.stdout.write(f"写入合成隐患：{options['hazards']:,} 条")
        try:
            build_province_load(options["hazards"], seed=options["seed"], log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
