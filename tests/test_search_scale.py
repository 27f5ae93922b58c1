"""Search at scale on PostgreSQL: every way of matching reads an index, and the
stored search document follows edits (it is kept by a trigger, not by Django)."""

import pytest
from django.db import connection

from bench.generate import generate
from projects.models import Project
from projects.search import search_projects
from tests.factories import make_project

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search indexes are PostgreSQL's"
)


def _quiet(message):
    pass


def _names(q):
    return [p.name for p in search_projects(Project.objects.published(), q)]


def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_search_reads_the_indexes(db):
    generate(projects=30, log=_quiet)
    # With sequential scans discouraged, each way of matching must find its index;
    # a drift between search.py and migration 0007 shows up here. Any status: on 30
    # rows the planner would rather walk a whole published-only index than a GIN
    # index (bench/explain.py shows the published plans at 100,000).
    plan = _plan(search_projects(Project.objects.all(), "bitensor"))

    for index in [
        "project_search_document",
        "project_name_trgm",
        "project_name_upper_trgm",
        "teammember_search_name",
    ]:
        assert index in plan


def test_search_document_follows_an_edit(db):
    project = make_project(name="Nillion", description="Blind computation for private data.")
    assert _names("blind") == ["Nillion"]

    project.description = "Secret sharing across many nodes."
    project.save()

    assert _names("blind") == []
    assert _names("sharing") == ["Nillion"]
