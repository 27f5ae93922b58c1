from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.imports.cli import ProgressBar, report_result
from projects.imports.landscape2 import import_landscape2


class Command(BaseCommand):
    help = (
        "Import a landscape2 data file (landscape.yml): categories become layers, "
        "subcategories tags, items draft projects. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the landscape.yml to import")
        parser.add_argument("--map", required=True, help="slug of the map; created if missing")
        parser.add_argument("--name", default="", help="name of the map when it is created")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")

    def handle(self, *args, file, map, name, dry_run, verbosity, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        progress = ProgressBar(self.stderr) if verbosity >= 1 else None
        result = import_landscape2(
            data=data, map_slug=map, map_name=name, dry_run=dry_run, progress=progress,
            source=str(file),
        )  # fmt: skip
        if progress:
            progress.close()
        report_result(self, result, verbosity)
