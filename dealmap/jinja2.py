"""The Jinja2 environment of the public pages (templates/jinja2/).

Why Jinja2 for the public pages: Jinja2 compiles a template to Python functions
once, where the DTL walks its node tree on every render, and a map page at scale
(216 tiles, 9 bands, a filter panel of about 80 options) spent about a third of
an uncached request in the DTL. The admin, its overrides in templates/admin/, the
API docs page and Django's contrib templates (sitemaps) stay on the DTL: they are
written in it, the admin's own templates cannot move, and none of them is on a
visitor's hot path.

The pages are the DTL's to the byte:

- every `{{ value }}` goes through `escape_value` (Jinja2's `finalize` hook), which
  does what the DTL does
  to a variable: local time and number formats, then Django's escaping (`&#x27;`
  and `&quot;`, where MarkupSafe writes `&#39;` and `&#34;`); a value with
  `__html__` (mark_safe's SafeString, MarkupSafe's Markup) passes as it is. Only
  `{{ }}` goes through it: a constant (`{{ "it's" }}`, escaped when the template
  is compiled), the `e` filter and `~` beside a Markup would escape MarkupSafe's
  way, so the templates use none of them;
- the filters that the DTL has under the same names (pluralize, truncatechars,
  urlencode, date, floatformat) are Django's own functions;
- a file's last newline is kept, as the DTL keeps it.

The site's own filters and globals are added by its environment factory
(projects/site_templates.py), which settings name; this module knows no app.

Jinja2 calls nothing by itself: a method the DTL called for the template
(`get_absolute_url`, `page.has_next`) is called with `()` here.
"""

from functools import lru_cache
from html import escape

import jinja2
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters, engines
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from markupsafe import Markup

ENGINE = "jinja2"


# A page escapes the same names, slugs and one-liners on every request (10 values a
# tile): escaping is a pure function of the text, so its results are remembered.
escaped = lru_cache(maxsize=16384)(escape)


def escape_value(value):
    """A `{{ value }}` as the DTL renders it (django.template.base.render_value_in_context).

    The standard library's escape is Django's, less its laziness wrapper.
    """
    if type(value) is str:
        return escaped(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        # What localize() makes of an int then, at a fraction of its cost: a map page
        # shows one per tile (its colour).
        return str(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def finalize(value):
    """Jinja2's `finalize` hook: each `{{ value }}` rendered as the DTL renders it.

    Autoescaping then meets Markup and leaves it as it is, so MarkupSafe's own escaping
    (`&#39;`, `&#34;`) never applies to a value.
    """
    return Markup(escape_value(value))  # noqa: S704 escape_value escaped it, as the DTL does


def url(viewname, *args, **kwargs):
    """`{% url %}`: url("projects:detail", slug=project.slug)."""
    return _reversed(get_script_prefix(), get_urlconf(), viewname, args, tuple(kwargs.items()))


@lru_cache(maxsize=4096)
def _reversed(prefix, urlconf, viewname, args, kwargs):
    # A URL depends only on these: reversed once each (a map page asks for 14, about
    # 40 µs apiece here), the prefix and URLconf in the key as reverse() reads them.
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def date(value, arg=None):
    # The DTL hands the date filter its value in local time (expects_localtime).
    return defaultfilters.date(template_localtime(value), arg)


# Django's, under the DTL's names: the same output, to the byte.
FILTERS = {
    "date": date,
    "floatformat": defaultfilters.floatformat,
    "intcomma": intcomma,
    "pluralize": defaultfilters.pluralize,
    "truncatechars": defaultfilters.truncatechars,
    "urlencode": defaultfilters.urlencode,
}


def environment(**options):
    """An environment for Django's Jinja2 backend that renders as the DTL does.

    A site adds its own filters and globals in its own factory, which calls this one
    (TEMPLATES' `environment` option names that factory).
    """
    # Escaping is never off, as in the DTL.
    options.pop("autoescape", None)
    # A missing variable renders as nothing and is false, in development as in
    # production (Django's default in DEBUG, DebugUndefined, prints its name).
    options["undefined"] = jinja2.Undefined
    env = jinja2.Environment(
        autoescape=True, keep_trailing_newline=True, finalize=finalize, **options
    )
    env.filters.update(FILTERS)
    env.globals.update(static=static, url=url)
    return env


def render_block(request, template_name, block_name, context):
    """One block of a page's template, rendered with the page's context: what htmx swaps.

    The context is the one the whole page gets (as the backend's Template.render
    makes it: the request, the CSRF values and the context processors). A block sees
    that context only: what the template imports or sets outside the block is not there.
    """
    # Two attributes of Django's Jinja2 backend that it does not document remain:
    # `template.template` (the Jinja2 Template it wraps) and the backend's
    # `template_context_processors`. Django has no API to render one block, and Jinja2's
    # own (Template.blocks, new_context) needs the Jinja2 template and the full context.
    template = engines[ENGINE].get_template(template_name)
    context = {
        **context,
        "request": request,
        "csrf_input": csrf_input_lazy(request),
        "csrf_token": csrf_token_lazy(request),
    }
    for processor in template.backend.template_context_processors:
        context.update(processor(request))
    jinja_template = template.template
    render = jinja_template.blocks[block_name]
    try:
        return "".join(render(jinja_template.new_context(context)))
    except Exception:
        # A traceback that points at the template's lines, as Template.render gives it.
        return jinja_template.environment.handle_exception()
