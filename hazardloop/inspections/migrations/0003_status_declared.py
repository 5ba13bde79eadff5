# The status column is unchanged (same type, length, choices and default); only the model's
# field class becomes django-fsm's, which declares the steps. State only: no table is rebuilt.

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_seed_checklists"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checklistversion",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[("draft", "草稿"), ("published", "已发布")],
                        default="draft",
                        max_length=16,
                        protected=True,
                        verbose_name="状态",
                    ),
                ),
                migrations.AlterField(
                    model_name="inspection",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[("draft", "草稿"), ("submitted", "已提交"), ("acknowledged", "企业已确认")],
                        db_index=True,
                        default="draft",
                        max_length=16,
                        protected=True,
                        verbose_name="状态",
                    ),
                ),
            ],
        ),
    ]
