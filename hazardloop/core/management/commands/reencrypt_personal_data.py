"""Re-encrypt every personal field under the first FIELD_ENCRYPTION_KEY (after a rotation, or
to encrypt rows restored from an old plaintext dump). Safe to run again; run it while the old
key is still listed after the new one, then drop the old key."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from hazardloop.core.fields import EncryptedCharField, needs_reencryption


class Command(BaseCommand):
    help = "用当前首个密钥重新加密所有个人信息字段（轮换密钥后运行）。"

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            if not names:
                continue
            columns = [model._meta.get_field(n).column for n in names]
            table = model._meta.db_table
            stale = []
            # Read the stored text, not the decrypted value, to find rows under an old key.
            for row in model.objects.extra(select={f"raw_{c}": c for c in columns}).only("pk", *names):
                if any(needs_reencryption(getattr(row, f"raw_{c}") or "") for c in columns):
                    stale.append(row)
            with transaction.atomic():
                for start in range(0, len(stale), 1000):
                    model.objects.bulk_update(stale[start : start + 1000], names)
            total += len(stale)
            self.stdout.write(f"{table}: {len(stale)} 行已重新加密")
        self.stdout.write(f"共 {total} 行。")
