"""Remove a user's authenticator (a lost or replaced phone); they enrol again at next login."""

from django.core.management.base import BaseCommand, CommandError

from hazardloop.accounts import two_factor
from hazardloop.accounts.models import User


class Command(BaseCommand):
    help = "重置用户的认证器（手机丢失或更换）：该用户下次登录时重新绑定。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}。")
        count = two_factor.reset_devices(user, actor=None)
        self.stdout.write(f"已删除 {user} 的 {count} 个认证器；下次登录时需要重新绑定。")
