"""The database itself refuses bad content, whatever path it comes from."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tests.factories import make_layer, make_map, make_metric, make_project


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
def test_map_slug_is_unique():
    make_map(slug="deai")
    _refused(lambda: make_map(slug="deai"))


@pytest.mark.django_db
def test_layer_slug_is_unique_within_its_map_only():
    first, second = make_map(), make_map()
    make_layer(map=first, slug="compute")
    make_layer(map=second, slug="compute")  # the same slug on another map is fine
    _refused(lambda: make_layer(map=first, slug="compute"))


@pytest.mark.django_db
def test_project_slug_is_unique():
    make_project(slug="venice")
    _refused(lambda: make_project(slug="venice"))


@pytest.mark.django_db
def test_metric_as_of_date_in_the_future_is_refused():
    project = make_project()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    _refused(lambda: make_metric(project=project, as_of=tomorrow))
    make_metric(project=project, as_of=datetime.date.today())


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://example.com/x"])
def test_metric_source_must_be_a_web_url(url):
    project = make_project()
    _refused(lambda: make_metric(project=project, source_url=url))


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["website", "x_url", "github_url", "docs_url"])
def test_project_links_refuse_other_schemes(field):
    _refused(lambda: make_project(**{field: "javascript:alert(1)"}))


@pytest.mark.django_db
def test_positions_cannot_be_negative():
    _refused(lambda: make_layer(position=-1))
    _refused(lambda: make_project(position=-1))


@pytest.mark.django_db
def test_founded_year_must_be_plausible():
    _refused(lambda: make_project(founded_year=1066))


@pytest.mark.django_db
def test_a_layer_that_holds_projects_cannot_be_deleted():
    project = make_project()
    with pytest.raises(ProtectedError):
        project.layer.delete()
    project.delete()
    project.layer.delete()  # empty now, so it goes


@pytest.mark.django_db
def test_full_clean_names_the_bad_fields():
    project = make_project()
    project.website = "not a url"
    project.country = "usa"
    with pytest.raises(ValidationError) as excinfo:
        project.full_clean()
    assert set(excinfo.value.message_dict) == {"website", "country"}
