"""Freshness: what "needs review" means, the list filter, the dashboard and "mark reviewed"."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dealmap.editorial import Status
from projects.models import Project
from tests.editorial import make_staff, messages_of
from tests.factories import make_metric, make_project

TODAY = timezone.localdate()


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def reviewed(days, **fields):
    return make_project(last_reviewed_at=days_ago(days), **fields)


def flagged():
    return set(Project.objects.needs_review().values_list("name", flat=True))


@pytest.mark.django_db
def test_needs_review_when_not_reviewed_for_the_set_number_of_days():
    reviewed(10, name="Recent")
    reviewed(91, name="Old")

    assert flagged() == {"Old"}


@pytest.mark.django_db
def test_never_reviewed_project_counts_from_its_creation():
    make_project(name="New")
    created_long_ago = make_project(name="Forgotten")
    Project.objects.filter(pk=created_long_ago.pk).update(created_at=days_ago(120))

    assert flagged() == {"Forgotten"}


@pytest.mark.django_db
def test_needs_review_when_a_metric_series_has_no_point_in_the_last_180_days():
    stale = reviewed(1, name="Stale metric")
    make_metric(project=stale, label="users", as_of=TODAY - datetime.timedelta(days=181))
    ongoing = reviewed(1, name="Ongoing series")
    make_metric(project=ongoing, label="users", as_of=TODAY - datetime.timedelta(days=400))
    make_metric(project=ongoing, label="users", as_of=TODAY - datetime.timedelta(days=20))

    assert flagged() == {"Stale metric"}


@pytest.mark.django_db
def test_archived_projects_never_need_review():
    reviewed(500, name="Archived", status=Status.ARCHIVED)

    assert flagged() == set()


@pytest.mark.django_db
def test_review_ages_come_from_settings(settings):
    settings.REVIEW_MAX_AGE_DAYS = 5
    settings.REVIEW_METRIC_MAX_AGE_DAYS = 30
    reviewed(6, name="Six days")
    metric = reviewed(1, name="Month-old metric")
    make_metric(project=metric, as_of=TODAY - datetime.timedelta(days=31))

    assert flagged() == {"Six days", "Month-old metric"}


@pytest.fixture
def editor_client(db):
    client = Client()
    client.force_login(make_staff("Editor"))
    return client


@pytest.mark.django_db
def test_list_filter_and_dashboard_show_what_needs_review(editor_client):
    reviewed(100, name="Old one", status=Status.PUBLISHED)
    reviewed(2, name="Waiting", status=Status.IN_REVIEW)
    reviewed(2, name="Fine", status=Status.PUBLISHED)

    index = editor_client.get(reverse("admin:index")).content.decode()
    listing = editor_client.get(
        reverse("admin:projects_project_changelist"), {"freshness": "needs_review"}
    )
    awaiting = editor_client.get(
        reverse("admin:projects_project_changelist"), {"status__exact": "in_review"}
    )

    assert '<a href="/admin/projects/project/?freshness=needs_review"' in index
    assert "Needs review (1)" in index
    assert "Awaiting approval (1)" in index
    assert [p.name for p in listing.context["cl"].result_list] == ["Old one"]
    assert [p.name for p in awaiting.context["cl"].result_list] == ["Waiting"]


@pytest.mark.django_db
def test_mark_reviewed_action_clears_the_flag(editor_client):
    old = reviewed(100, name="Old one", status=Status.PUBLISHED)

    response = editor_client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "mark_reviewed", "_selected_action": [old.pk]},
        follow=True,
    )

    assert messages_of(response) == ["Marked 1 as reviewed today."]
    assert flagged() == set()
    old.refresh_from_db()
    assert old.status == Status.PUBLISHED
