from django.db import migrations


def seed(apps, schema_editor):
    from hazardloop.evaluation.defaults import DEFAULT_EXPECTATIONS, DEFAULT_KPIS

    Kpi = apps.get_model("evaluation", "Kpi")
    FindingsExpectation = apps.get_model("evaluation", "FindingsExpectation")
    for order, (code, weight, target, zero_at, description) in enumerate(DEFAULT_KPIS):
        Kpi.objects.update_or_create(
            code=code,
            defaults={
                "weight": weight,
                "target": target,
                "zero_at": zero_at,
                "order": order,
                "description": description,
            },
        )
    for cls, per_visit in DEFAULT_EXPECTATIONS.items():
        FindingsExpectation.objects.update_or_create(enterprise_class=cls, defaults={"per_visit": per_visit})


def unseed(apps, schema_editor):
    apps.get_model("evaluation", "Kpi").objects.all().delete()
    apps.get_model("evaluation", "FindingsExpectation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_kpis_ratings_scorecards_payments")]

    operations = [migrations.RunPython(seed, unseed)]
