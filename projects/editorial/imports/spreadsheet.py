"""Projects with their team and metrics, as one CSV or XLSX table.

Each row is a record: `project` (the default), `member` or `metric`. Member and
metric rows belong to the project named in their `slug` cell, or to the project
row above them when it is empty. See docs/import-export.md for every column.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

import openpyxl

from projects.editorial.imports import common
from projects.editorial.imports.common import RowError
from projects.editorial.imports.result import CREATE, REJECT, SKIP, UNCHANGED, UPDATE, ImportResult
from projects.models import Project, Qualifier, Stage, Tag, TeamMember, TractionMetric

PROJECT_COLUMNS = [
    "slug", "name", "layer", "position", "one_liner", "description", "our_view",
    "our_view_date", "website", "x_url", "github_url", "docs_url", "founded_year",
    "headquarters", "country", "token_symbol", "stage", "tags", "is_portfolio", "status",
]  # fmt: skip
MEMBER_COLUMNS = ["member_name", "member_role", "member_bio", "member_url", "member_founder"]
METRIC_COLUMNS = [
    "metric_label", "metric_value", "metric_unit", "metric_qualifier", "metric_as_of",
    "metric_source_url", "metric_note", "metric_headline",
]  # fmt: skip
COLUMNS = ["record", *PROJECT_COLUMNS, *MEMBER_COLUMNS, *METRIC_COLUMNS]
RECORDS = {"project", "member", "metric"}
TEXT_FIELDS = ["one_liner", "description", "our_view", "headquarters", "token_symbol"]
URL_FIELDS = ["website", "x_url", "github_url", "docs_url"]
MAX_ROWS = 20_000


class FileError(Exception):
    """The file as a whole cannot be read; the message says why."""


# --- reading ------------------------------------------------------------------------------


def read_table(data, filename):
    """(header, [(row_number, {column: value})]) from CSV or XLSX bytes; blank rows dropped."""
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise FileError(f"{filename}: use a .csv or .xlsx file")
    try:
        return _records(rows)
    except csv.Error as exc:
        raise FileError(f"The CSV file cannot be read: {exc}") from None


def _records(rows):
    header = [str(cell or "").strip().lower() for cell in next(rows, [])]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise FileError(f"Unknown column(s): {', '.join(unknown)}. Known: {', '.join(COLUMNS)}")
    if "name" not in header and "slug" not in header:
        raise FileError("The first row must name the columns, with at least 'name' or 'slug'.")
    records = []
    for number, cells in enumerate(rows, start=2):
        values = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        if any(_blank(value) is False for value in values.values()):
            records.append((number, values))
        if len(records) > MAX_ROWS:
            raise FileError(f"More than {MAX_ROWS} rows: split the file.")
    return header, records


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError("The CSV file is not UTF-8 text: save it as 'CSV UTF-8'.") from None
    return iter(csv.reader(io.StringIO(text)))


def _xlsx_rows(data):
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileError(f"The XLSX file cannot be read: {exc}") from None
    sheet = book["projects"] if "projects" in book.sheetnames else book.worksheets[0]
    return (list(row) for row in sheet.iter_rows(values_only=True))


def _text(value):
    """A cell as text: numbers without a spurious .0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# --- parsing rows ---------------------------------------------------------------------------


@dataclass
class ProjectRow:
    number: int
    slug: str
    name: str
    layer: str
    values: dict
    tags: list | None
    status: str
    team: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    member_rows: list = field(default_factory=list)


def parse_project(number, cells, header):
    """The model values for the columns present; absent columns stay as they are."""
    values = {}
    for name in TEXT_FIELDS:
        if name in header:
            value = cells.get(name)
            # Strings go in as they are: clean_text trims short text and keeps Markdown.
            text = value if isinstance(value, str) else _text(value)
            values[name] = common.clean_text(Project, name, text)
    for name in URL_FIELDS:
        if name in header:
            label = Project._meta.get_field(name).verbose_name
            values[name] = common.clean_url(Project, name, _text(cells.get(name)), label=label)
    if "position" in header:
        values["position"] = (
            common.clean_int(cells.get("position"), label="position", low=0, high=32767) or 0
        )
    if "our_view_date" in header:
        values["our_view_date"] = common.clean_date(cells.get("our_view_date"), label="view date")
    if "founded_year" in header:
        values["founded_year"] = common.clean_int(
            cells.get("founded_year"), label="founded year", low=1990, high=2100
        )
    if "country" in header:
        country = _text(cells.get("country")).upper()
        if country and not (len(country) == 2 and country.isalpha()):
            raise RowError(f"country must be a two-letter code such as US (got {country!r})")
        values["country"] = country
    if "stage" in header:
        values["stage"] = common.clean_choice(Stage.choices, cells.get("stage"), label="stage")
    if "is_portfolio" in header:
        values["is_portfolio"] = common.clean_bool(cells.get("is_portfolio"), label="is_portfolio")
    tags = None
    if "tags" in header:
        tags = [t.strip() for t in _text(cells.get("tags")).split(",") if t.strip()]
        if any(not common.tag_slug(t) for t in tags):
            raise RowError("tags: every tag needs a letter or digit")
    name = common.clean_text(Project, "name", _text(cells.get("name")))
    return ProjectRow(
        number=number,
        slug=_text(cells.get("slug")).lower(),
        name=name,
        layer=_text(cells.get("layer")),
        values=values,
        tags=tags,
        status=_text(cells.get("status")).lower(),
    )


def parse_member(cells):
    return {
        "name": common.clean_text(
            TeamMember, "name", _text(cells.get("member_name")), label="member_name", required=True
        ),
        "role": common.clean_text(TeamMember, "role", _text(cells.get("member_role"))),
        "bio": common.clean_text(TeamMember, "bio", _text(cells.get("member_bio"))),
        "url": common.clean_url(
            TeamMember, "url", _text(cells.get("member_url")), label="member_url"
        ),
        "is_founder": common.clean_bool(cells.get("member_founder"), label="member_founder"),
    }


def parse_metric(cells):
    return {
        "label": common.clean_text(
            TractionMetric,
            "label",
            _text(cells.get("metric_label")),
            label="metric_label",
            required=True,
        ),
        "value": common.clean_decimal(_text(cells.get("metric_value")), label="metric_value"),
        "unit": common.clean_text(TractionMetric, "unit", _text(cells.get("metric_unit"))),
        "qualifier": common.clean_choice(
            Qualifier.choices, cells.get("metric_qualifier"), label="metric_qualifier"
        ),
        "as_of": common.clean_date(
            cells.get("metric_as_of"), label="metric_as_of", required=True, not_future=True
        ),
        "source_url": common.clean_url(
            TractionMetric,
            "source_url",
            _text(cells.get("metric_source_url")),
            label="metric_source_url",
            required=True,
        ),
        "note": common.clean_text(TractionMetric, "note", _text(cells.get("metric_note"))),
        "is_headline": common.clean_bool(cells.get("metric_headline"), label="metric_headline"),
    }


# --- importing ------------------------------------------------------------------------------


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
        key = row.slug or common.slugify(row.name)
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
            slug = common.unique_slug(row.name, self.taken)
        project = Project(slug=slug, name=row.name, layer=layer, status="draft")
        return common.plan_project(
            project,
            row.values,
            tags=self._tags(row.tags),
            team=row.team or None,
            metrics=row.metrics or None,
        )

    def _check_new_slug(self, slug):
        if common.slugify(slug) != slug or len(slug) > 80:
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
            slug = known.slug if known else common.tag_slug(name)
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


def export_rows(map):
    """The map's projects as spreadsheet rows (dicts), in the import's own format."""
    projects = (
        Project.objects.filter(layer__map=map)
        .select_related("layer")
        .prefetch_related("tags", "team", "metrics")
    )
    for project in projects:
        yield _project_row(project)
        for member in project.team.all():
            yield {
                "record": "member", "slug": project.slug, "member_name": member.name,
                "member_role": member.role, "member_bio": member.bio, "member_url": member.url,
                "member_founder": "yes" if member.is_founder else "",
            }  # fmt: skip
        for metric in project.metrics.all():
            yield {
                "record": "metric", "slug": project.slug, "metric_label": metric.label,
                "metric_value": str(metric.value), "metric_unit": metric.unit,
                "metric_qualifier": metric.qualifier, "metric_as_of": metric.as_of.isoformat(),
                "metric_source_url": metric.source_url, "metric_note": metric.note,
                "metric_headline": "yes" if metric.is_headline else "",
            }  # fmt: skip


def _project_row(project):
    row = {"record": "project", "layer": project.layer.slug, "status": project.status}
    for name in ["slug", "name", "position", *TEXT_FIELDS, *URL_FIELDS, "country", "stage"]:
        row[name] = getattr(project, name)
    row["our_view_date"] = project.our_view_date.isoformat() if project.our_view_date else ""
    row["founded_year"] = project.founded_year or ""
    row["tags"] = ", ".join(tag.name for tag in project.tags.all())
    row["is_portfolio"] = "yes" if project.is_portfolio else ""
    return row


def export_spreadsheet(*, map, fmt):
    """The map as CSV or XLSX bytes."""
    rows = export_rows(map)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(name, "") for name in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
