"""Load Vietnam's official administrative units, before and after 01/07/2025, with the links between them."""

import time

from django.core.management.base import BaseCommand, CommandError

from localities import official
from localities.models import Level


class Command(BaseCommand):
    help = (
        "Load the official provinces, districts and communes from the vietnamadminunits dataset: the units "
        "before 01/07/2025 (ending 30/06/2025), those after (from 01/07/2025) and which old commune became "
        "which new one(s). Run again, it changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="CODE_OR_NAME",
            help="Load this province only (old or new; code such as 74 or name such as 'Bình Dương'), with the "
            "units its communes became or came from. Repeat for several. Without it, the whole country.",
        )

    def handle(self, *args, province, **options):
        started = time.monotonic()
        try:
            units = official.read_dataset()
        except official.DatasetMissing as error:
            raise CommandError(str(error)) from error
        if province:
            units = official.select(units, province)
            if not units:
                raise CommandError(f"No province matches {', '.join(province)}: give its code (74) or name.")
        counts = {level: sum(1 for unit in units.values() if unit.level == level) for level in Level}
        self.stdout.write(
            f"Read {counts[Level.PROVINCE]} provinces, {counts[Level.DISTRICT]} districts and "
            f"{counts[Level.COMMUNE]} communes ({time.monotonic() - started:.1f} s)."
        )

        def progress(level, created, updated):
            self.stdout.write(
                f"  {Level(level).label}: {created} created, {updated} updated ({time.monotonic() - started:.1f} s)"
            )

        result = official.load(units, progress=progress)
        if result.stranded:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.stranded)} units that ended on their last day still have assignments running "
                    "past it: move them to the units that succeeded them (the assignment's page), or shorten them: "
                    + ", ".join(f"{unit.display_name} ({unit.code})" for unit in result.stranded[:20])
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f} s: {result.created} units created, {result.updated} "
                f"updated, {result.unchanged} unchanged, {result.links} links to successors added."
            )
        )
