"""Version 1 of each seed checklist (inspections/data/checklists.py), published, so that a fresh
database can record inspections at once. The bureau revises them through new versions."""

from django.db import migrations


def seed(apps, schema_editor):
    from hazardloop.inspections.data.checklists import TEMPLATES

    Template = apps.get_model("inspections", "ChecklistTemplate")
    Version = apps.get_model("inspections", "ChecklistVersion")
    Item = apps.get_model("inspections", "ChecklistItem")
    for code, name, prefixes, description, items in TEMPLATES:
        template, created = Template.objects.get_or_create(
            code=code, defaults={"name": name, "industry_prefixes": prefixes, "description": description}
        )
        if not created:
            continue
        version = Version.objects.create(template=template, number=1, status="published", note="初始版本")
        Item.objects.bulk_create(
            Item(
                version=version,
                section=section,
                order=n * 10,
                text=text,
                source=source,
                article=article,
                major_criterion=major,
                hazard_category=category,
                hazard_form=form,
            )
            for n, (section, text, source, article, major, category, form) in enumerate(items, start=1)
        )
    # published_at: the migration's run time stands for "in force since installation".
    from django.utils import timezone

    Version.objects.filter(published_at__isnull=True, status="published").update(published_at=timezone.now())


def unseed(apps, schema_editor):
    from hazardloop.inspections.data.checklists import TEMPLATES

    Template = apps.get_model("inspections", "ChecklistTemplate")
    Version = apps.get_model("inspections", "ChecklistVersion")
    codes = [row[0] for row in TEMPLATES]
    Version.objects.filter(template__code__in=codes, inspections__isnull=True).delete()
    Template.objects.filter(code__in=codes, versions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_checklists_and_inspections")]

    operations = [migrations.RunPython(seed, unseed)]
