"""How the public pages show a project: monograms, figures and JSON-LD.

Filters and globals of the pages' Jinja2 environment (projects/site_templates.py).
"""

import json
import zlib
from decimal import Decimal
from functools import lru_cache

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.safestring import mark_safe

HUES = 8
# A slug no project has (slugs are lower case): stands for each tile's slug in the URL
# that projects/_tiles.html reverses once for all its tiles.
SLUG_MARK = "SLUG-MARK"
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# Monograms are pure functions of a name or slug, drawn for every tile of every page:
# remembered, the same 100 tiles cost a dict lookup each instead of a split and a crc32.
@lru_cache(maxsize=65536)
def initials(name):
    """Up to two letters standing in for a missing logo: "Prime Intellect" -> "PI"."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].capitalize()
    return (words[0][0] + words[1][0]).upper()


@lru_cache(maxsize=65536)
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
