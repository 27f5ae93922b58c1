"""Query counts of the admin pages the team lives in: the same with 3 rows as with 30."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from dealmap.editorial import Status
from projects import workflow
from tests.editorial import make_staff
from tests.factories import make_layer, make_map, make_member, make_metric, make_project

# Session, user, the user's and the group's permissions, savepoint and release, maps and
# layers for the filters, two counts, the page of rows (freshness is a subquery in it).
LIST_QUERIES = 11
# Session, user, savepoint and release, the project, both permission sets, its tags, team,
# metrics, the layer choices (with maps), the "updated by" user, the status history.
CHANGE_QUERIES = 13
# Session, user, both permission sets, the recent actions, needs review, awaiting approval
# (projects and maps).
INDEX_QUERIES = 8


@pytest.fixture
def publisher_client(db):
    client = Client()
    client.force_login(make_staff("Publisher"))
    return client


def make_projects(count):
    # Maps and layers grow with the rows too: the filters list them.
    layers = [make_layer(map=make_map()) for _ in range(max(2, count // 3))]
    old = datetime.date(2024, 1, 1)
    for n in range(count):
        project = make_project(layer=layers[n % len(layers)], status=list(Status)[n % 4])
        make_metric(project=project, as_of=old)
        make_member(project=project)


@pytest.mark.parametrize("count", [3, 30])
def test_project_list_query_count_does_not_grow_with_rows(
    publisher_client, django_assert_max_num_queries, count
):
    make_projects(count)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = publisher_client.get(reverse("admin:projects_project_changelist"))

    assert response.context["cl"].result_count == count
    assert response.content.decode().count("Needs review</span>") == count - count // 4


@pytest.mark.parametrize("count", [3, 30])
def test_project_change_page_query_count_does_not_grow_with_inlines(
    publisher_client, django_assert_max_num_queries, count
):
    project = make_project(status=Status.DRAFT)
    for n in range(count):
        make_member(project=project, name=f"Member {n}")
        make_metric(project=project, label=f"metric {n}")
    publisher = make_staff("Publisher", "pat")
    workflow.project_transition(project=project, to_status=Status.IN_REVIEW, user=publisher)
    workflow.project_transition(project=project, to_status=Status.DRAFT, user=publisher)

    with django_assert_max_num_queries(CHANGE_QUERIES):
        response = publisher_client.get(reverse("admin:projects_project_change", args=[project.pk]))

    formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert [len(formset.forms) for formset in formsets] == [count, count]
    assert response.content.decode().count("In review → Draft") == 1


@pytest.mark.parametrize("count", [3, 30])
def test_admin_index_dashboard_query_count_does_not_grow(
    publisher_client, django_assert_max_num_queries, count
):
    make_projects(count)

    with django_assert_max_num_queries(INDEX_QUERIES):
        response = publisher_client.get(reverse("admin:index"))

    assert f"Awaiting approval ({len(range(1, count, 4))})" in response.content.decode()
