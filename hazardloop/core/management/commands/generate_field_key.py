"""Print a new key for FIELD_ENCRYPTION_KEY (32 random bytes, URL-safe base64)."""

from django.core.management.base import BaseCommand

from hazardloop.core.fields import generate_key


class Command(BaseCommand):
    help = "生成一个新的个人信息加密密钥（FIELD_ENCRYPTION_KEY）。"

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
