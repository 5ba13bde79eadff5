from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from hazardloop.analytics import services, tasks


class Command(BaseCommand):
    help = (
        "Remind enterprises and townships of the quarterly and annual hazard statistics falling due "
        "(Order 16 Art. 14); idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as of this day (YYYY-MM-DD), e.g. to catch up a missed run")
        parser.add_argument(
            "--days", type=int, help="remind this many days ahead (default STATISTICS_REMINDER_DAYS)"
        )
        parser.add_argument("--enqueue", action="store_true", help="queue the task for a worker instead")

    def handle(self, *args, date=None, days=None, enqueue=False, **options):
        try:
            day = parse_date(date) if date else None
        except ValueError:
            day = None
        if date and day is None:
            raise CommandError(f"not a date: {date}")
        if days is not None and days < 0:
            raise CommandError("--days must not be negative")
        if enqueue:
            result = tasks.statistics_reminders.enqueue(date)
            self.stdout.write(f"queued {result.id}")
            return
        result = services.send_statistics_reminders(today=day, days=days)
        self.stdout.write(f"periods={','.join(result.periods) or '-'} sent={result.sent}")
