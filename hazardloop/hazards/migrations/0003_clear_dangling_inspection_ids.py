"""Before Hazard.inspection_id becomes a foreign key (0004): clear any id that names no inspection.

None are expected (only the inspections service writes it), but such an id could not satisfy the
constraint. Apart from 0004 because on PostgreSQL an UPDATE leaves deferred constraint checks
pending, and ALTER TABLE refuses to run in the same transaction after one."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def clear_dangling(apps, schema_editor):
    Hazard = apps.get_model("hazards", "Hazard")
    Inspection = apps.get_model("inspections", "Inspection")
    # NOT EXISTS, not NOT IN: PostgreSQL cannot turn a NOT IN over a subquery into an anti-join,
    # and at millions of hazards it rescans the visits once per hazard.
    dangling = Hazard.objects.filter(inspection_id__isnull=False).exclude(
        Exists(Inspection.objects.filter(pk=OuterRef("inspection_id")))
    )
    cleared = dangling.update(inspection_id=None)
    if cleared:
        print(f"\n  hazards.0003: {cleared} hazard(s) named an inspection that does not exist; link cleared")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0002_seed_levels"),
        ("inspections", "0001_checklists_and_inspections"),
    ]

    operations = [migrations.RunPython(clear_dangling, migrations.RunPython.noop)]
