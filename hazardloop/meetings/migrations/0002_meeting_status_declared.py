# The status column is unchanged (varchar(24), same choices and default); only the model's field
# class becomes django-fsm's, which declares the steps. State only, so no table is rebuilt.

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_meetings_packs_minutes_decisions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="meeting",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[("scheduled", "已安排"), ("held", "已召开"), ("minutes_published", "纪要已发布")],
                        default="scheduled",
                        max_length=24,
                        protected=True,
                        verbose_name="状态",
                    ),
                ),
            ],
        ),
    ]
