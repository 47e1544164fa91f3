import datetime
from dataclasses import fields

from django.core.management.base import BaseCommand, CommandError

from demo.scale_data import FIRST_TODAY, Counts, RefusedError, generate


class Command(BaseCommand):
    help = (
        "Fill an empty database with a national-scale data set for benchmarks: Vietnam's official administrative "
        "units (both maps, localities/official.py), then, over a year on today's map (34 provinces, their 3,321 "
        "communes), 100,000 synthetic cadres and 3 million daily notes by default, with an account for each scoped "
        "role (sc-organiser-<unit pk>, sc-supervisor-<province pk>, sc-unit-<unit pk>, sc-province-<province pk>, "
        "sc-commune-<pk>: demo/scale_data.py). COPY on PostgreSQL, bulk inserts on SQLite."
    )

    def add_arguments(self, parser):
        for field in fields(Counts):
            parser.add_argument(
                "--" + field.name.replace("_", "-"),
                type=int,
                default=field.default,
                help="; ".join(filter(None, [field.metadata.get("help"), f"default {field.default:,}"])),
            )
        parser.add_argument("--seed", type=int, default=2021, help="same seed, same data (default 2021)")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help=f"the day the data set is built around, YYYY-MM-DD, {FIRST_TODAY} or later (default: today)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the data set even though the database already holds cadres, assignments or notes",
        )

    def handle(self, *args, **options):
        counts = Counts(**{field.name: options[field.name] for field in fields(Counts)})
        try:
            totals = generate(
                counts, seed=options["seed"], force=options["force"], today=options["today"], write=self.stdout.write
            )
        except RefusedError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(self.style.SUCCESS(f"Scale data loaded: {sum(totals.values()):,} rows."))
        for table, rows in totals.items():
            self.stdout.write(f"  {table:<28} {rows:>10,}")
