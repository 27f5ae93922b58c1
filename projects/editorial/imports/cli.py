"""What the import commands share: --user, a progress bar on stderr, the report of a result."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from projects.editorial.imports.result import REJECT, SKIP

BAR_WIDTH = 30
USER_HELP = (
    "import as this user: their role's rules apply, as in the admin, and the history names "
    "them (without it: drafts and pages in review only, and no name in the history)"
)


def importing_user(username):
    """The user named by --user, or None (the command line's own, Editor-like reach)."""
    if not username:
        return None
    try:
        return get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user {username!r}.") from None


class ProgressBar:
    """`stage [#######.......]  1250/2500` redrawn in place on a command's stderr."""

    def __init__(self, stream):
        self.stream = stream
        self.stage = None

    def __call__(self, stage, done, total):
        if stage != self.stage and self.stage is not None:
            self.stream.write("\n", ending="")
        self.stage = stage
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(f"\r{stage:<9} [{bar}] {done:>6}/{total}", ending="")
        self.stream.flush()

    def close(self):
        if self.stage is not None:
            self.stream.write("\n", ending="")
            self.stream.flush()


def report_result(command, result, verbosity):
    """Every rejected or skipped row always; every row at -v 2. Fails when nothing was written."""
    for row in result.rows:
        if verbosity >= 2 or row.action in {REJECT, SKIP}:
            detail = f" ({', '.join(row.changes)})" if row.changes else ""
            reason = f": {row.reason}" if row.reason else ""
            command.stdout.write(f"{row.row:>10}  {row.action:<9} {row.name}{detail}{reason}")
    for error in result.errors:
        command.stderr.write(error)
    if result.has_errors:
        raise CommandError(result.summary())
    command.stdout.write(command.style.SUCCESS(result.summary()))
