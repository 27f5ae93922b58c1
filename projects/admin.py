"""Django's admin finds the editorial audience's admin classes through this module."""

from projects.editorial import maps_admin, projects_admin  # noqa: F401
