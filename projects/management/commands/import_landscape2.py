from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from projects.editorial.imports.cli import USER_HELP, ProgressBar, importing_user, report_result
from projects.editorial.imports.landscape2 import import_landscape2


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
        parser.add_argument("--user", default="", help=USER_HELP)

    def handle(self, *args, file, map, name, dry_run, user, verbosity, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        user = importing_user(user)
        progress = ProgressBar(self.stderr) if verbosity >= 1 else None
        try:
            result = import_landscape2(
                data=data, map_slug=map, map_name=name, user=user, dry_run=dry_run,
                progress=progress, source=str(file),
            )  # fmt: skip
        except PermissionDenied as refusal:
            raise CommandError(str(refusal)) from None
        finally:
            if progress:
                progress.close()
        report_result(self, result, verbosity)
