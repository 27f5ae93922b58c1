from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from projects.editorial.imports.cli import USER_HELP, importing_user, report_result
from projects.editorial.imports.mapjson import import_map


class Command(BaseCommand):
    help = (
        "Import a map exported by export_map. Projects arrive as drafts unless --keep-status "
        "restores the statuses and publication dates of the export."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the JSON file written by export_map")
        parser.add_argument(
            "--keep-status", action="store_true", help="restore statuses (a full restore)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument("--user", default="", help=USER_HELP)

    def handle(self, *args, file, keep_status, dry_run, user, verbosity, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            result = import_map(
                document=text, user=importing_user(user), keep_status=keep_status,
                dry_run=dry_run, source=str(file),
            )  # fmt: skip
        except PermissionDenied as refusal:
            raise CommandError(str(refusal)) from None
        report_result(self, result, verbosity)
