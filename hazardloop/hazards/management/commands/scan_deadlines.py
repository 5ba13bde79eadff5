from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from hazardloop.hazards import services, tasks


class Command(BaseCommand):
    help = "Flag overdue hazards, escalate overdue major hazards and remind owners of deadlines (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as of this day (YYYY-MM-DD), e.g. to catch up a missed run")
        parser.add_argument("--enqueue", action="store_true", help="queue the task for a worker instead")

    def handle(self, *args, date=None, enqueue=False, **options):
        try:
            day = parse_date(date) if date else None
        except ValueError:
            day = None
        if date and day is None:
            raise CommandError(f"not a date: {date}")
        if enqueue:
            result = tasks.scan_deadlines.enqueue(date)
            self.stdout.write(f"queued {result.id}")
            return
        result = services.scan_deadlines(today=day)
        self.stdout.write(
            f"overdue={result.overdue} escalated={result.escalated} reminded={result.reminded}"
            f" unconfirmed={result.unconfirmed}"
        )
