"""Statistics reminders: sent to enterprises and townships before the due date, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from hazardloop.accounts.models import User
from hazardloop.analytics import services, tasks
from hazardloop.hazards.models import Notification
from hazardloop.registry.choices import EnterpriseStatus
from hazardloop.registry.models import Enterprise


def reminders():
    return Notification.objects.filter(dedupe_key__startswith="statistics-due:")


def test_reminders_go_to_enterprises_and_townships_once(personas):
    result = services.send_statistics_reminders(today=dt.date(2027, 1, 10))
    assert result.periods == ["2026Q4"]
    recipients = set(reminders().values_list("recipient__username", flat=True))
    assert recipients == {"enterprise", "outsider", "township"}
    assert result.sent == 3
    note = reminders().get(recipient=personas.enterprise)
    assert "2027年01月15日" in note.title and "2026年第4季度" in note.title
    assert "第十四条" in note.body
    # The next day's run (and a re-run of the same day) sends nothing again.
    assert services.send_statistics_reminders(today=dt.date(2027, 1, 11)).sent == 0
    assert services.send_statistics_reminders(today=dt.date(2027, 1, 10)).sent == 0
    assert reminders().count() == 3


def test_annual_reminder_is_a_separate_message(personas):
    services.send_statistics_reminders(today=dt.date(2027, 1, 10))
    result = services.send_statistics_reminders(today=dt.date(2027, 1, 26))
    assert result.periods == ["2026"] and result.sent == 3
    assert reminders().filter(recipient=personas.township).count() == 2


def test_nothing_due_nothing_sent(personas):
    assert services.send_statistics_reminders(today=dt.date(2026, 11, 24)).sent == 0
    assert not reminders().exists()


def test_closed_enterprises_and_inactive_users_are_not_reminded(personas, district):
    Enterprise.objects.filter(pk=district.outsider.pk).update(status=EnterpriseStatus.CLOSED)
    User.objects.filter(pk=personas.township.pk).update(is_active=False)
    services.send_statistics_reminders(today=dt.date(2026, 10, 9))
    assert set(reminders().values_list("recipient__username", flat=True)) == {"enterprise"}


def test_reminder_days_setting(personas, settings):
    settings.STATISTICS_REMINDER_DAYS = 2
    assert services.send_statistics_reminders(today=dt.date(2026, 10, 9)).sent == 0
    assert services.send_statistics_reminders(today=dt.date(2026, 10, 13)).sent == 3


def test_command_runs_the_service_once(personas):
    out = StringIO()
    call_command("statistics_reminders", "--date", "2026-10-10", stdout=out)
    assert out.getvalue().strip() == "periods=2026Q3 sent=3"
    out = StringIO()
    call_command("statistics_reminders", "--date", "2026-10-10", stdout=out)
    assert out.getvalue().strip() == "periods=2026Q3 sent=0"


def test_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("statistics_reminders", "--date", "2026-13-40")


def test_task_wraps_the_service(personas):
    result = tasks.statistics_reminders.call("2026-10-10")
    assert result == {"periods": ["2026Q3"], "sent": 3}
