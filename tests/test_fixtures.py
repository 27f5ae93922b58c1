"""The real maps, as `make run` loads them: complete, sourced and consistent."""

import datetime

import pytest
from django.core.management import call_command

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.models import Project, TeamMember, TractionMetric

ESSAY_PROJECTS_WITH_A_VIEW = 8
pytestmark = pytest.mark.usefixtures("real_maps")


def test_decentralized_ai_map_has_nine_layers_and_35_published_projects():
    deai = Map.objects.get(slug="decentralized-ai")

    assert deai.status == Status.PUBLISHED
    assert deai.layers.count() == 9
    assert Project.objects.published().filter(layer__map=deai).count() == 35
    assert Project.objects.published().count() == 35


def test_every_layer_of_the_map_holds_projects():
    counts = {layer.name: layer.projects.count() for layer in Layer.objects.filter(map_id=1)}

    assert all(counts.values()), counts
    assert sum(counts.values()) == 35


def test_companion_maps_exist_as_unpublished_drafts():
    companions = Map.objects.exclude(slug="decentralized-ai")

    assert sorted(m.slug for m in companions) == ["physical-ai", "semiconductor-stack"]
    assert {m.status for m in companions} == {Status.DRAFT}
    assert all(m.layers.exists() for m in companions)


def test_every_metric_has_a_source_url_and_a_past_as_of_date():
    metrics = TractionMetric.objects.all()

    assert metrics.count() >= 35
    for metric in metrics:
        assert metric.source_url.startswith(("http://", "https://")), metric
        assert metric.as_of <= datetime.date.today(), metric


def test_essay_figures_are_sourced_to_the_essay():
    essay = TractionMetric.objects.filter(source_url__contains="blog.canonical.cc")
    projects = set(essay.values_list("project__name", flat=True))

    assert {"x402", "Aethir", "EigenCloud"} <= projects
    assert essay.filter(value=161_000_000).exists()


def test_our_view_is_given_only_where_the_essay_argues():
    with_view = Project.objects.exclude(our_view="")

    assert with_view.count() == ESSAY_PROJECTS_WITH_A_VIEW
    assert all(p.our_view_date for p in with_view)
    assert not Project.objects.filter(our_view="", our_view_date__isnull=False).exists()


def test_slugs_are_unique_and_every_project_has_a_description():
    slugs = list(Project.objects.values_list("slug", flat=True))

    assert len(slugs) == len(set(slugs))
    assert not Project.objects.published().filter(description="").exists()
    assert not Project.objects.published().filter(one_liner="").exists()


def test_founders_are_recorded_as_team_members():
    near = Project.objects.get(name__startswith="NEAR")

    assert "Illia Polosukhin" in near.team.values_list("name", flat=True)
    assert TeamMember.objects.filter(is_founder=True).count() >= 30


def test_the_content_passes_model_validation():
    for obj in [*Project.objects.all(), *TeamMember.objects.all(), *TractionMetric.objects.all()]:
        obj.full_clean()


def test_loading_the_fixtures_twice_changes_nothing():
    before = (Project.objects.count(), TractionMetric.objects.count())
    call_command("loaddata", "decentralized-ai", "companion-maps", verbosity=0)

    assert (Project.objects.count(), TractionMetric.objects.count()) == before
