"""Reading a spreadsheet (CSV or XLSX) into project, member and metric rows."""

import csv
import datetime
import io
from dataclasses import dataclass, field

import openpyxl

from projects.editorial.imports import cleaning
from projects.editorial.imports.cleaning import RowError
from projects.models import Project, Qualifier, Stage, TeamMember, TractionMetric

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
            values[name] = cleaning.clean_text(Project, name, text)
    for name in URL_FIELDS:
        if name in header:
            label = Project._meta.get_field(name).verbose_name
            values[name] = cleaning.clean_url(Project, name, _text(cells.get(name)), label=label)
    if "position" in header:
        values["position"] = (
            cleaning.clean_int(cells.get("position"), label="position", low=0, high=32767) or 0
        )
    if "our_view_date" in header:
        values["our_view_date"] = cleaning.clean_date(cells.get("our_view_date"), label="view date")
    if "founded_year" in header:
        values["founded_year"] = cleaning.clean_int(
            cells.get("founded_year"), label="founded year", low=1990, high=2100
        )
    if "country" in header:
        country = _text(cells.get("country")).upper()
        if country and not (len(country) == 2 and country.isalpha()):
            raise RowError(f"country must be a two-letter code such as US (got {country!r})")
        values["country"] = country
    if "stage" in header:
        values["stage"] = cleaning.clean_choice(Stage.choices, cells.get("stage"), label="stage")
    if "is_portfolio" in header:
        values["is_portfolio"] = cleaning.clean_bool(
            cells.get("is_portfolio"), label="is_portfolio"
        )
    tags = None
    if "tags" in header:
        tags = [t.strip() for t in _text(cells.get("tags")).split(",") if t.strip()]
        if any(not cleaning.tag_slug(t) for t in tags):
            raise RowError("tags: every tag needs a letter or digit")
    name = cleaning.clean_text(Project, "name", _text(cells.get("name")))
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
        "name": cleaning.clean_text(
            TeamMember, "name", _text(cells.get("member_name")), label="member_name", required=True
        ),
        "role": cleaning.clean_text(TeamMember, "role", _text(cells.get("member_role"))),
        "bio": cleaning.clean_text(TeamMember, "bio", _text(cells.get("member_bio"))),
        "url": cleaning.clean_url(
            TeamMember, "url", _text(cells.get("member_url")), label="member_url"
        ),
        "is_founder": cleaning.clean_bool(cells.get("member_founder"), label="member_founder"),
    }


def parse_metric(cells):
    return {
        "label": cleaning.clean_text(
            TractionMetric,
            "label",
            _text(cells.get("metric_label")),
            label="metric_label",
            required=True,
        ),
        "value": cleaning.clean_decimal(_text(cells.get("metric_value")), label="metric_value"),
        "unit": cleaning.clean_text(TractionMetric, "unit", _text(cells.get("metric_unit"))),
        "qualifier": cleaning.clean_choice(
            Qualifier.choices, cells.get("metric_qualifier"), label="metric_qualifier"
        ),
        "as_of": cleaning.clean_date(
            cells.get("metric_as_of"), label="metric_as_of", required=True, not_future=True
        ),
        "source_url": cleaning.clean_url(
            TractionMetric,
            "source_url",
            _text(cells.get("metric_source_url")),
            label="metric_source_url",
            required=True,
        ),
        "note": cleaning.clean_text(TractionMetric, "note", _text(cells.get("metric_note"))),
        "is_headline": cleaning.clean_bool(cells.get("metric_headline"), label="metric_headline"),
    }


# --- importing ------------------------------------------------------------------------------
