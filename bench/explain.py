"""EXPLAIN ANALYZE of the querysets the pages and the API are built from.

    DATABASE_URL=postgres://… python -m bench.explain [--plans | --json]

Prints each query's execution time and whether PostgreSQL scanned a whole table.
The querysets are the shared ones (Project.objects.published(), ProjectFilter,
search), so the figures hold whatever view ends up wrapping them.
"""

import json
import os
import re
import sys

BIG_TABLES = {
    "projects_project",
    "projects_teammember",
    "projects_tractionmetric",
    "projects_project_tags",
}


def querysets():
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.http import QueryDict

    from layers.models import Layer
    from projects.filters import ProjectFilter
    from projects.models import Project
    from projects.site import panel, selectors

    published = Project.objects.published()

    def filtered(**params):
        return ProjectFilter(QueryDict(urlencode(params)), queryset=published).qs

    first = published.order_by("id").values_list("name", flat=True).first() or "x"
    word = first.split()[0]
    slug = published.order_by("id").values_list("slug", flat=True)[:1]
    by_name = filtered(ordering="name")
    in_layer = published.filter(layer__slug="compute", layer__map__slug="bench")
    layer = Layer.objects.filter(map__slug="bench", slug="compute").first()
    layers = list(Layer.objects.filter(map__slug="bench"))
    on_map = published.filter(layer__in=layers).order_by(*selectors.IN_LAYER_ORDER)
    first_tiles = on_map.filter(pk__in=selectors.first_in_each_layer(on_map, layers, 12))
    seed = filtered(layer="compute", stage="seed")
    return [
        # The pages as they run: the map's tiles and capped counts, the list in map
        # order, the filter panel's facets (selectors.py, panel.py).
        ("map page: every layer's first tiles", selectors.tiles(first_tiles)),
        ("map page: every layer's capped count", selectors.layer_counts(on_map, layers)),
        (
            "list in map order, page 1",
            selectors.tiles(
                selectors.in_map_order(published, list(selectors.published_layers()), 48)
            )[:48],
        ),
        ("list layer + stage, capped count", _count(seed.order_by().values("pk")[:1001])),
        ("facets (tags and countries in use)", panel.facet_rows(on_map)),
        ("list, default order, page 1", published[:20]),
        ("list by name, page 1", by_name[:20]),
        ("list by name, page 50", by_name[980:1000]),
        (
            "filtered: layer + stage, by -updated",
            filtered(layer="compute", stage="seed", ordering="-updated")[:20],
        ),
        ("one layer, default order (map page)", in_layer[:50]),
        # A map page knows its layers: filtering on the id lets the index give the order.
        (
            "one layer by position (map page)",
            published.filter(layer=layer).order_by("position", "name")[:50],
        ),
        ("search: first word of a name", filtered(q=word)[:20]),
        ("search: a typo of that word", filtered(q=word[:-1] + "x")[:20]),
        ("search: a common word ('verifiable')", filtered(q="verifiable")[:20]),
        ("count of published", published.order_by().values("status").annotate(n=Count("id"))),
        ("capped count (LIMIT 1001)", published.order_by().values("id")[:1001]),
        ("project detail by slug", published.filter(slug=slug).select_related("layer__map")),
    ]


def _count(queryset):
    """COUNT(*) over a queryset, as the paginator runs it (PostgreSQL may then read
    only an index: the ids are not needed)."""
    sql, params = queryset.query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) counted", params  # noqa: S608 Django-compiled SQL


def _sql(queryset):
    """A queryset's, a raw queryset's or an (sql, params) pair's SQL."""
    if isinstance(queryset, tuple):
        return queryset
    if hasattr(queryset, "raw_query"):
        return queryset.raw_query, queryset.params
    return queryset.query.sql_with_params()


def explain(queryset):
    from django.db import connection

    sql, params = _sql(queryset)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    # A sequential scan of the small tables (maps, layers, tags) is the right plan.
    full_scan = [t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in BIG_TABLES]
    return ms, full_scan, plan


def run(show_plans=False, out=print):
    rows = []
    for label, queryset in querysets():
        explain(queryset)  # warm the cache: the figure is the steady state
        ms, scans, plan = explain(queryset)
        rows.append([label, ms, scans])
        out(f"{ms:10.2f} ms  {label}  {'seq scan: ' + ', '.join(scans) if scans else ''}")
        if show_plans:
            out(plan + "\n")
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealmap.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    if "--json" in sys.argv:
        print(json.dumps(run(out=lambda line: None)))
    else:
        run(show_plans="--plans" in sys.argv)
