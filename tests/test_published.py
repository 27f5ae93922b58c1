"""`Project.objects.published()` is the one definition of what the public may see."""

import pytest

from dealmap.editorial import Status
from projects.models import Project
from tests.factories import make_layer, make_map, make_project


@pytest.mark.django_db
def test_published_keeps_only_published_projects_on_published_maps():
    live = make_layer(map=make_map(status=Status.PUBLISHED))
    visible = make_project(layer=live, status=Status.PUBLISHED)
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED):
        make_project(layer=live, status=status)

    assert list(Project.objects.published()) == [visible]


@pytest.mark.django_db
@pytest.mark.parametrize("map_status", [Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED])
def test_published_projects_on_an_unpublished_map_stay_hidden(map_status):
    hidden_map = make_layer(map=make_map(status=map_status))
    make_project(layer=hidden_map, status=Status.PUBLISHED)

    assert list(Project.objects.published()) == []


@pytest.mark.django_db
def test_published_is_a_queryset_verb_that_chains():
    layer = make_layer()
    make_project(layer=layer, name="Zeta")
    make_project(layer=layer, name="Alpha")

    names = Project.objects.published().filter(layer=layer).order_by("name")
    assert [p.name for p in names] == ["Alpha", "Zeta"]
