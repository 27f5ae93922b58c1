"""Plain builders for test data: every argument has a sensible default, nothing else happens."""

import datetime
import itertools

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.models import Project, TeamMember, TractionMetric

_seq = itertools.count(1)


def make_map(*, status=Status.PUBLISHED, **fields):
    n = next(_seq)
    fields.setdefault("slug", f"map-{n}")
    fields.setdefault("name", f"Map {n}")
    return Map.objects.create(status=status, **fields)


def make_layer(*, map=None, **fields):
    n = next(_seq)
    fields.setdefault("slug", f"layer-{n}")
    fields.setdefault("name", f"Layer {n}")
    return Layer.objects.create(map=map or make_map(), **fields)


def make_project(*, layer=None, status=Status.PUBLISHED, **fields):
    n = next(_seq)
    fields.setdefault("slug", f"project-{n}")
    fields.setdefault("name", f"Project {n}")
    return Project.objects.create(layer=layer or make_layer(), status=status, **fields)


def make_member(*, project, **fields):
    fields.setdefault("name", f"Person {next(_seq)}")
    return TeamMember.objects.create(project=project, **fields)


def make_metric(*, project, **fields):
    fields.setdefault("label", "users")
    fields.setdefault("value", 1000)
    fields.setdefault("as_of", datetime.date(2026, 1, 1))
    fields.setdefault("source_url", "https://example.com/source")
    return TractionMetric.objects.create(project=project, **fields)
