"""hazardloop load_industries FILE — load the whole GB/T 4754 table from the operator's copy."""

import csv

from django.core.management.base import BaseCommand, CommandError

from hazardloop.core.errors import ServiceError
from hazardloop.registry import services


class Command(BaseCommand):
    help = "载入 GB/T 4754 国民经济行业分类表（UTF-8 文本，每行：代码、名称、上级代码，以制表符或逗号分隔）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        with open(file, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
        delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
        rows = [row for row in csv.reader(text.splitlines(), delimiter=delimiter) if any(row)]
        try:
            created, updated = services.load_industry_classification(rows)
        except ServiceError as error:
            raise CommandError("\n".join([error.message, *error.errors.get("file", [])])) from error
        self.stdout.write(f"新增 {created} 个行业类别，更新 {updated} 个。")
