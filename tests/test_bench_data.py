"""The benchmark's generator: the right counts, and the hidden projects stay hidden."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from bench.generate import BENCH_MAP_SLUG, HIDDEN_MAP_SLUG, generate, hidden_counts
from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.filters import ProjectFilter
from projects.models import Project, TeamMember, TractionMetric
from tests.factories import make_project


def _quiet(message):
    pass


@pytest.fixture
def generated(db):
    generate(projects=30, log=_quiet)


def test_generator_makes_the_published_projects_with_their_rows(generated):
    published = Project.objects.published()

    assert published.count() == 30
    assert TeamMember.objects.filter(project__in=published).count() == 90
    assert TractionMetric.objects.filter(project__in=published).count() == 90
    assert Layer.objects.filter(map__slug=BENCH_MAP_SLUG).count() == 9
    assert published.filter(tags__isnull=True).count() == 0


def test_generator_hides_drafts_and_the_unpublished_map(generated):
    drafts, unpublished = hidden_counts(30)
    hidden = Project.objects.exclude(pk__in=Project.objects.published())

    assert hidden.count() == drafts + unpublished
    on_bench_map = hidden.filter(layer__map__slug=BENCH_MAP_SLUG)
    assert on_bench_map.exclude(status=Status.PUBLISHED).count() == drafts
    assert hidden.filter(layer__map__slug=HIDDEN_MAP_SLUG, status=Status.PUBLISHED).count() == (
        unpublished
    )
    assert Map.objects.published().filter(slug=HIDDEN_MAP_SLUG).count() == 0


def test_generator_is_deterministic(db):
    generate(projects=12, seed=7, log=_quiet)
    first = list(Project.objects.order_by("id").values_list("name", "description"))
    Project.objects.all().delete()
    Map.objects.all().delete()

    generate(projects=12, seed=7, log=_quiet)

    assert list(Project.objects.order_by("id").values_list("name", "description")) == first


def test_generator_leaves_sequences_ready_for_new_rows(generated):
    latest = Project.objects.order_by("-id").first()

    project = make_project(layer=latest.layer)

    assert project.id > latest.id


def test_generator_refuses_a_database_that_has_the_maps(generated):
    with pytest.raises(ValueError, match="exist already"):
        generate(projects=5, log=_quiet)


def test_management_command_reports_what_it_made(db, capsys):
    call_command("generate_bench_data", projects=10)

    assert Project.objects.published().count() == 10
    assert "Generated 10 projects" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_scale_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'projects_project'")
        names = {row[0] for row in cursor.fetchall()}

    assert {
        "project_published_name",
        "project_published_updated",
        "project_published_published",
        "project_published_founded",
        "project_published_layer",
        "project_name_trgm",
        "project_name_upper_trgm",
        "project_oneliner_upper_trgm",
        "project_search_document",
    } <= names


def test_filterset_filters_generated_projects_by_layer_and_stage(generated):
    params = QueryDict("layer=compute&layer=data&stage=seed&ordering=name")
    published = Project.objects.published()

    filtered = ProjectFilter(params, queryset=published).qs

    expected = published.filter(layer__slug__in=["compute", "data"], stage="seed").order_by("name")
    assert list(filtered) == list(expected)
    # DISTINCT would make PostgreSQL sort every match before the page is cut.
    assert "DISTINCT" not in str(filtered.query)
