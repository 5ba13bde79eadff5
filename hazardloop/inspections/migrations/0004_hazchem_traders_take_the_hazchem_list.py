"""Fuel stations and hazchem traders are inspected with the hazchem list, not the 工贸 one
(令10号 Art. 2; decision 0046): the hazchem template gains their GB/T 4754 classes. A fresh
database already gets them from 0002 (it reads the seed data); this brings existing ones level.
Inspections already made keep the version they used."""

from django.db import migrations

BEFORE = ["25", "26"]
BEFORE_DESCRIPTION = "石油加工、化学原料和化学制品制造业。"


def forward(apps, schema_editor):
    from hazardloop.inspections.data.checklists import TEMPLATES

    Template = apps.get_model("inspections", "ChecklistTemplate")
    for code, _name, prefixes, description, _items in TEMPLATES:
        if code == "hazchem":
            Template.objects.filter(code=code).update(industry_prefixes=prefixes, description=description)


def backward(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Template.objects.filter(code="hazchem").update(industry_prefixes=BEFORE, description=BEFORE_DESCRIPTION)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_status_declared")]

    operations = [migrations.RunPython(forward, backward)]
