"""Hazard.inspection_id (a plain id column) becomes the foreign key `inspection`, keeping every link.

The column keeps its name and its index (a ForeignKey's column is `inspection_id` and its index
name is derived from the same table and column), so the first step only tells Django's state
what the column now is. The second adds the constraint: on PostgreSQL one ALTER TABLE … ADD
CONSTRAINT, which checks every row; on SQLite Django rebuilds the table, copying the ids as they
are. 0003 cleared any id that named no inspection.
"""

import django.db.models.deletion
from django.db import migrations, models


def fk(constraint: bool):
    return models.ForeignKey(
        blank=True,
        null=True,
        db_constraint=constraint,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="hazards",
        to="inspections.inspection",
        verbose_name="检查记录",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0003_clear_dangling_inspection_ids"),
        ("inspections", "0001_checklists_and_inspections"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="hazard", name="inspection_id"),
                migrations.AddField(model_name="hazard", name="inspection", field=fk(False)),
            ],
        ),
        migrations.AlterField(model_name="hazard", name="inspection", field=fk(True)),
    ]
