"""The database cache table (settings.CACHES without REDIS_URL): rate-limit counters shared by
every process. Created by `migrate`, so no deployment can forget `createcachetable`; the command
is idempotent and does nothing for a Redis cache."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
