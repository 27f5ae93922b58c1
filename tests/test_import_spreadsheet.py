"""Spreadsheets of projects with their team and metrics: preview, reject, import as drafts."""

import datetime
import decimal
import io

import openpyxl
import pytest

from dealmap.editorial import Status
from layers.models import Map
from projects.editorial.imports.result import CREATE, REJECT, SKIP, UNCHANGED, UPDATE, RowResult
from projects.editorial.imports.spreadsheet import import_spreadsheet
from projects.editorial.imports.spreadsheet_export import export_spreadsheet
from projects.models import Project, TeamMember, TractionMetric
from tests.factories import make_layer, make_map, make_member, make_metric, make_project
from tests.imports_helpers import csv_bytes

VENICE = {"record": "project", "name": "Venice", "layer": "inference", "website":
          "https://venice.ai", "tags": "privacy, inference", "stage": "Series A"}  # fmt: skip
FOUNDER = {"record": "member", "member_name": "Erik Voorhees", "member_role": "Founder",
           "member_founder": "yes"}  # fmt: skip
USERS = {"record": "metric", "metric_label": "users", "metric_value": "1,200,000",
         "metric_as_of": "2026-01-15", "metric_source_url": "https://venice.ai/blog"}  # fmt: skip


@pytest.fixture
def deai(db):
    map = make_map(slug="deai", name="Decentralized AI")
    make_layer(map=map, slug="inference", name="Inference")
    return map


def _rows(result):
    return [(row.row, row.name, row.action) for row in result.rows]


def test_spreadsheet_import_creates_draft_projects_with_team_and_metrics(deai):
    data = csv_bytes([VENICE, FOUNDER, USERS])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert _rows(result) == [
        ("2", "Venice", CREATE), ("3", "Erik Voorhees", CREATE), ("4", "users", CREATE),
    ]  # fmt: skip
    assert result.applied
    venice = Project.objects.get()
    assert (venice.slug, venice.status, venice.stage) == ("venice", Status.DRAFT, "series_a")
    assert sorted(venice.tags.values_list("slug", flat=True)) == ["inference", "privacy"]
    assert list(venice.team.values_list("name", "role", "is_founder")) == [
        ("Erik Voorhees", "Founder", True)
    ]
    assert list(venice.metrics.values_list("label", "value", "as_of")) == [
        ("users", decimal.Decimal("1200000.00"), datetime.date(2026, 1, 15))
    ]


def test_spreadsheet_dry_run_writes_nothing(deai):
    data = csv_bytes([VENICE, FOUNDER, USERS])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai, dry_run=True)

    assert [row.action for row in result.rows] == [CREATE, CREATE, CREATE]
    assert not result.applied
    assert "dry run: nothing written" in result.summary()
    assert (Project.objects.count(), TeamMember.objects.count()) == (0, 0)


def test_spreadsheet_bad_row_is_rejected_with_its_number_and_reason_and_nothing_written(deai):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    data = csv_bytes([VENICE, FOUNDER, {**USERS, "metric_as_of": tomorrow}])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert result.rejected == [
        RowResult("4", "users", REJECT, f"metric_as_of {tomorrow} is in the future")
    ]
    assert not result.applied
    assert "nothing written" in result.summary()
    assert (Project.objects.count(), TractionMetric.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"website": "javascript:alert(1)"},
         "website must start with http:// or https:// (got 'javascript:alert(1)')"),
        ({"layer": "nowhere"}, "layer 'nowhere' is not a layer of Decentralized AI (inference)"),
        ({"founded_year": "1850"}, "founded year must be between 1990 and 2100 (got 1850)"),
        ({"stage": "unicorn"},
         "stage 'unicorn' is not one of: Seed, Series A, Series B+, Growth, Live network, "
         "Open protocol"),
    ],
)  # fmt: skip
def test_spreadsheet_bad_project_value_is_rejected_with_reason(deai, bad, reason):
    data = csv_bytes([{**VENICE, "name": "Gensyn", "website": "https://gensyn.ai"},
                      {**VENICE, **bad}])  # fmt: skip

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert result.rejected == [RowResult("3", "Venice", REJECT, reason)]
    assert Project.objects.count() == 0


def test_spreadsheet_status_column_cannot_publish(deai):
    data = csv_bytes([{**VENICE, "status": "published"}, FOUNDER])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert [(row.row, row.action) for row in result.rows] == [("2", REJECT), ("3", SKIP)]
    assert result.rows[0].reason.startswith("status 'published': an import never changes")
    assert Project.objects.count() == 0


def test_spreadsheet_change_to_a_published_project_is_rejected(deai):
    make_project(layer=deai.layers.get(), slug="venice", name="Venice", status=Status.PUBLISHED)
    data = csv_bytes([{**VENICE, "slug": "venice", "one_liner": "Private AI"}])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert result.rejected[0].reason.startswith(
        "'Venice' is published; without --user the command line changes drafts and pages in review"
    )
    assert Project.objects.get().one_liner == ""


def test_spreadsheet_update_of_a_draft_replaces_its_team_and_keeps_other_fields(deai):
    venice = make_project(layer=deai.layers.get(), slug="venice", name="Venice",
                          status=Status.DRAFT, one_liner="Private AI")  # fmt: skip
    make_member(project=venice, name="Someone Else")
    columns = ["record", "slug", "website", "member_name", "member_role"]
    data = csv_bytes(
        [{"slug": "venice", "website": "https://venice.ai"},
         {"record": "member", "member_name": "Erik Voorhees", "member_role": "Founder"}],
        columns,
    )  # fmt: skip

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert [(row.action, row.changes) for row in result.rows] == [
        (UPDATE, ["website", "team"]), (UPDATE, []),
    ]  # fmt: skip
    venice.refresh_from_db()
    assert (venice.website, venice.one_liner, venice.version) == ("https://venice.ai",
                                                                  "Private AI", 2)  # fmt: skip
    assert list(venice.team.values_list("name", flat=True)) == ["Erik Voorhees"]


def test_spreadsheet_member_row_without_a_project_is_rejected(deai):
    data = csv_bytes([FOUNDER])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert result.rejected == [
        RowResult("2", "Erik Voorhees", REJECT,
                  "no project for this row: fill in slug, or put the row under its project")
    ]  # fmt: skip


def test_spreadsheet_unknown_column_is_refused_before_any_row(deai):
    data = b"name,webiste\nVenice,https://venice.ai\n"

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert result.errors[0].startswith("Unknown column(s): webiste.")
    assert Project.objects.count() == 0


def test_spreadsheet_xlsx_export_imports_back_unchanged(deai):
    venice = make_project(layer=deai.layers.get(), slug="venice", name="Venice",
                          status=Status.PUBLISHED, founded_year=2024)  # fmt: skip
    make_member(project=venice, name="Erik Voorhees", is_founder=True)
    make_metric(project=venice, label="users", value=decimal.Decimal("1200000.50"))
    data = export_spreadsheet(map=deai, fmt="xlsx")

    result = import_spreadsheet(data=data, filename="deai.xlsx", map=deai)

    assert [row.action for row in result.rows] == [UNCHANGED, UNCHANGED, UNCHANGED]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[2]][:3] == ["project", "venice", "Venice"]


def test_spreadsheet_xlsx_import_creates_drafts(deai):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "layer", "founded_year"])
    sheet.append(["Venice", "Inference", 2024])
    buffer = io.BytesIO()
    book.save(buffer)

    result = import_spreadsheet(data=buffer.getvalue(), filename="deai.xlsx", map=deai)

    assert _rows(result) == [("2", "Venice", CREATE)]
    assert Project.objects.values_list("name", "founded_year", "status").get() == (
        "Venice", 2024, Status.DRAFT,
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_export_of_the_real_map_imports_back_unchanged(real_maps, fmt):
    map = Map.objects.get(slug="decentralized-ai")
    data = export_spreadsheet(map=map, fmt=fmt)

    result = import_spreadsheet(data=data, filename=f"deai.{fmt}", map=map)

    assert not result.has_errors, result.rejected
    assert {row.action for row in result.rows} == {UNCHANGED}
    assert sum(row.action == UNCHANGED for row in result.rows) > 35


def test_spreadsheet_import_is_refused_to_a_user_without_change_permission(deai):
    from django.core.exceptions import PermissionDenied

    from tests.imports_helpers import staff_user

    viewer = staff_user("carol", "projects.view_project", "projects.add_project")

    with pytest.raises(PermissionDenied, match=r"missing permission projects\.change_project"):
        import_spreadsheet(data=csv_bytes([VENICE]), filename="deai.csv", map=deai, user=viewer)
    assert Project.objects.count() == 0


def test_spreadsheet_csv_that_is_not_utf8_is_a_clear_error(deai):
    result = import_spreadsheet(data="name\nZürich AI\n".encode("latin-1"), filename="d.csv",
                                map=deai)  # fmt: skip

    assert result.errors == ["The CSV file is not UTF-8 text: save it as 'CSV UTF-8'."]


def test_spreadsheet_rows_under_a_rejected_project_are_skipped_with_their_reason(deai):
    data = csv_bytes([{**VENICE, "website": "venice.ai"}, FOUNDER, USERS])

    result = import_spreadsheet(data=data, filename="deai.csv", map=deai)

    assert [(row.row, row.action, row.reason) for row in result.rows] == [
        ("2", REJECT, "website must start with http:// or https:// (got 'venice.ai')"),
        ("3", SKIP, "its project (row 2) is rejected"),
        ("4", SKIP, "its project (row 2) is rejected"),
    ]
