"""`manage.py bootstrap`, run by `make run`: the maps and an admin login on first run only."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from layers.models import Map
from projects.models import Project


def _bootstrap():
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_first_run_loads_the_maps_and_prints_a_working_admin_login(client):
    output = _bootstrap()

    assert Map.objects.count() == 3
    assert Project.objects.published().count() == 35
    password = re.search(r"password: (\S+)", output).group(1)
    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_second_run_keeps_content_and_never_prints_a_password_again():
    _bootstrap()
    Project.objects.filter(slug="venice").update(name="Venice (edited)")

    output = _bootstrap()

    assert "password:" not in output
    assert Project.objects.get(slug="venice").name == "Venice (edited)"
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


@pytest.mark.django_db
def test_passwords_differ_between_installs():
    first = re.search(r"password: (\S+)", _bootstrap()).group(1)
    get_user_model().objects.all().delete()
    second = re.search(r"password: (\S+)", _bootstrap()).group(1)

    assert first != second


@pytest.mark.django_db
def test_first_run_gives_every_project_a_first_revision():
    from reversion.models import Version

    _bootstrap()

    venice = Project.objects.get(slug="venice")
    assert Version.objects.get_for_object(venice).count() == 1
