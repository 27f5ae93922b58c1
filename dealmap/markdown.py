"""Markdown to safe HTML, the one way every page and the API render it."""

from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr",
    "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


def render_markdown(text):
    """Render Markdown and sanitise it: no script, iframe, event handler or javascript: link."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(text))  # noqa: S308 - _render sanitised it with nh3


# The same text always gives the same HTML, and a project page or API detail renders
# two texts a request (about 1 ms each): keep the latest few hundred, a few KB each.
@lru_cache(maxsize=512)
def _render(text):
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return clean
