"""The public pages' Jinja2 environment: dealmap.jinja2's, plus the site's own filters
and globals (TEMPLATES' `environment` option in settings names `environment`)."""

from dealmap import jinja2
from dealmap.markdown import render_markdown
from projects.site import display

FILTERS = {
    "compact": display.compact,
    "figure": display.figure,
    "hue": display.hue,
    "initials": display.initials,
    "json_ld": display.json_ld,
    "markdown": render_markdown,
    "short_figure": display.short_figure,
}


def environment(**options):
    env = jinja2.environment(**options)
    env.filters.update(FILTERS)
    env.globals.update(SLUG_MARK=display.SLUG_MARK)
    return env
