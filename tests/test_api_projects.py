"""Partners read projects: a filtered, paged list, a full detail and a CSV export."""

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from dealmap import content_version
from dealmap.editorial import Status
from projects.api.projects import ProjectDetailSerializer, ProjectListSerializer, published_projects
from projects.models import Stage, Tag
from tests.factories import make_layer, make_map, make_member, make_metric, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    deai = make_map(slug="deai", name="Decentralized AI")
    compute = make_layer(map=deai, slug="compute", name="Compute", position=1)
    agents = make_layer(map=deai, slug="agents", name="Agents", position=2)
    gpu = Tag.objects.create(slug="gpu", name="GPU")
    akash = make_project(
        layer=compute, slug="akash", name="Akash", country="US", token_symbol="AKT",
        stage=Stage.LIVE_NETWORK, one_liner="GPU marketplace",
    )  # fmt: skip
    akash.tags.add(gpu)
    make_metric(project=akash, label="GPUs", value=1000, unit="GPUs", is_headline=True)
    make_metric(project=akash, label="leases", value=5, is_headline=False)
    make_project(layer=agents, slug="olas", name="Olas", country="CH", is_portfolio=True)
    make_project(layer=agents, slug="virtuals", name="Virtuals", country="US")
    return {"akash": akash}


def _slugs(response):
    return [item["slug"] for item in response.json()["results"]]


def test_project_list_carries_layer_tags_and_headline_metrics(client, catalogue):
    response = client.get("/api/v1/projects/")

    body = response.json()
    assert body["count"] == 3
    assert body["next"] is None
    akash = next(item for item in body["results"] if item["slug"] == "akash")
    assert akash["layer"] == {"map": "deai", "slug": "compute", "name": "Compute"}
    assert akash["tags"] == ["gpu"]
    assert akash["url"] == "http://testserver/api/v1/projects/akash/"
    assert [m["label"] for m in akash["headline_metrics"]] == ["GPUs"]
    assert akash["headline_metrics"][0]["value"] == "1000.00"


def test_project_detail_carries_team_metrics_view_and_links(client, catalogue):
    akash = catalogue["akash"]
    akash.our_view = "We *like* it.<script>alert(1)</script>"
    akash.website = "https://akash.network"
    akash.published_at = timezone.now()
    akash.save()
    make_member(project=akash, name="Greg Osuri", role="CEO", is_founder=True)

    body = client.get("/api/v1/projects/akash/").json()

    assert body["our_view"] == "We *like* it.<script>alert(1)</script>"
    assert body["our_view_html"] == "<p>We <em>like</em> it.</p>"
    assert body["team"] == [
        {"name": "Greg Osuri", "role": "CEO", "bio": "", "url": "", "is_founder": True}
    ]
    fields = ("label", "value", "unit", "as_of", "source_url")
    assert [tuple(m[f] for f in fields) for m in body["metrics"]] == [
        ("GPUs", "1000.00", "GPUs", "2026-01-01", "https://example.com/source"),
        ("leases", "5.00", "", "2026-01-01", "https://example.com/source"),
    ]
    assert body["links"] == {"website": "https://akash.network", "x": "", "github": "", "docs": ""}
    assert body["published_at"] is not None
    assert body["updated_at"] is not None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("map=deai", ["akash", "olas", "virtuals"]),
        ("layer=agents", ["olas", "virtuals"]),
        ("layer=agents&layer=compute", ["akash", "olas", "virtuals"]),
        ("country=us", ["akash", "virtuals"]),
        ("token=true", ["akash"]),
        ("portfolio=true", ["olas"]),
        ("tag=gpu", ["akash"]),
        ("stage=live_network", ["akash"]),
        ("q=marketplace", ["akash"]),
        ("ordering=-name", ["virtuals", "olas", "akash"]),
    ],
)
def test_project_list_takes_the_public_pages_parameters(client, catalogue, query, expected):
    response = client.get(f"/api/v1/projects/?{query}")

    assert _slugs(response) == expected


def test_project_list_updated_since_takes_any_utc_offset(client, catalogue):
    response = client.get("/api/v1/projects/", {"updated_since": "2000-01-01T00:00:00+16:29"})

    assert response.json()["count"] == 3


def test_project_list_updated_since_keeps_recent_changes(client, catalogue):
    cutoff = timezone.now()
    olas = catalogue["akash"].__class__.objects.get(slug="olas")
    olas.name = "Olas Network"
    olas.save()

    response = client.get("/api/v1/projects/", {"updated_since": cutoff.isoformat()})

    assert _slugs(response) == ["olas"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("country=USA", "country"),
        ("ordering=secret", "ordering"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=9999-12-31T23:59:59-05:00", "updated_since"),
        ("map=no-such-map", "map"),
        ("layer=nowhere", "layer"),
        ("stage=unicorn", "stage"),
        ("token=maybe", "token"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=99", "page"),
        ("page_size=-3", "page_size"),
        ("page_size=lots", "page_size"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_project_list_bad_parameter_is_a_400_naming_it(client, catalogue, query, parameter):
    response = client.get(f"/api/v1/projects/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [parameter]


def test_project_list_pages_with_a_capped_page_size(client):
    layer = make_layer()
    for n in range(105):
        make_project(layer=layer, slug=f"p-{n:03}", name=f"P {n:03}")

    first = client.get("/api/v1/projects/", {"page_size": 1000}).json()
    second = client.get(first["next"]).json()
    default = client.get("/api/v1/projects/").json()

    assert (first["count"], len(first["results"]), first["previous"]) == (105, 100, None)
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert len(default["results"]) == 20


def test_project_detail_of_an_unknown_slug_is_a_json_404(client, catalogue):
    response = client.get("/api/v1/projects/nope/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Project matches the given query."}


def test_project_csv_exports_the_filtered_list(client, catalogue):
    response = client.get("/api/v1/projects.csv", {"layer": "agents", "ordering": "name"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dealmap-projects.csv"'
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [(r["slug"], r["map"], r["layer"], r["is_portfolio"]) for r in rows] == [
        ("olas", "deai", "agents", "true"),
        ("virtuals", "deai", "agents", "false"),
    ]


def test_project_csv_defuses_spreadsheet_formulas(client):
    make_project(slug="evil", name="=HYPERLINK(1)")

    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/projects.csv").getvalue().decode())))

    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_project_csv_bad_parameter_is_a_json_400(client, catalogue):
    response = client.get("/api/v1/projects.csv", {"country": "1"})

    assert response.status_code == 400
    assert response.json() == {"country": ["Use a two-letter country code, e.g. US."]}


def test_project_csv_of_metrics_lists_headline_figures(client, catalogue):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/projects.csv").getvalue().decode())))

    akash = next(row for row in rows if row["slug"] == "akash")
    assert akash["headline_metrics"] == "GPUs: 1000.00 GPUs (2026-01-01)"
    assert akash["tags"] == "gpu"


def test_project_csv_streams_every_row_a_chunk_at_a_time(
    client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("projects.api.projects.CSV_CHUNK", 2)
    layer = make_layer()
    gpu = Tag.objects.create(slug="gpu", name="GPU")
    for n in range(5):
        project = make_project(layer=layer, slug=f"p-{n}", name=f"P {n}")
        project.tags.set([gpu])
        make_metric(project=project, label="GPUs", value=n, is_headline=True)

    content_version.current()  # as any earlier request would have read it
    # The content version; the projects (one query, a server-side cursor on PostgreSQL);
    # tags and headline metrics for each of the 3 chunks.
    bound = 1 + 1 + 2 * 3
    with django_assert_max_num_queries(bound):
        response = client.get("/api/v1/projects.csv", {"ordering": "name"})
        chunks = list(response.streaming_content)

    assert response.streaming
    assert len(chunks) == 4  # the header, then rows 2, 2 and 1
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert [row["slug"] for row in rows] == [f"p-{n}" for n in range(5)]
    assert {row["tags"] for row in rows} == {"gpu"}
    assert rows[4]["headline_metrics"].startswith("GPUs: 4.00 ")


def test_project_csv_is_never_kept_in_the_response_cache(client, catalogue, settings):
    settings.RESPONSE_CACHE = True
    first = client.get("/api/v1/projects.csv").getvalue()
    second = client.get("/api/v1/projects.csv")

    assert second.streaming
    assert second.getvalue() == first


def test_project_list_of_a_published_map_shows_its_archived_projects_never(client):
    layer = make_layer(map=make_map(status=Status.PUBLISHED))
    make_project(layer=layer, slug="old", status=Status.ARCHIVED)

    assert client.get("/api/v1/projects/").json()["count"] == 0
    assert client.get("/api/v1/projects/old/").status_code == 404


def test_project_detail_of_a_slug_with_a_nul_is_a_json_404(client, catalogue):
    response = client.get("/api/v1/projects/ak%00ash/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Project matches the given query."}


def test_project_detail_ignores_list_parameters(client, catalogue):
    response = client.get("/api/v1/projects/akash/", {"layer": "agents"})

    assert response.json()["slug"] == "akash"


def test_project_dates_are_iso_8601(client, catalogue):
    body = client.get("/api/v1/projects/akash/").json()

    assert datetime.datetime.fromisoformat(body["updated_at"]).tzinfo is not None


def test_project_list_is_exactly_what_its_serializer_documents(client, catalogue, rf):
    # The list builds its rows from values() for speed; the schema documents
    # ProjectListSerializer. Both must give the same JSON, value for value.
    akash = catalogue["akash"]
    akash.tags.add(Tag.objects.create(slug="depin", name="DePIN"))
    make_metric(project=akash, label="Leases", value="12.5", qualifier="over", is_headline=True)
    # Text that array and JSON encodings must quote or escape, read back exactly.
    make_metric(
        project=akash, label='Sales, "net" {a\\b} NULL', value="-0.5", unit="NULL",
        note="ünï ✓\u2028", as_of=datetime.date(999, 3, 4), position=9, is_headline=True,
    )  # fmt: skip
    request = Request(rf.get("/api/v1/projects/"))
    projects = published_projects().order_by("name", "pk")
    documented = ProjectListSerializer(projects, many=True, context={"request": request}).data

    body = client.get("/api/v1/projects/").json()["results"]

    assert body == json.loads(JSONRenderer().render(documented))
    # The same key order too: partners read the JSON, and some read it by eye.
    assert list(body[0]) == list(documented[0])
    assert list(body[0]["headline_metrics"][0]) == list(documented[0]["headline_metrics"][0])
    assert [m["label"] for m in body[0]["headline_metrics"]][:2] == ["GPUs", "Leases"]
    assert body[0]["headline_metrics"][2]["label"] == 'Sales, "net" {a\\b} NULL'
    assert body[0]["headline_metrics"][2]["as_of"] == "0999-03-04"
    assert body[0]["tags"] == ["depin", "gpu"]


def test_project_detail_is_exactly_what_its_serializer_documents(client, catalogue, rf):
    # On PostgreSQL the detail is one query of its own (projects.api.detail_rows), elsewhere
    # the instance and its prefetches: either way the serializer's JSON, value for value.
    akash = catalogue["akash"]
    make_member(project=akash, name="Greg", role="CEO", is_founder=True)
    make_member(project=akash, name='Ana "A, B" {x}', bio="NULL\\n✓", position=2)
    make_member(project=akash, name="Bo", url="https://bo.example", position=2)
    make_metric(project=akash, label='"q", {b}', value="-3", unit="NULL", note="✓", position=5)
    akash.description, akash.our_view = "Rents **idle** GPUs.", "Supply is real."
    akash.website, akash.our_view_date = "https://akash.network", datetime.date(2026, 10, 1)
    akash.save()

    for slug in ("akash", "olas"):  # olas: no team, metric, tag, view or date
        request = Request(rf.get(f"/api/v1/projects/{slug}/"))
        project = published_projects().prefetch_related("team").get(slug=slug)
        documented = ProjectDetailSerializer(project, context={"request": request}).data

        body = client.get(f"/api/v1/projects/{slug}/").json()

        assert body == json.loads(JSONRenderer().render(documented))
        assert list(body) == list(documented)
    akash_body = client.get("/api/v1/projects/akash/").json()
    assert [m["name"] for m in akash_body["team"]] == ["Greg", 'Ana "A, B" {x}', "Bo"]
    assert [m["is_founder"] for m in akash_body["team"]] == [True, False, False]
    assert [m["label"] for m in akash_body["headline_metrics"]] == ["GPUs"]
    assert [m["label"] for m in akash_body["metrics"]] == ["GPUs", "leases", '"q", {b}']
    assert list(akash_body["team"][0]) == ["name", "role", "bio", "url", "is_founder"]


def test_project_list_and_detail_items_have_exactly_the_serializers_fields(client, catalogue, rf):
    # The JSON is the serializers' own: a field added to a serializer shows in the API on
    # every database (a hand-built copy of the shape once answered it with a 500).
    request = Request(rf.get("/api/v1/projects/"))
    akash = published_projects().prefetch_related("metrics", "team").get(slug="akash")
    listed = ProjectListSerializer(akash, context={"request": request}).data
    detailed = ProjectDetailSerializer(akash, context={"request": request}).data

    item = next(
        i for i in client.get("/api/v1/projects/").json()["results"] if i["slug"] == "akash"
    )
    detail = client.get("/api/v1/projects/akash/").json()

    assert list(item) == list(listed) == list(ProjectListSerializer().fields)
    assert list(detail) == list(detailed) == list(ProjectDetailSerializer().fields)
    assert item == json.loads(JSONRenderer().render(listed))
    assert detail == json.loads(JSONRenderer().render(detailed))
    metric_fields = ["label", "value", "unit", "qualifier", "as_of", "source_url", "note"]
    assert list(item["headline_metrics"][0]) == metric_fields


def test_project_list_orders_by_name_then_id_and_pages_every_row_once(client):
    layer = make_layer()
    for n in range(7):
        make_project(layer=layer, slug=f"p-{n}", name=f"P {n % 3}", one_liner=f"Line {n}")
    make_project(layer=layer, slug="draft", name="P 0", status=Status.DRAFT)

    pages = [
        client.get("/api/v1/projects/", {"page_size": 3, "page": page}).json() for page in (1, 2, 3)
    ]

    assert [p["slug"] for page in pages for p in page["results"]] == [
        "p-0", "p-3", "p-6", "p-1", "p-4", "p-2", "p-5",
    ]  # fmt: skip
    assert {page["count"] for page in pages} == {7}


def test_project_list_and_detail_bytes_are_drfs_renderers(client, catalogue):
    # DRF's JSONRenderer writes them, escapes included: quotes, backslashes, control
    # characters, U+2028.
    akash = catalogue["akash"]
    akash.one_liner = 'GPUs "\\" \x01\t\u2028\u2029 ✓ \U0001f600 é'
    akash.description = "Line\nbreak </script>"
    akash.save()

    for url in ("/api/v1/projects/", "/api/v1/projects/?page_size=2", "/api/v1/projects/akash/"):
        response = client.get(url)

        assert type(response.accepted_renderer) is JSONRenderer
        assert response.content == JSONRenderer().render(response.data)
    assert b"\\u2028\\u2029" in client.get("/api/v1/projects/akash/").content
