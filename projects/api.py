"""Partner API for projects: the list (with the public pages' filters), the detail,
a CSV export of any filtered list, and the changes feed that lets a mirror learn
of removals."""

import csv
import io
import itertools
import threading
from collections import defaultdict
from functools import lru_cache

import django_filters as filters
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import CharField, F
from django.db.models.expressions import RawSQL
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, renderers, serializers, viewsets
from rest_framework.response import Response

from dealmap.api import ERROR_RESPONSES, NOT_FOUND, ConditionalMixin, FastJSONRenderer
from dealmap.markdown import render_markdown
from projects.filters import ProjectFilter, UTCIsoDateTimeFilter
from projects.models import ChangeKind, Project, ProjectChange, TeamMember, TractionMetric

# ---- serializers -----------------------------------------------------------------------------


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = TractionMetric
        fields = ["label", "value", "unit", "qualifier", "as_of", "source_url", "note"]
        extra_kwargs = {
            "value": {"help_text": "A decimal string, exact: parse it as a decimal."},
            "qualifier": {"help_text": "Empty for an exact figure; else over, about or up_to."},
        }


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = ["name", "role", "bio", "url", "is_founder"]


class LayerRefSerializer(serializers.Serializer):
    map = serializers.CharField(source="map.slug", help_text="The map's slug.")
    slug = serializers.CharField()
    name = serializers.CharField()


class LinksSerializer(serializers.Serializer):
    website = serializers.CharField()
    x = serializers.CharField(source="x_url")
    github = serializers.CharField(source="github_url")
    docs = serializers.CharField(source="docs_url")


class ProjectListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:project-detail", lookup_field="slug")
    layer = LayerRefSerializer(read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    headline_metrics = serializers.SerializerMethodField(
        help_text="The metrics the firm headlines for this project."
    )

    class Meta:
        model = Project
        fields = [
            "url", "slug", "name", "one_liner", "layer", "stage", "country", "headquarters",
            "founded_year", "token_symbol", "is_portfolio", "tags", "headline_metrics",
            "published_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(MetricSerializer(many=True))
    def get_headline_metrics(self, project):
        # Filtered in Python from the prefetched metrics: no query per project.
        headline = [metric for metric in project.metrics.all() if metric.is_headline]
        return MetricSerializer(headline, many=True).data


class ProjectDetailSerializer(ProjectListSerializer):
    description_html = serializers.SerializerMethodField(help_text="Rendered and sanitised.")
    our_view_html = serializers.SerializerMethodField(help_text="Rendered and sanitised.")
    links = LinksSerializer(source="*", read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    metrics = MetricSerializer(many=True, read_only=True, help_text="Every traction figure.")

    class Meta(ProjectListSerializer.Meta):
        fields = [
            *ProjectListSerializer.Meta.fields,
            "description", "description_html", "our_view", "our_view_html", "our_view_date",
            "links", "team", "metrics",
        ]  # fmt: skip

    def get_description_html(self, project) -> str:
        return str(render_markdown(project.description))

    def get_our_view_html(self, project) -> str:
        return str(render_markdown(project.our_view))


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectChange
        fields = ["id", "slug", "kind", "at"]


# ---- examples ----------------------------------------------------------------------------------

METRIC_EXAMPLE = {
    "label": "GPUs on the network",
    "value": "40000.00",
    "unit": "GPUs",
    "qualifier": "over",
    "as_of": "2026-09-30",
    "source_url": "https://example.com/stats",
    "note": "",
}
PROJECT_EXAMPLE = {
    "url": "https://maps.example.com/api/v1/projects/example-network/",
    "slug": "example-network",
    "name": "Example Network",
    "one_liner": "A market for idle GPUs.",
    "layer": {"map": "decentralized-ai", "slug": "compute", "name": "Compute"},
    "stage": "live_network",
    "country": "US",
    "headquarters": "New York",
    "founded_year": 2021,
    "token_symbol": "EXN",
    "is_portfolio": False,
    "tags": ["gpu"],
    "headline_metrics": [METRIC_EXAMPLE],
    "published_at": "2026-10-01T12:00:00Z",
    "updated_at": "2026-11-20T09:30:00Z",
}
PROJECT_DETAIL_EXAMPLE = {
    **PROJECT_EXAMPLE,
    "description": "Rents out **idle** GPUs.",
    "description_html": "<p>Rents out <strong>idle</strong> GPUs.</p>",
    "our_view": "Supply is real.",
    "our_view_html": "<p>Supply is real.</p>",
    "our_view_date": "2026-10-01",
    "links": {"website": "https://example.com", "x": "", "github": "", "docs": ""},
    "team": [{"name": "Ada", "role": "CEO", "bio": "", "url": "", "is_founder": True}],
    "metrics": [METRIC_EXAMPLE],
}
CHANGE_EXAMPLE = {
    "id": 42,
    "slug": "example-network",
    "kind": "removed",
    "at": "2026-11-20T09:30:00Z",
}


def page_example(item):
    return {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [item],
    }


SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The project's slug."
)
# The shared FilterSet filters layers by slug through a path drf-spectacular cannot type.
LAYER = OpenApiParameter(
    "layer",
    OpenApiTypes.STR,
    many=True,
    description="Only projects in these layers (slugs; repeat the parameter for several).",
)

# Parameters that pick a page of the list, not its rows or their order.
PAGE_ONLY = {"page", "page_size", "format"}
# By name, which the partial index project_published_name serves: the model's order
# (map, layer, position) sorted every published row at 100,000 projects (0.2 s a page).
LIST_ORDER = ("name", "pk")

# ---- views -------------------------------------------------------------------------------------


# What a list row shows, read with values(): no model instance is built.
LIST_COLUMNS = [
    "id", "slug", "name", "one_liner", "stage", "country", "headquarters", "founded_year",
    "token_symbol", "is_portfolio", "published_at", "updated_at",
]  # fmt: skip
LIST_RELATED = {
    "layer_slug": "layer__slug",
    "layer_name": "layer__name",
    "map_slug": "layer__map__slug",
}
# And what the detail adds to them.
DETAIL_COLUMNS = [
    *LIST_COLUMNS, "description", "our_view", "our_view_date", "website", "x_url", "github_url",
    "docs_url",
]  # fmt: skip
METRIC_FIELDS = MetricSerializer.Meta.fields
# DRF's own field, built once: dates come out exactly as the serializers give them.
DATE = serializers.DateField()


def datetime_field():
    """DRF's DateTimeField for the current time zone: times exactly as the serializers give them.

    A field built without a zone looks the current one up (through asgiref's context
    locals) for every value: 40 lookups a page, a fifth of building the page's JSON.
    Given the zone, it does the same work with it.
    """
    return _datetime_field(timezone.get_current_timezone() if settings.USE_TZ else None)


@lru_cache(maxsize=16)
def _datetime_field(zone):
    return serializers.DateTimeField(default_timezone=zone)


def list_rows(queryset, extra=()):
    """LIST_COLUMNS and LIST_RELATED (and any `extra` columns), with tags and headline
    metrics on PostgreSQL."""
    related = {name: F(path) for name, path in LIST_RELATED.items()}
    rows = queryset.values(*LIST_COLUMNS, *extra, **related)
    if connection.vendor != "postgresql":
        return rows
    # PostgreSQL returns each row's tags and headline metrics in the same query: two
    # round trips fewer than the prefetches below. Raw SQL because Django took 1.9 ms to
    # compile the same subqueries built from ArraySubquery and JSONObject, more than
    # PostgreSQL takes to run the whole page.
    return rows.annotate(tag_slugs=TAG_SLUGS, headline=HEADLINE)


# Constant SQL, no parameter. The outer table is named, not aliased, in Django's SQL for
# a query on Project.
TAG_SLUGS = RawSQL(
    "ARRAY(SELECT t.slug FROM projects_tag t"
    " JOIN projects_project_tags pt ON pt.tag_id = t.id"
    " WHERE pt.project_id = projects_project.id ORDER BY t.name)",
    [],
    output_field=ArrayField(CharField()),
)
# A text array per metric: MetricSerializer's fields in its order, then is_headline;
# numeric(20, 2) as text is DRF's DecimalField output ("40000.00"), to_char the date's ISO
# form (DateField's); the model's order. Not json: psycopg decodes text arrays in C, and
# the json of the same metrics cost PostgreSQL and Python's json module 0.4 ms more a page.
HEADLINE = RawSQL(
    "ARRAY(SELECT ARRAY[m.label, m.value::text, m.unit, m.qualifier,"
    " to_char(m.as_of, 'YYYY-MM-DD'), m.source_url, m.note, m.is_headline::text]"
    " FROM projects_tractionmetric m WHERE m.project_id = projects_project.id AND m.is_headline"
    " ORDER BY m.position, m.label, m.as_of)",
    [],
    output_field=ArrayField(ArrayField(CharField())),
)
# For the detail, on PostgreSQL: every metric, the same way; the team in the model's order
# (position, id), TeamMemberSerializer's fields in its order.
METRICS = RawSQL(
    "ARRAY(SELECT ARRAY[m.label, m.value::text, m.unit, m.qualifier,"
    " to_char(m.as_of, 'YYYY-MM-DD'), m.source_url, m.note, m.is_headline::text]"
    " FROM projects_tractionmetric m WHERE m.project_id = projects_project.id"
    " ORDER BY m.position, m.label, m.as_of)",
    [],
    output_field=ArrayField(ArrayField(CharField())),
)
TEAM = RawSQL(
    "ARRAY(SELECT ARRAY[p.name, p.role, p.bio, p.url, p.is_founder::text]"
    " FROM projects_teammember p WHERE p.project_id = projects_project.id"
    " ORDER BY p.position, p.id)",
    [],
    output_field=ArrayField(ArrayField(CharField())),
)
TEAM_FIELDS = TeamMemberSerializer.Meta.fields


def metric_item(values):
    """(is headline, the metric as MetricSerializer renders it) from a HEADLINE or METRICS array."""
    return values[-1] == "true", dict(zip(METRIC_FIELDS, values[:-1], strict=True))


def member_item(values):
    """A team member as TeamMemberSerializer renders it, from a TEAM array."""
    return {**dict(zip(TEAM_FIELDS, values, strict=True)), "is_founder": values[-1] == "true"}


# One of each, built once: a serializer builds its fields anew for every instance of it.
@lru_cache(maxsize=1)
def metric_serializer():
    return MetricSerializer()


@lru_cache(maxsize=1)
def team_serializer():
    return TeamMemberSerializer()


def tags_and_headlines(rows):
    """{project id: tag slugs}, {project id: headline metrics} for the page's rows."""
    if rows and "tag_slugs" in rows[0]:
        # PostgreSQL: in the rows already (list_rows), metrics in the serializer's order.
        return (
            {row["id"]: row["tag_slugs"] for row in rows},
            {row["id"]: [metric_item(m)[1] for m in row["headline"]] for row in rows},
        )
    ids = [row["id"] for row in rows]
    tags, headline = defaultdict(list), defaultdict(list)
    tag_rows = Project.tags.through.objects.filter(project_id__in=ids)
    for project_id, slug in tag_rows.order_by("tag__name").values_list("project_id", "tag__slug"):
        tags[project_id].append(slug)
    metrics = TractionMetric.objects.filter(project_id__in=ids, is_headline=True)
    metric = metric_serializer()
    for row in metrics.values("project_id", *METRIC_FIELDS):
        headline[row["project_id"]].append(metric.to_representation(row))
    return tags, headline


def list_representation(rows, request):
    """The page's projects as ProjectListSerializer renders them."""
    tags, headline = tags_and_headlines(rows)
    # One reverse() for the page: the detail URL differs only by slug (ASCII, never quoted).
    url = request.build_absolute_uri(reverse("api:project-detail", kwargs={"slug": "-"}))
    head, tail = url.rsplit("/-/", 1)
    times = datetime_field()
    return [
        list_item(row, f"{head}/{row['slug']}/{tail}", tags[row["id"]], headline[row["id"]], times)
        for row in rows
    ]


def list_item(row, url, tags, headline, times):
    """One project as ProjectListSerializer renders it, from LIST_COLUMNS and LIST_RELATED."""
    return {
        "url": url,
        "slug": row["slug"],
        "name": row["name"],
        "one_liner": row["one_liner"],
        "layer": {"map": row["map_slug"], "slug": row["layer_slug"], "name": row["layer_name"]},
        "stage": row["stage"],
        "country": row["country"],
        "headquarters": row["headquarters"],
        "founded_year": row["founded_year"],
        "token_symbol": row["token_symbol"],
        "is_portfolio": row["is_portfolio"],
        "tags": tags,
        "headline_metrics": headline,
        "published_at": times.to_representation(row["published_at"]),
        "updated_at": times.to_representation(row["updated_at"]),
    }


def detail_representation(project, request):
    """The project as ProjectDetailSerializer renders it, from the instance and its prefetches."""
    metric, member = metric_serializer(), team_serializer()
    row = {name: getattr(project, name) for name in DETAIL_COLUMNS}
    layer = project.layer
    row.update(layer_slug=layer.slug, layer_name=layer.name, map_slug=layer.map.slug)
    return detail_item(
        row,
        request,
        tags=[tag.slug for tag in project.tags.all()],
        metrics=[(m.is_headline, metric.to_representation(m)) for m in project.metrics.all()],
        team=[member.to_representation(person) for person in project.team.all()],
    )


def detail_row_representation(row, request):
    """The same from detail_rows()' one row (PostgreSQL)."""
    return detail_item(
        row,
        request,
        tags=row["tag_slugs"],
        metrics=[metric_item(values) for values in row["metrics"]],
        team=[member_item(values) for values in row["team"]],
    )


def detail_item(row, request, *, tags, metrics, team):
    """`row` holds DETAIL_COLUMNS and LIST_RELATED; `metrics` (is headline, metric) pairs."""
    url = request.build_absolute_uri(reverse("api:project-detail", kwargs={"slug": row["slug"]}))
    headline = [shown for is_headline, shown in metrics if is_headline]
    return {
        **list_item(row, url, tags, headline, datetime_field()),
        "description": row["description"],
        "description_html": str(render_markdown(row["description"])),
        "our_view": row["our_view"],
        "our_view_html": str(render_markdown(row["our_view"])),
        "our_view_date": DATE.to_representation(row["our_view_date"]),
        "links": {
            "website": row["website"],
            "x": row["x_url"],
            "github": row["github_url"],
            "docs": row["docs_url"],
        },
        "team": team,
        "metrics": [shown for _, shown in metrics],
    }


class CompiledRows:
    """The rows of a values() queryset whose SQL never changes but for its page or arguments.

    `make_queryset(*args)` builds the queryset; it is built and compiled once per database
    connection, with `stand_ins` for its arguments (each must come out as one parameter of
    the SQL, a value no row has), and each call runs that SQL with the arguments in their
    places. Django took longer to build and compile the list's query (about 2 ms) than
    PostgreSQL takes to run it. So the queryset must depend on nothing but its arguments:
    not on the request, not on the time.

    Without arguments, PostgreSQL gets the constant parameters written into the SQL: a
    prepared statement with `status = $1` gets a generic plan that cannot use the partial
    indexes on published rows (for the list, a sort of every published row), so PostgreSQL
    planned it anew on every execution; with the literals it plans it once per connection.

    The Paginator takes it for a queryset: count() and slices.
    """

    def __init__(self, make_queryset, *stand_ins):
        self.make_queryset = make_queryset
        self.stand_ins = stand_ins
        # Per thread, as Django's connections are: the compiler holds its connection, which
        # goes with its thread (runserver starts one a request) instead of being kept here.
        self._local = threading.local()

    def count(self):
        return self.make_queryset().count()

    def __getitem__(self, page):
        # Only slices, which Paginator asks for; an empty one runs no query, as a queryset's.
        if page.stop <= page.start:
            return []
        return self.rows(limits=(page.start, page.stop))

    def rows(self, *args, limits=None):
        db = connections[DEFAULT_DB_ALIAS]  # the app's one database, as the queryset's
        _, sql, params, places, names, compiler, converters = self._compile(db)
        if args:
            params = list(params)
            for place, arg in zip(places, args, strict=True):
                params[place] = arg
        if limits:
            sql = f"{sql} {db.ops.limit_offset_sql(*limits)}"
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, db):
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled[0] is not db:
            query = self.make_queryset(*self.stand_ins).query
            compiler = query.get_compiler(connection=db)
            sql, params = compiler.as_sql()
            if any(params.count(stand_in) != 1 for stand_in in self.stand_ins):
                raise ValueError("Each stand-in must be exactly one parameter of the SQL.")
            places = [params.index(stand_in) for stand_in in self.stand_ins]
            if db.vendor == "postgresql" and not places:
                sql, params = db.ops.compose_sql(sql, params), None
            # As ValuesIterable reads a row: the same names, the same converters.
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            fields = [column[0] for column in compiler.select[: compiler.col_count]]
            converters = compiler.get_converters(fields)
            compiled = db, sql, params, places, names, compiler, converters
            self._local.compiled = compiled
        return compiled


def published_projects():
    """The one query behind the list, the detail and the CSV: published, with what they show."""
    return (
        Project.objects.published().select_related("layer__map").prefetch_related("tags", "metrics")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Published projects, filtered and paged",
        description=(
            "Takes the public pages' parameters. `layer`, `tag` and `stage` repeat "
            "(any of the values matches)."
        ),
        parameters=[LAYER],
        responses={200: ProjectListSerializer(many=True), **ERROR_RESPONSES},
        examples=[
            OpenApiExample("A page", value=page_example(PROJECT_EXAMPLE), response_only=True)
        ],
    ),
    retrieve=extend_schema(
        summary="One published project: team, every metric, the firm's view",
        parameters=[SLUG],
        responses={
            200: ProjectDetailSerializer,
            (404, "application/json"): NOT_FOUND,
            **ERROR_RESPONSES,
        },
        examples=[OpenApiExample("A project", value=PROJECT_DETAIL_EXAMPLE, response_only=True)],
    ),
)
class ProjectViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    # Their JSON is built by hand (list_item, detail_item): strings, integers, booleans.
    renderer_classes = [FastJSONRenderer]
    filterset_class = ProjectFilter
    # The exact count of a filtered list, cached per content version (dealmap/pagination.py).
    count_cache_scope = "projects"

    def get_queryset(self):
        projects = published_projects()
        if self.action == "retrieve":
            return projects.prefetch_related("team")
        return projects.order_by(*LIST_ORDER)

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectListSerializer

    # The list and the detail build their JSON themselves: the same JSON as the
    # serializers that document them (tests/test_api_projects.py holds them equal) for a
    # fraction of the time, as DRF builds every field of a serializer for each use.
    def list(self, request, *args, **kwargs):
        if self.unfiltered():
            projects = UNFILTERED_ROWS
        else:
            projects = list_rows(self.filter_queryset(self.get_queryset()))
        rows = self.paginate_queryset(projects)
        return self.get_paginated_response(list_representation(rows, request))

    def retrieve(self, request, *args, **kwargs):
        if connection.vendor != "postgresql":
            return Response(detail_representation(self.get_object(), request))
        # One query compiled once (DETAIL_ROWS) where the ORM built, compiled and ran four
        # (the project, then its tags, metrics and team) and made model instances of them.
        slug = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        # PostgreSQL refuses a NUL in text (an error, a 500); no slug holds one.
        rows = DETAIL_ROWS.rows(slug) if "\x00" not in slug else []
        if not rows:
            raise Http404(f"No {Project._meta.object_name} matches the given query.")
        self.check_object_permissions(request, rows[0])
        return Response(detail_row_representation(rows[0], request))

    def filter_queryset(self, queryset):
        # The detail is found by slug alone: list parameters do not apply to it. A list
        # with no parameter but paging has nothing to filter: building the FilterSet (deep
        # copies of every filter and form field) cost as much as the page's queries.
        if self.action == "retrieve" or self.unfiltered():
            return queryset
        return super().filter_queryset(queryset)

    def unfiltered(self):
        return set(self.request.query_params) <= PAGE_ONLY


def unfiltered_rows():
    """The list with no parameter but paging: ProjectViewSet's queryset, as list() reads it."""
    return list_rows(published_projects().order_by(*LIST_ORDER))


def detail_rows(slug):
    """The detail on PostgreSQL, one query: the project, its layer and map, tags, metrics, team."""
    rows = published_projects().filter(slug=slug).order_by()
    rows = rows.values(*DETAIL_COLUMNS, **{name: F(path) for name, path in LIST_RELATED.items()})
    return rows.annotate(tag_slugs=TAG_SLUGS, metrics=METRICS, team=TEAM)


# The list most requests ask for, and the detail, compiled once (CompiledRows).
UNFILTERED_ROWS = CompiledRows(unfiltered_rows)
DETAIL_ROWS = CompiledRows(detail_rows, "stand-in slug")


# ---- CSV export -------------------------------------------------------------------------------

CSV_COLUMNS = [
    "slug", "name", "map", "layer", "one_liner", "stage", "country", "headquarters",
    "founded_year", "token_symbol", "is_portfolio", "tags", "website", "headline_metrics",
    "published_at", "updated_at",
]  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Rows fetched and written at a time: a 100,000-row export is streamed in chunks of this
# many, never held whole (in the worker or as one prefetch of 100,000 ids, which passes
# PostgreSQL's limit of 65,535 parameters).
CSV_CHUNK = 2000


class CSVRenderer(renderers.BaseRenderer):
    """For content negotiation and the schema only: the export streams csv_chunks()
    itself, and its errors are JSON (ConditionalMixin), so nothing is rendered here."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


def csv_chunks(rows):
    """The CSV's bytes, the header then CSV_CHUNK rows at a time, from list_rows() rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    yield _drain(out)
    for chunk in itertools.batched(rows, CSV_CHUNK):
        tags, headline = tags_and_headlines(chunk)
        for row in chunk:
            writer.writerow(csv_row(row, tags[row["id"]], headline[row["id"]]))
        yield _drain(out)


def _drain(out):
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode(CSVRenderer.charset)


def _safe_cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_row(row, tags, headline):
    """One project's cells, from a list_rows() row and its tags and headline metrics."""
    cells = {
        "slug": row["slug"],
        "name": row["name"],
        "map": row["map_slug"],
        "layer": row["layer_slug"],
        "one_liner": row["one_liner"],
        "stage": row["stage"],
        "country": row["country"],
        "headquarters": row["headquarters"],
        "founded_year": row["founded_year"],
        "token_symbol": row["token_symbol"],
        "is_portfolio": "true" if row["is_portfolio"] else "false",
        "tags": ";".join(tags),
        "website": row["website"],
        "headline_metrics": "; ".join(
            f"{m['label']}: {m['value']} {m['unit']} ({m['as_of']})".replace(" ()", "")
            for m in headline
        ),
        "published_at": row["published_at"].isoformat() if row["published_at"] else "",
        "updated_at": row["updated_at"].isoformat(),
    }
    return {key: _safe_cell(value) for key, value in cells.items()}


class ProjectCSVView(ConditionalMixin, generics.ListAPIView):
    """Every project of a filtered list (no paging), one row each, streamed."""

    filterset_class = ProjectFilter
    renderer_classes = [CSVRenderer]
    pagination_class = None

    def get_queryset(self):
        return published_projects()

    @extend_schema(
        summary="CSV export of a filtered project list",
        tags=["projects"],
        description="Same parameters as the project list; every matching row, no paging.",
        parameters=[LAYER],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A header row, then one row per project.",
                examples=[
                    OpenApiExample(
                        "Two columns shown",
                        value="slug,name,...\nexample-network,Example Network,...\n",
                    )
                ],
            ),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request, *args, **kwargs):
        # Filtered first, so a bad parameter is a 400 before any byte is sent.
        rows = list_rows(self.filter_queryset(self.get_queryset()), extra=["website"])
        # On PostgreSQL a server-side cursor: one query, CSV_CHUNK rows fetched at a time.
        response = StreamingHttpResponse(
            csv_chunks(rows.iterator(chunk_size=CSV_CHUNK)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="dealmap-projects.csv"'
        return response


# ---- changes feed -----------------------------------------------------------------------------


class ChangeFilter(filters.FilterSet):
    since = UTCIsoDateTimeFilter(
        field_name="at",
        lookup_expr="gte",
        label="Only changes at or after this time (ISO 8601, e.g. 2026-11-20T09:30:00Z).",
    )
    kind = filters.ChoiceFilter(choices=ChangeKind.choices, label="Only changes of this kind.")

    class Meta:
        model = ProjectChange
        fields = []


@extend_schema(
    summary="Changes feed: projects published, updated and removed",
    description=(
        "Oldest first. A mirror applies the slugs it lists: fetch the detail of each; a 404 "
        "means the project left the published set (unpublished, archived, deleted)."
    ),
    responses={200: ChangeSerializer(many=True), **ERROR_RESPONSES},
    examples=[OpenApiExample("A page", value=page_example(CHANGE_EXAMPLE), response_only=True)],
)
class ChangeListView(ConditionalMixin, generics.ListAPIView):
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilter
    queryset = ProjectChange.objects.order_by("at", "id")
