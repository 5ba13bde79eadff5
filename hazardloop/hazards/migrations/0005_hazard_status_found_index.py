from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0004_hazard_inspection_fk"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["status", "-found_at", "-id"], name="hazard_status_found_desc"),
        ),
    ]
