"""What an import did, or would do, row by row."""

from dataclasses import dataclass, field

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
SKIP = "skip"
REJECT = "reject"


@dataclass
class RowResult:
    """One row of the file: where it is, what it names, what happens to it and why."""

    row: str
    name: str
    action: str
    reason: str = ""
    changes: list[str] = field(default_factory=list)

    @property
    def rejected(self):
        return self.action == REJECT


@dataclass
class ImportResult:
    """Every row's fate. `applied` is true only when the rows were written and kept."""

    source: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    applied: bool = False

    def add(self, row, name, action, reason="", changes=()):
        result = RowResult(str(row), name, action, reason, list(changes))
        self.rows.append(result)
        return result

    def reject(self, row, name, reason):
        return self.add(row, name, REJECT, reason)

    @property
    def has_errors(self):
        return bool(self.errors) or any(row.rejected for row in self.rows)

    @property
    def rejected(self):
        return [row for row in self.rows if row.rejected]

    def counts(self):
        counts = dict.fromkeys([CREATE, UPDATE, UNCHANGED, SKIP, REJECT], 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def summary(self):
        counts = ", ".join(f"{n} {action}" for action, n in self.counts().items() if n)
        if self.errors or self.rejected:
            outcome = "nothing written: the file has errors"
        elif self.dry_run:
            outcome = "dry run: nothing written"
        elif not (self.counts()[CREATE] or self.counts()[UPDATE]):
            outcome = "nothing to change"
        else:
            outcome = "written"
        return f"{self.source}: {counts or 'no rows'} ({outcome})"
