"""Print the demo logins: username, role, name, organisation, and the shared password."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db.models import Q

from hazardloop.accounts import two_factor
from hazardloop.accounts.choices import Role
from hazardloop.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_TOTP_ROLES, demo_users_filter
from hazardloop.accounts.models import User
from hazardloop.core.console import format_table

ROLE_ORDER = {role.value: i for i, role in enumerate(Role)}
STEP = 30  # seconds a TOTP code lives (RFC 6238's default, django-otp's too)
NEXT_CODE_BELOW = 15  # print the next code as well when fewer seconds than this remain


def _organisation(user) -> str:
    # An expert's organisation is the firm they inspect for, not the expert record itself.
    if user.role == Role.EXPERT:
        return user.expert.provider.name
    return user.organisation_name


class Command(BaseCommand):
    help = "列出演示账号（用户名、角色、姓名、所属单位）和共用的演示密码。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprise",
            metavar="名称或信用代码",
            help="某家企业如何登录：已开通的给出用户名，未开通的给出激活码和开通链接。",
        )

    def handle(self, *args, **options):
        if options.get("enterprise"):
            self._enterprise(options["enterprise"])
            return
        users = sorted(
            User.objects.filter(demo_users_filter(), is_active=True).select_related(
                "region", "member_unit", "provider", "expert__provider", "enterprise"
            ),
            key=lambda u: (ROLE_ORDER.get(u.role, 99), u.username),
        )
        if not users:
            self.stdout.write("没有演示账号。先运行 hazardloop load_demo。")
            return
        rows = [(u.username, u.get_role_display(), u.display_name, _organisation(u)) for u in users]
        self.stdout.write(format_table(("用户名", "角色", "姓名", "所属单位"), rows))
        self.stdout.write("")
        self.stdout.write(f"演示密码（所有演示账号通用）：{DEMO_PASSWORD}")
        self._enterprise_summary()
        needs = two_factor.required_roles()
        with_otp = [u.username for u in users if u.role in needs and u.role in DEMO_TOTP_ROLES]
        if with_otp:
            device = two_factor.TOTPDevice(key=DEMO_TOTP_KEY)
            self.stdout.write("")
            self.stdout.write(f"双因素登录账号：{'、'.join(with_otp)}")
            self.stdout.write(f"  演示认证器密钥（手动添加到认证器应用）：{two_factor.base32_secret(device)}")
            # Read the clock last, after the table: the code must be as fresh as it can be, and
            # say how long it lives, with the next one when this one is about to lapse.
            now = time.time()
            left = STEP - int(now) % STEP
            self.stdout.write(
                f"  当前动态验证码：{two_factor.code_at(DEMO_TOTP_KEY, now)}（还剩 {left} 秒有效）"
            )
            if left < NEXT_CODE_BELOW:
                self.stdout.write(
                    f"  下一个动态验证码：{two_factor.code_at(DEMO_TOTP_KEY, now + STEP)}"
                    f"（{left} 秒后生效，有效 {STEP} 秒）"
                )
            self.stdout.write("  随时再运行 hazardloop demo_logins 可得到新的验证码。")

    def _enterprise_summary(self) -> None:
        from hazardloop.onboarding.models import ActivationCode

        pending = ActivationCode.objects.live().values("enterprise").distinct().count()
        if not pending:
            return
        self.stdout.write("")
        self.stdout.write(
            f"其余 {pending} 家企业尚未开通账号，各有一个待用的激活码（也印在其整改通知书上）。"
            "以任一企业登录：hazardloop demo_logins --enterprise 企业名称（或统一社会信用代码），"
            "打开给出的开通链接，设置用户名和密码即可。"
        )

    def _enterprise(self, text: str) -> None:
        from hazardloop.onboarding import rules, services
        from hazardloop.registry.models import Enterprise

        text = text.strip()
        matches = list(
            Enterprise.objects.filter(Q(credit_code=text.upper()) | Q(name__icontains=text))
            .select_related("township")
            .order_by("name")[:11]
        )
        if not matches:
            self.stdout.write(f"没有名称含“{text}”或信用代码为它的企业。")
            return
        for enterprise in matches[:10]:
            self.stdout.write(f"{enterprise.name}（{enterprise.credit_code}，{enterprise.township.name}）")
            logins = User.objects.filter(services.account_filter(), enterprise=enterprise).order_by(
                "username"
            )
            if logins:
                names = "、".join(u.username for u in logins)
                self.stdout.write(
                    f"  已开通：用户名 {names}（演示账号密码 {DEMO_PASSWORD}；企业自己开通的用其设置的密码）"
                )
                continue
            code = services.live_code_for(enterprise)
            if code is None:
                self.stdout.write(
                    "  未开通，也没有有效的激活码：以乡镇或督办单位账号在“企业账号开通”中发放。"
                )
                continue
            self.stdout.write(
                f"  激活码：{rules.display_code(code.code)}（{code.expires_at:%Y-%m-%d} 前有效）"
            )
            self.stdout.write(f"  开通链接：{services.activation_url(code)}")
        if len(matches) > 10:
            self.stdout.write("……（只列前 10 家，请把名称写得更具体）")
