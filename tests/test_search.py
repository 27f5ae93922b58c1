"""Search finds a project by name, one-liner, description, team member and tag."""

import pytest
from django.db import connection

from projects.filters import ProjectFilter
from projects.models import Project, Tag
from projects.search import search_projects
from tests.factories import make_member, make_project


@pytest.fixture
def catalogue(db):
    bittensor = make_project(name="Bittensor", one_liner="Subnets compete for emissions")
    venice = make_project(name="Venice", description="Private inference with no data retention")
    make_member(project=venice, name="Erik Voorhees")
    zama = make_project(name="Zama")
    zama.tags.add(Tag.objects.create(slug="fhe", name="FHE"))
    return {"bittensor": bittensor, "venice": venice, "zama": zama}


def _names(q):
    return [p.name for p in search_projects(Project.objects.published(), q)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Bittensor", ["Bittensor"]),
        ("subnets", ["Bittensor"]),
        ("retention", ["Venice"]),
        ("Voorhees", ["Venice"]),
        ("FHE", ["Zama"]),
        ("nothing-like-this", []),
    ],
)
def test_search_finds_by_every_field(catalogue, q, expected):
    assert _names(q) == expected


def test_blank_search_returns_everything(catalogue):
    assert len(_names("   ")) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo tolerance is PostgreSQL's")
def test_search_tolerates_a_typo_on_postgresql(catalogue):
    assert _names("bitensor") == ["Bittensor"]


def test_filterset_rejects_bad_values_naming_the_field(catalogue):
    params = {"stage": "unicorn", "token": "maybe", "country": "USA", "layer": "nope"}
    form = ProjectFilter(params, queryset=Project.objects.published()).form

    assert not form.is_valid()
    assert set(form.errors) == {"stage", "token", "country", "layer"}
