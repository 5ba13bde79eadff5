# The status column is unchanged (same type, length, choices and default); only the model's
# field class becomes django-fsm's, which declares the steps. State only: no table is rebuilt.

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0001_enforcement_action"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enforcementaction",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[("in_force", "执行中"), ("fulfilled", "已履行"), ("revoked", "已撤销")],
                        default="in_force",
                        max_length=16,
                        protected=True,
                        verbose_name="状态",
                    ),
                ),
            ],
        ),
    ]
