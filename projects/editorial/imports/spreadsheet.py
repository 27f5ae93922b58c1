"""Projects with their team and metrics, as one CSV or XLSX table.

Each row is a record: `project` (the default), `member` or `metric`. Member and
metric rows belong to the project named in their `slug` cell, or to the project
row above them when it is empty. See docs/import-export.md for every column.
"""

from django.utils.text import slugify

from projects.editorial.imports import cleaning, common
from projects.editorial.imports.cleaning import RowError
from projects.editorial.imports.result import CREATE, REJECT, SKIP, UNCHANGED, UPDATE, ImportResult
from projects.editorial.imports.spreadsheet_rows import (
    RECORDS,
    FileError,
    ProjectRow,
    _text,
    parse_member,
    parse_metric,
    parse_project,
    read_table,
)
from projects.models import Project, Tag


def import_spreadsheet(*, data, filename, map, user=None, dry_run=False):
    """Create or update the map's projects, with team and metrics, from a CSV or XLSX file.

    New projects are drafts. A row that would change a project this user may not change
    in the admin is rejected; any rejected row means nothing is written.
    """
    common.require_permissions(user, "projects.add_project", "projects.change_project")
    result = ImportResult(source=filename, dry_run=dry_run)
    try:
        header, records = read_table(data, filename)
    except FileError as exc:
        result.errors.append(str(exc))
        return result
    importer = _SpreadsheetImport(result, header, map, user)
    common.run_atomically(result, dry_run=dry_run, work=lambda: importer.run(records), user=user)
    result.rows.sort(key=lambda row: int(row.row))
    return result


class _SpreadsheetImport:
    def __init__(self, result, header, map, user):
        self.result, self.header, self.map, self.user = result, header, map, user
        self.rows = []  # ProjectRow, in file order
        self.by_key = {}
        self.planned = {}  # project pk -> the row that already changes it

    def run(self, records):
        self._parse(records)
        self._load()
        plans = [plan for row in self.rows if (plan := self._plan(row)) is not None]
        if self.result.has_errors:
            return ()
        common.apply_project_plans(plans, user=self.user, tags_by_slug=self.tags_by_slug)
        return common.written_projects(plans)

    # Reading the rows: no queries.

    def _parse(self, records):
        current = None
        for number, cells in records:
            record = _text(cells.get("record")).lower() or "project"
            if record not in RECORDS:
                self.result.reject(
                    number, "", f"record must be project, member or metric (got {record!r})"
                )
            elif record == "project":
                current = self._parse_project(number, cells)
            else:
                self._parse_related(number, cells, record, current)

    def _parse_project(self, number, cells):
        """The row's ProjectRow, or the row number when it is rejected."""
        try:
            row = parse_project(number, cells, self.header)
        except RowError as exc:
            self.result.reject(number, _text(cells.get("name")), str(exc))
            return number
        key = row.slug or slugify(row.name)
        if not key:
            self.result.reject(number, "", "name is required")
            return number
        if key in self.by_key and self.by_key[key].number:
            first = self.by_key[key].number
            self.result.reject(number, row.name, f"the same project as row {first}")
            return number
        if key in self.by_key:  # named earlier by a member or metric row
            row.team, row.metrics = self.by_key[key].team, self.by_key[key].metrics
            row.member_rows = self.by_key[key].member_rows
            self.rows.remove(self.by_key[key])
        self.by_key[key] = row
        self.rows.append(row)
        return row

    def _parse_related(self, number, cells, record, current):
        try:
            values = parse_member(cells) if record == "member" else parse_metric(cells)
        except RowError as exc:
            label = cells.get("member_name" if record == "member" else "metric_label")
            self.result.reject(number, _text(label), str(exc))
            return
        label = values.get("name") or values.get("label")
        slug = _text(cells.get("slug")).lower()
        target = self.by_key.get(slug) if slug else current
        if isinstance(target, int):
            self.result.add(number, label, SKIP, f"its project (row {target}) is rejected")
            return
        if slug and target is None:
            # The project is not in the file: it must already exist (checked in _plan).
            target = ProjectRow(0, slug, "", "", {}, None, "")
            self.by_key[slug] = target
            self.rows.append(target)
        if target is None:
            reason = "no project for this row: fill in slug, or put the row under its project"
            self.result.reject(number, label, reason)
            return
        items = target.team if record == "member" else target.metrics
        items.append({**values, "position": len(items)})
        target.member_rows.append((number, record, label))

    # Looking up what exists: one query per kind of object.

    def _load(self):
        layers = list(self.map.layers.all())
        self.layers = {layer.slug: layer for layer in layers}
        self.layers.update({layer.name.lower(): layer for layer in layers})
        projects = list(
            Project.objects.filter(layer__map=self.map)
            .select_related("layer")
            .prefetch_related("tags", "team", "metrics")
        )
        self.projects = {project.slug: project for project in projects}
        self.projects_by_name = {project.name.lower(): project for project in projects}
        self.taken = set(Project.objects.order_by().values_list("slug", flat=True))
        self.tags_by_slug = {tag.slug: tag for tag in Tag.objects.all()}
        self.tags_by_name = {tag.name.lower(): tag for tag in self.tags_by_slug.values()}

    # Deciding each project's fate.

    def _plan(self, row):
        existing = self._existing(row)
        if existing is not None and existing.pk in self.planned:
            self._report(row, REJECT, f"the same project as row {self.planned[existing.pk]}")
            return None
        if existing is not None:
            self.planned[existing.pk] = row.number or row.slug
        try:
            plan = self._plan_existing(row, existing) if existing else self._plan_new(row)
        except RowError as exc:
            self._report(row, REJECT, str(exc))
            return None
        if reason := self._refusal(plan):
            self._report(row, REJECT, reason, plan)
            return None
        if existing is None:
            self._report(row, CREATE, "new draft", plan)
        elif not plan.has_changes:
            self._report(row, UNCHANGED, "", plan)
        else:
            self._report(row, UPDATE, common.update_note(existing), plan)
        return plan

    def _refusal(self, plan):
        if not plan.has_changes:
            return ""  # a row that changes nothing is fine, whatever the status
        return common.refusal(self.user, plan, tags_by_slug=self.tags_by_slug)

    def _existing(self, row):
        if row.slug:
            return self.projects.get(row.slug)
        return self.projects_by_name.get(row.name.lower())

    def _check_status(self, row, current):
        if row.status and row.status != current:
            raise RowError(
                f"status {row.status!r}: an import never changes a status; imported projects "
                "are drafts, and a publisher publishes them in the admin"
            )

    def _plan_new(self, row):
        if not row.number:
            raise RowError(f"no project {row.slug!r} on {self.map.name}, and no project row for it")
        self._check_status(row, "draft")
        if not row.name:
            raise RowError("name is required for a new project")
        layer = self._layer(row, required=True)
        if row.slug:
            self._check_new_slug(row.slug)
            slug = row.slug
            self.taken.add(slug)
        else:
            slug = cleaning.unique_slug(row.name, self.taken)
        project = Project(slug=slug, name=row.name, layer=layer, status="draft")
        return common.plan_project(
            project,
            row.values,
            tags=self._tags(row.tags),
            team=row.team or None,
            metrics=row.metrics or None,
        )

    def _check_new_slug(self, slug):
        if slugify(slug) != slug or len(slug) > 80:
            raise RowError(f"slug {slug!r} may hold only lower-case letters, digits and hyphens")
        if slug in self.taken:
            raise RowError(f"slug {slug!r} belongs to a project on another map")

    def _plan_existing(self, row, project):
        self._check_status(row, project.status)
        values = dict(row.values)
        if row.name:
            values["name"] = row.name
        if row.layer:
            values["layer"] = self._layer(row)
        return common.plan_project(
            project,
            values,
            tags=self._tags(row.tags),
            team=row.team or None,
            metrics=row.metrics or None,
        )

    def _layer(self, row, required=False):
        layer = self.layers.get(row.layer) or self.layers.get(row.layer.lower())
        if layer is None and (row.layer or required):
            names = ", ".join(sorted({layer.slug for layer in self.layers.values()}))
            raise RowError(f"layer {row.layer!r} is not a layer of {self.map.name} ({names})")
        return layer

    def _tags(self, names):
        if names is None:
            return None
        slugs = []
        for name in names:
            # An existing tag is found by its name ("Zero-knowledge") or its slug ("zk").
            known = self.tags_by_name.get(name.lower())
            slug = known.slug if known else cleaning.tag_slug(name)
            if slug not in self.tags_by_slug:
                self.tags_by_slug[slug] = Tag(slug=slug, name=name[:60])
            slugs.append(slug)
        return slugs

    def _report(self, row, action, reason, plan=None):
        if row.number:
            changes = plan.describe() if plan and action in {UPDATE, REJECT} else []
            self.result.add(row.number, row.name, action, reason, changes)
        for number, record, label in row.member_rows:
            self.result.add(number, label, *self._related_action(row, action, reason, record, plan))

    def _related_action(self, row, action, reason, record, plan):
        if action == REJECT and not row.number:
            # The project has no row of its own: the refusal shows on the rows that change it.
            return REJECT, reason
        if action == REJECT:
            return SKIP, f"its project (row {row.number}) is rejected"
        if action == CREATE:
            return CREATE, ""
        what = "team" if record == "member" else "metrics"
        if getattr(plan, what) is None:
            return UNCHANGED, ""
        return UPDATE, f"replaces the project's {what}"


# --- exporting ------------------------------------------------------------------------------
