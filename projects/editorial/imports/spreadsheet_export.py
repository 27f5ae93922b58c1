"""The map as a spreadsheet: the same columns the import reads."""

import csv
import io

import openpyxl

from projects.editorial.imports.spreadsheet_rows import COLUMNS, TEXT_FIELDS, URL_FIELDS
from projects.models import Project


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
