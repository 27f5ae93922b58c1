"""Two template engines: Jinja2 for the public pages, the DTL for the admin and the API docs.

Each engine finds only its own files, and a value or filter renders in Jinja2
exactly as it did in the DTL (dealmap/jinja2.py), so moving the pages changed no byte.
"""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist, engines
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from markupsafe import Markup

from tests.factories import make_layer, make_map, make_member, make_metric, make_project

TEMPLATES = settings.BASE_DIR / "templates"
JINJA2 = TEMPLATES / "jinja2"


def _names(root, *, outside=None):
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if outside is None or outside not in path.parents
    )


@pytest.mark.parametrize("name", _names(JINJA2))
def test_public_template_compiles_in_jinja2_and_the_dtl_cannot_find_it(name):
    engines["jinja2"].get_template(name)

    with pytest.raises(TemplateDoesNotExist):
        engines["django"].get_template(name)


@pytest.mark.parametrize("name", _names(TEMPLATES, outside=JINJA2))
def test_admin_template_compiles_in_the_dtl_and_jinja2_cannot_find_it(name):
    engines["django"].get_template(name)

    with pytest.raises(TemplateDoesNotExist):
        engines["jinja2"].get_template(name)


def _both(dtl, jinja, **context):
    """The same template in each engine's syntax, rendered with the same context."""
    return (
        engines["django"].from_string(dtl).render(context),
        engines["jinja2"].from_string(jinja).render(context),
    )


VALUES = [
    'O\'Brien "<AI>" & co',
    "",
    mark_safe("<b>safe</b> & 'kept'"),
    Markup("<i>markup</i>"),
    gettext_lazy("Seed & <more>"),
    0,
    1234567,
    -3,
    True,
    None,
    1.5,
    2.0,
    Decimal("1234.50"),
    datetime.date(2026, 3, 1),
    datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
    ["a", "<b>"],
    {"k": "it's"},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_renders_in_jinja2_as_in_the_dtl(value):
    dtl, jinja = _both("{{ value }}", "{{ value }}", value=value)

    assert jinja == dtl


@pytest.mark.parametrize("value", [1234567, 1.5, Decimal("1234.50")], ids=repr)
def test_a_number_follows_the_thousand_separator_setting_as_in_the_dtl(settings, value):
    settings.USE_THOUSAND_SEPARATOR = True

    dtl, jinja = _both("{{ value }}", "{{ value }}", value=value)

    assert jinja == dtl


def test_a_time_shows_in_the_current_time_zone_as_in_the_dtl():
    moment = datetime.datetime(2026, 2, 27, 23, 30, tzinfo=datetime.UTC)

    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        dtl, jinja = _both(*DATES, v=moment)
        shown = _both("{{ v }}", "{{ v }}", v=moment)

    assert (jinja, dtl) == ("2026-02-28 28 Feb 2026", "2026-02-28 28 Feb 2026")
    assert shown[1] == shown[0]


def test_a_missing_value_renders_as_nothing_as_in_the_dtl():
    assert _both(
        "[{{ missing }}]{% if missing %}x{% endif %}", "[{{ missing }}]{% if missing %}x{% endif %}"
    ) == ("[]", "[]")


DATES = (
    "{{ v|date:'Y-m-d' }} {{ v|date:\"j M Y\" }}",
    "{{ v|date('Y-m-d') }} {{ v|date(\"j M Y\") }}",
)
FILTERS = [
    ("{{ v|pluralize }}", "{{ v|pluralize }}", [0, 1, 2, "1", "x", [1], []]),
    ('{{ v|pluralize:"es," }}', '{{ v|pluralize("es,") }}', [1, 2]),
    ("{{ v|truncatechars:10 }}", "{{ v|truncatechars(10) }}", ["short", "It's long <b> & more"]),
    ("{{ v|urlencode }}", "{{ v|urlencode }}", ["a b&c/d'e\"<", "ok"]),
    (*DATES, [datetime.date(2026, 2, 27), datetime.datetime(2026, 2, 27, 23, tzinfo=datetime.UTC)]),
    ("{{ v|floatformat:1 }}", "{{ v|floatformat(1) }}", [10.0, 283.4567, 0]),
    ('{{ v|join:" " }}', '{{ v|join(" ") }}', [["Select a valid choice.", "it's <x>"]]),
    ("{{ v|length }}", "{{ v|length }}", [[1, 2], "abc"]),
]


@pytest.mark.parametrize(
    ("dtl", "jinja", "value"),
    [(dtl, jinja, value) for dtl, jinja, values in FILTERS for value in values],
    ids=repr,
)
def test_a_filter_renders_in_jinja2_as_in_the_dtl(dtl, jinja, value):
    rendered_dtl, rendered_jinja = _both(dtl, jinja, v=value)

    assert rendered_jinja == rendered_dtl


def test_pages_escape_text_as_the_dtl_did(client, db):
    name = 'O\'Brien "<AI>" & co'
    layer = make_layer(map=make_map(slug="m", tagline="It's <ours>"), name="Q&A 'layer'")
    project = make_project(layer=layer, slug="obrien", name=name, one_liner=f"{name}'s one-liner")
    make_metric(project=project, label="users & 'agents'", unit="it's", is_headline=True)
    make_member(project=project, name="Miles O'Brien", role='"CTO"')
    # No one-liner: the tile shows the headline figure instead.
    figure = make_project(layer=layer, slug="figure", name="Figure", one_liner="")
    make_metric(project=figure, label="<b>users</b>", unit="it's", is_headline=True)
    escaped = "O&#x27;Brien &quot;&lt;AI&gt;&quot; &amp; co"

    for url in [
        "/maps/m/",
        "/projects/",
        "/projects/obrien/",
        "/embed/maps/m/",
        "/projects/?q=Brien",
    ]:
        html = client.get(url).content.decode()

        assert escaped in html, url
        # MarkupSafe's entities would mean a value that went around Django's escaping.
        assert not re.search("&#39;|&#34;", html), url
    tile = '<span class="tile-line"><strong>1K it&#x27;s</strong> &lt;b&gt;users&lt;/b&gt;</span>'
    assert tile in client.get("/maps/m/").content.decode()
