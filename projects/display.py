"""How the public pages show a project: monograms, figures, tiles and JSON-LD.

Filters and globals of the pages' Jinja2 environment (dealmap/jinja2.py).
"""

import json
import zlib
from decimal import Decimal
from html import escape

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

HUES = 8
# A slug no project has (slugs are lower case): stands for each tile's slug in its URL.
SLUG_MARK = "SLUG-MARK"
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def initials(name):
    """Up to two letters standing in for a missing logo: "Prime Intellect" -> "PI"."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].capitalize()
    return (words[0][0] + words[1][0]).upper()


def hue(slug):
    """A stable colour class number (0-7) for a monogram, from the slug."""
    return zlib.crc32(slug.encode()) % HUES


def _number(value):
    value = Decimal(value)
    if value == value.to_integral_value():
        return intcomma(int(value))
    return intcomma(f"{value:.2f}")


def figure(metric):
    """ "over 161,000,000 payments": qualifier, value and unit of one metric."""
    parts = [metric.get_qualifier_display() if metric.qualifier else "", _number(metric.value)]
    parts.append(metric.unit)
    return " ".join(p for p in parts if p)


def compact(value):
    """161000000 -> "161M", 4300000 -> "4.3M", 950 -> "950"."""
    value = float(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            short = f"{value / size:.1f}".removesuffix(".0")
            return f"{short}{suffix}"
    return _number(Decimal(str(value)))


def short_figure(metric):
    """A tile's headline figure: "over 161M USD" (the label goes beside it)."""
    qualifier = metric.get_qualifier_display() if metric.qualifier else ""
    words = [qualifier, compact(metric.value), metric.unit]
    return " ".join(w for w in words if w)


def json_ld(data):
    """A JSON-LD block; a data block, not a script, so the CSP lets it through."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _tile_line(project):
    if project.one_liner:
        return f'<span class="tile-line">{escape(project.one_liner)}</span>'
    if metric := project.headline:
        figure, label = escape(short_figure(metric)), escape(metric.label)
        return f'<span class="tile-line"><strong>{figure}</strong> {label}</span>'
    return ""


def _tile(project, url, *, show_layer, new_tab):
    if project.logo:
        logo = (
            f'<img class="logo" src="{escape(project.logo.url)}" alt="" width="40" height="40" '
            'loading="lazy" decoding="async">'
        )
    else:
        logo = (
            f'<span class="logo mono mono-{hue(project.slug)}" aria-hidden="true">'
            f"{escape(initials(project.name))}</span>"
        )
    target = ' target="_blank" rel="noopener"' if new_tab else ""
    layer = f'<span class="tile-layer">{escape(project.layer.name)}</span>' if show_layer else ""
    badge = '<span class="badge">Portfolio</span>' if project.is_portfolio else ""
    return (
        f'<li><a class="tile" href="{escape(url)}"{target}>{logo}<span class="tile-text">'
        f'<span class="tile-name">{escape(project.name)}</span>{_tile_line(project)}{layer}'
        f"{badge}</span></a></li>"
    )


def tiles(projects, *, show_layer=False, new_tab=False):
    """Each project's tile in its <li>: logo or monogram, name, one-liner or headline
    figure, layer (`show_layer`), portfolio badge.

    Built here with f-strings and the standard library's escape rather than by a DTL
    {% include %} per tile: an include cost about 0.15 ms a tile, and a map page at
    scale has 216 of them (docs/benchmarks.md). Every value goes through escape().
    """
    # One reverse() for the page: the detail URL differs only by the slug.
    url = reverse("projects:detail", kwargs={"slug": SLUG_MARK})
    html = "".join(
        _tile(p, url.replace(SLUG_MARK, p.slug), show_layer=show_layer, new_tab=new_tab)
        for p in projects
    )
    return mark_safe(html)  # noqa: S308 every value above is escaped
