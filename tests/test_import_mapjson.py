"""The map's own JSON export: a round trip through an empty database gives back the same map."""

import datetime
import decimal
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.editorial.imports.mapjson import dumps, export_map, import_map
from projects.editorial.imports.result import CREATE, REJECT, UNCHANGED, UPDATE
from projects.models import Project, Tag
from tests.factories import make_layer, make_map, make_member, make_metric, make_project
from tests.imports_helpers import EDITOR_PERMISSIONS, staff_user


def _build_map():
    map = make_map(slug="deai", name="Decentralized AI", tagline="AI wants to be open",
                   intro="# Why\nBecause.", published_at=timezone.now())  # fmt: skip
    compute = make_layer(map=map, slug="compute", name="Compute", position=1)
    agents = make_layer(map=map, slug="agents", name="Agents", position=2, description="Bots")
    tag = Tag.objects.create(slug="gpu", name="GPU")
    akash = make_project(layer=compute, slug="akash", name="Akash", position=1,
                         website="https://akash.network", founded_year=2018, country="US",
                         stage="live_network", token_symbol="AKT", is_portfolio=True,
                         our_view="We like it.", our_view_date=datetime.date(2026, 2, 1),
                         published_at=timezone.now())  # fmt: skip
    akash.tags.add(tag)
    make_member(project=akash, name="Greg Osuri", role="CEO", is_founder=True, position=0,
                url="https://x.com/gregosuri")  # fmt: skip
    make_metric(project=akash, label="GPUs", value=decimal.Decimal("1234.50"), unit="GPUs",
                qualifier="over", is_headline=True, note="mainnet")  # fmt: skip
    make_metric(project=akash, label="GPUs", value=900, as_of=datetime.date(2025, 6, 1),
                position=1)  # fmt: skip
    make_project(layer=agents, slug="olas", name="Olas", status=Status.DRAFT)
    return map


def _wipe():
    Project.objects.all().delete()
    Layer.objects.all().delete()
    Map.objects.all().delete()
    Tag.objects.all().delete()


@pytest.mark.django_db
def test_map_json_round_trip_through_an_empty_database_is_identical():
    before = dumps(export_map(map=_build_map()))
    _wipe()

    result = import_map(document=before, keep_status=True)

    assert result.applied, result.rejected
    assert dumps(export_map(map=Map.objects.get())) == before


@pytest.mark.django_db
def test_map_json_commands_round_trip(tmp_path):
    _build_map()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_map", "deai", output=first)
    _wipe()

    call_command("import_map", first, keep_status=True, verbosity=0)
    call_command("export_map", "deai", output=second)

    assert second.read_text() == first.read_text()
    assert json.loads(first.read_text())["projects"][0]["status"] == "published"


@pytest.mark.django_db
def test_map_json_import_without_keep_status_makes_everything_a_draft():
    document = export_map(map=_build_map())
    _wipe()

    result = import_map(document=document)

    assert [(row.row, row.action) for row in result.rows] == [
        ("map", CREATE), ("layers[0]", CREATE), ("layers[1]", CREATE),
        ("projects[0]", CREATE), ("projects[1]", CREATE),
    ]  # fmt: skip
    assert set(Project.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert Map.objects.get().status == Status.DRAFT
    assert Project.objects.get(slug="akash").metrics.count() == 2


@pytest.mark.django_db
def test_map_json_import_again_changes_nothing():
    document = export_map(map=_build_map())

    result = import_map(document=document)

    assert {row.action for row in result.rows} == {UNCHANGED}


@pytest.mark.django_db
def test_map_json_change_to_a_published_project_is_rejected_and_nothing_written():
    document = export_map(map=_build_map())
    document["projects"][0]["one_liner"] = "Changed"  # akash, published
    document["projects"][1]["one_liner"] = "Also changed"  # olas, a draft

    result = import_map(document=document)

    assert [(row.row, row.action) for row in result.rows if row.action != UNCHANGED] == [
        ("projects[0]", REJECT), ("projects[1]", UPDATE),
    ]  # fmt: skip
    assert not result.applied
    assert Project.objects.get(slug="olas").one_liner == ""


@pytest.mark.django_db
def test_map_json_future_metric_is_rejected_with_its_reason():
    document = export_map(map=_build_map())
    _wipe()
    document["projects"][0]["metrics"][0]["as_of"] = "2999-01-01"

    result = import_map(document=document)

    assert [(row.row, row.reason) for row in result.rejected] == [
        ("projects[0]", "GPUs: as_of 2999-01-01 is in the future")
    ]
    assert Map.objects.count() == 0


@pytest.mark.django_db
def test_map_json_restore_of_statuses_is_refused_to_an_editor():
    document = export_map(map=_build_map())
    editor = staff_user("alice", *EDITOR_PERMISSIONS)

    with pytest.raises(PermissionDenied):
        import_map(document=document, user=editor, keep_status=True)


@pytest.mark.django_db
def test_map_json_wrong_format_is_a_clear_error():
    result = import_map(document='{"format": "something-else"}')

    assert result.errors == ['Not a dealmap map export (expected "format": "dealmap.map").']


def test_map_json_round_trip_of_the_real_map_is_identical(real_maps):
    before = dumps(export_map(map=Map.objects.get(slug="decentralized-ai")))
    _wipe()

    result = import_map(document=before, keep_status=True)

    assert result.applied, result.rejected
    assert len(json.loads(before)["projects"]) == 35
    assert dumps(export_map(map=Map.objects.get(slug="decentralized-ai"))) == before
