"""TEMPORARY shim while the public pages and the API move to content_version.remember."""

from dealmap import content_version


def remember(version, name, compute, *, timeout, size=None):
    return content_version.remember(version, name, compute, timeout=timeout)


def register(store):
    pass


def clear_all():
    pass
