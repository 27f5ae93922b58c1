"""landscape2 data files: categories become layers, subcategories tags, items draft projects."""

import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.editorial.imports.landscape2 import import_landscape2
from projects.editorial.imports.result import CREATE, REJECT, SKIP, UNCHANGED, UPDATE
from projects.models import Project, Tag
from tests.factories import make_layer, make_map, make_project
from tests.landscape2_data import dump, make_landscape

LANDSCAPE = """
categories:
  - name: Orchestration & Management
    subcategories:
      - name: Service Mesh
        items:
          - name: Linkerd
            homepage_url: https://linkerd.io/
            logo: linkerd.svg
            repo_url: https://github.com/linkerd/linkerd2
            twitter: https://twitter.com/linkerd
            crunchbase: https://www.crunchbase.com/organization/buoyant-io
            description: Ultralight service mesh for Kubernetes. Secure by default.
            project: graduated
          - name: Istio
            homepage_url: https://istio.io/
            logo: istio.svg
            second_path:
              - Orchestration & Management / API Gateway
  - name: Runtime
    subcategories:
      - name: Container Runtime
        items:
          - name: containerd
            homepage_url: https://containerd.io/
            logo: containerd.svg
            extra:
              accepted: "2017-03-29"
"""


def _import(text=LANDSCAPE, **kwargs):
    kwargs.setdefault("map_slug", "cloud-native")
    return import_landscape2(data=text.encode(), **kwargs)


@pytest.mark.django_db
def test_landscape2_import_creates_layers_tags_and_draft_projects():
    result = _import(map_name="Cloud native")

    assert [(row.row, row.name, row.action) for row in result.rows] == [
        ("map", "Cloud native", CREATE),
        ("category 1", "Orchestration & Management", CREATE),
        ("category 2", "Runtime", CREATE),
        ("1.1.1", "Linkerd", CREATE),
        ("1.1.2", "Istio", CREATE),
        ("2.1.1", "containerd", CREATE),
    ]
    assert list(Layer.objects.values_list("name", "position")) == [
        ("Orchestration & Management", 0), ("Runtime", 1),
    ]  # fmt: skip
    linkerd = Project.objects.get(name="Linkerd")
    assert (linkerd.slug, linkerd.status, linkerd.layer.slug) == (
        "linkerd", Status.DRAFT, "orchestration-management",
    )  # fmt: skip
    assert (linkerd.website, linkerd.github_url, linkerd.x_url) == (
        "https://linkerd.io/", "https://github.com/linkerd/linkerd2", "https://twitter.com/linkerd",
    )  # fmt: skip
    assert linkerd.one_liner == "Ultralight service mesh for Kubernetes."
    assert list(linkerd.tags.values_list("name", flat=True)) == ["Service Mesh"]
    istio_tags = Project.objects.get(name="Istio").tags.values_list("slug", flat=True)
    assert sorted(istio_tags) == ["api-gateway", "service-mesh"]
    assert Map.objects.get().status == Status.DRAFT


@pytest.mark.django_db
def test_landscape2_import_of_the_same_file_again_changes_nothing():
    _import()
    counts = (Project.objects.count(), Layer.objects.count(), Tag.objects.count())

    result = _import()

    assert {row.action for row in result.rows} == {UNCHANGED}
    assert (Project.objects.count(), Layer.objects.count(), Tag.objects.count()) == counts


@pytest.mark.django_db
def test_landscape2_reimport_updates_drafts_and_leaves_published_projects_alone():
    _import()
    Project.objects.filter(name="Istio").update(status=Status.PUBLISHED)
    changed = LANDSCAPE.replace("https://istio.io/", "https://istio.dev/").replace(
        "https://containerd.io/", "https://containerd.dev/"
    )

    result = _import(changed)

    assert [(row.name, row.action, row.changes) for row in result.rows if row.changes] == [
        ("Istio", SKIP, ["website"]), ("containerd", UPDATE, ["website"]),
    ]  # fmt: skip
    assert result.applied
    assert Project.objects.get(name="Istio").website == "https://istio.io/"
    assert Project.objects.get(name="containerd").website == "https://containerd.dev/"


@pytest.mark.django_db
def test_landscape2_into_an_existing_map_reuses_its_layers_and_slugs_stay_unique():
    map = make_map(slug="cloud-native", name="Cloud native", status=Status.DRAFT)
    runtime = make_layer(map=map, slug="runtime", name="Runtime", position=5)
    make_project(slug="linkerd", name="Linkerd elsewhere")  # on another map

    _import()

    assert Layer.objects.get(name="Runtime") == runtime
    assert Project.objects.get(name="containerd").layer == runtime
    assert Project.objects.get(name="Linkerd").slug == "linkerd-2"


@pytest.mark.django_db
def test_landscape2_dry_run_writes_nothing():
    result = _import(dry_run=True)

    assert [row.action for row in result.rows] == [CREATE] * 6
    assert (Map.objects.count(), Layer.objects.count(), Project.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_landscape2_item_without_homepage_rejects_the_whole_file():
    broken = LANDSCAPE.replace("homepage_url: https://istio.io/", "repo_url: ftp://istio")

    result = _import(broken)

    assert [(row.row, row.name, row.reason) for row in result.rejected] == [
        ("1.1.2", "Istio", "homepage_url is required")
    ]
    assert (Map.objects.count(), Project.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_landscape2_file_that_is_not_a_landscape_is_a_clear_error():
    result = _import("items: []")

    assert result.errors == ["Not a landscape2 data file: it needs a list named 'categories'."]


@pytest.mark.django_db
def test_landscape2_generated_file_imports_every_item():
    document = make_landscape(items=60)

    _import(dump(document))

    assert Project.objects.count() == 60
    assert Layer.objects.count() == len(document["categories"])


@pytest.mark.django_db
def test_landscape2_command_draws_progress_and_reports(tmp_path):
    path = tmp_path / "landscape.yml"
    path.write_text(LANDSCAPE)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_landscape2", path, map="cloud-native", stdout=out, stderr=err)

    assert "writing   [##############################]      3/3" in err.getvalue()
    assert "history   [##############################]      3/3" in err.getvalue()
    assert out.getvalue().strip().endswith("6 create (written)")


@pytest.mark.django_db
def test_landscape2_command_fails_on_a_rejected_item(tmp_path):
    path = tmp_path / "landscape.yml"
    path.write_text(LANDSCAPE.replace("https://linkerd.io/", "linkerd.io"))
    out = io.StringIO()

    with pytest.raises(CommandError, match="nothing written"):
        call_command("import_landscape2", path, map="cn", stdout=out, stderr=io.StringIO())

    assert "homepage_url must start with http:// or https:// (got 'linkerd.io')" in out.getvalue()
    assert Project.objects.count() == 0


def test_landscape2_generator_makes_the_format_landscape2_reads():
    document = yaml.safe_load(dump(make_landscape(items=30, seed=1)))
    items = [i for c in document["categories"] for s in c["subcategories"] for i in s["items"]]

    assert len(items) == 30
    assert all({"name", "homepage_url", "logo"} <= item.keys() for item in items)


@pytest.mark.django_db
def test_landscape2_into_a_published_map_adds_drafts_but_no_layers():
    map = make_map(slug="cloud-native", name="Cloud native", status=Status.PUBLISHED)
    make_layer(map=map, slug="runtime", name="Runtime")

    result = _import()

    assert [(row.row, row.action, row.reason) for row in result.rows][:3] == [
        ("category 1", REJECT, "a new layer: 'Cloud native' is published; without --user the "
         "command line changes drafts and pages in review only. Pass --user with a Publisher's "
         "username to change it."),
        ("category 2", UNCHANGED, "layer Runtime"),
        ("1.1.1", SKIP, "its category is rejected"),
    ]  # fmt: skip
    assert (Layer.objects.count(), Project.objects.count()) == (1, 0)
