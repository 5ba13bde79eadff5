"""The two legal levels as the district's starting grades (Order 16 Art. 3). The district may
rename them, change their default time limits, or add a middle grade (e.g. 较大) mapped onto one
of them; the codes stay."""

from django.db import migrations

LEVELS = [
    # code, name, legal level, order, default time limit, basis
    ("general", "一般隐患", "general", 10, 10, "working"),
    ("major", "重大隐患", "major", 30, 90, "calendar"),
]


def seed(apps, schema_editor):
    HazardLevel = apps.get_model("hazards", "HazardLevel")
    for code, name, legal_level, order, limit, basis in LEVELS:
        HazardLevel.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_level": legal_level,
                "order": order,
                "default_time_limit": limit,
                "time_limit_basis": basis,
            },
        )


def unseed(apps, schema_editor):
    HazardLevel = apps.get_model("hazards", "HazardLevel")
    HazardLevel.objects.filter(code__in=[row[0] for row in LEVELS], hazard__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
