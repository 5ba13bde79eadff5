from django.db import migrations


def load_industries(apps, schema_editor):
    from hazardloop.registry.data.industries import INDUSTRIES

    Industry = apps.get_model("registry", "Industry")
    by_code = {}
    for code, name, parent, specialty in INDUSTRIES:
        industry, _ = Industry.objects.update_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent), "specialty": specialty}
        )
        by_code[code] = industry


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load_industries, migrations.RunPython.noop)]
