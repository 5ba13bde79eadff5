"""Print the demo logins: username, role, name, organisation, and the shared password."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from hazardloop.accounts import two_factor
from hazardloop.accounts.choices import Role
from hazardloop.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_TOTP_ROLES, demo_users_filter
from hazardloop.accounts.models import User
from hazardloop.core.console import format_table

ROLE_ORDER = {role.value: i for i, role in enumerate(Role)}


def _organisation(user) -> str:
    # An expert's organisation is the firm they inspect for, not the expert record itself.
    if user.role == Role.EXPERT:
        return user.expert.provider.name
    return user.organisation_name


class Command(BaseCommand):
    help = "列出演示账号（用户名、角色、姓名、所属单位）和共用的演示密码。"

    def handle(self, *args, **options):
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
        needs = two_factor.required_roles()
        with_otp = [u.username for u in users if u.role in needs and u.role in DEMO_TOTP_ROLES]
        if with_otp:
            device = two_factor.TOTPDevice(key=DEMO_TOTP_KEY)
            self.stdout.write("")
            self.stdout.write(f"双因素登录账号：{'、'.join(with_otp)}")
            self.stdout.write(f"  演示认证器密钥（手动添加到认证器应用）：{two_factor.base32_secret(device)}")
            self.stdout.write(f"  当前动态验证码（30秒内有效）：{two_factor.current_code(DEMO_TOTP_KEY)}")
