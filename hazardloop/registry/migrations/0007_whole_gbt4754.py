"""Bring the built-in GB/T 4754-2017 categories in line with `data/industries.py` (ADR 0036: the
whole table is loaded by the operator with `load_industries`). Rows already present keep their
specialty (the bureau may have changed it); their name and parent follow the standard."""

from django.db import migrations


def load_classification(apps, schema_editor):
    from hazardloop.registry.data.industries import classification

    Industry = apps.get_model("registry", "Industry")
    by_code = {industry.code: industry for industry in Industry.objects.all()}
    for code, name, parent, specialty in classification():
        industry = by_code.get(code)
        if industry is None:
            industry = Industry.objects.create(
                code=code, name=name, parent=by_code.get(parent), specialty=specialty
            )
            by_code[code] = industry
        elif industry.name != name or industry.parent_id != getattr(by_code.get(parent), "pk", None):
            industry.name, industry.parent = name, by_code.get(parent)
            industry.save(update_fields=["name", "parent"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_record_versions")]
    operations = [migrations.RunPython(load_classification, migrations.RunPython.noop)]
