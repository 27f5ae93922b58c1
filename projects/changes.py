"""The changes feed: a log of projects entering, changing within and leaving the published set.

A partner that mirrors the data through the API learns of removals only here.
Like the content version (see dealmap/content_version.py for the longer why),
it is recorded from model signals, because it must be right whatever path made
the change: admin form or list action, import, management command, shell.
`QuerySet.update()` and `bulk_create()` send no signals: code that changes
public projects that way wraps the write in `bulk_write(projects)`.

A project is public when `Project.objects.published()` holds it: so a change of
its own status, of its map's status, of its layer's map, or its deletion each
count, and so do edits of what its public representation shows (its team,
metrics, tags, layer and map names).
"""

from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from dealmap import content_version
from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.models import ChangeKind, Project, ProjectChange, Tag, TeamMember, TractionMetric


def record(kind, slugs):
    now = timezone.now()
    ProjectChange.objects.bulk_create(
        [ProjectChange(slug=slug, kind=kind, at=now) for slug in slugs]
    )


@contextmanager
def bulk_write(projects):
    """Around a write that sends no signals (`projects.update(status=…)`): record what entered,
    changed within and left the published set, and move the content version on."""
    ids = list(projects.values_list("pk", flat=True))
    before = set(_public_slugs(pk__in=ids))
    yield
    after = set(_public_slugs(pk__in=ids))
    record(ChangeKind.REMOVED, sorted(before - after))
    record(ChangeKind.UPDATED, sorted(before & after))
    record(ChangeKind.PUBLISHED, sorted(after - before))
    content_version.bump()


def _public_slugs(**lookups):
    return list(Project.objects.published().filter(**lookups).values_list("slug", flat=True))


def _remember_project(sender, instance, **kwargs):
    instance._public_slug_before = _public_slugs(pk=instance.pk)[:1] if instance.pk else []


def _project_saved(sender, instance, **kwargs):
    before = getattr(instance, "_public_slug_before", [])
    after = _public_slugs(pk=instance.pk)
    if before and after and before != after:
        record(ChangeKind.REMOVED, before)
        record(ChangeKind.PUBLISHED, after)
    elif before and after:
        record(ChangeKind.UPDATED, after)
    elif after:
        record(ChangeKind.PUBLISHED, after)
    elif before:
        record(ChangeKind.REMOVED, before)


def _project_deleted(sender, instance, **kwargs):
    record(ChangeKind.REMOVED, getattr(instance, "_public_slug_before", []))


def _remember_map(sender, instance, **kwargs):
    rows = Map.objects.filter(pk=instance.pk).values_list("status", "slug", "name")
    instance._public_before = rows.first() if instance.pk else None


def _map_saved(sender, instance, **kwargs):
    before = getattr(instance, "_public_before", None)
    was_public = bool(before) and before[0] == Status.PUBLISHED
    is_public = instance.status == Status.PUBLISHED
    slugs = Project.objects.filter(layer__map=instance, status=Status.PUBLISHED)
    slugs = list(slugs.values_list("slug", flat=True))
    if was_public != is_public:
        record(ChangeKind.PUBLISHED if is_public else ChangeKind.REMOVED, slugs)
    elif is_public and before[1:] != (instance.slug, instance.name):
        record(ChangeKind.UPDATED, slugs)


def _remember_layer(sender, instance, **kwargs):
    rows = Layer.objects.filter(pk=instance.pk).values_list("map__status", "map_id", "slug", "name")
    instance._public_before = rows.first() if instance.pk else None


def _layer_saved(sender, instance, **kwargs):
    before = getattr(instance, "_public_before", None)
    was_public = bool(before) and before[0] == Status.PUBLISHED
    is_public = Map.objects.filter(pk=instance.map_id, status=Status.PUBLISHED).exists()
    slugs = Project.objects.filter(layer=instance, status=Status.PUBLISHED)
    slugs = list(slugs.values_list("slug", flat=True))
    if was_public != is_public:
        record(ChangeKind.PUBLISHED if is_public else ChangeKind.REMOVED, slugs)
    elif is_public and before[1:] != (instance.map_id, instance.slug, instance.name):
        record(ChangeKind.UPDATED, slugs)


def _child_changed(sender, instance, **kwargs):
    record(ChangeKind.UPDATED, _public_slugs(pk=instance.project_id))


def _tag_changed(sender, instance, created=False, **kwargs):
    if not created:
        record(ChangeKind.UPDATED, _public_slugs(tags=instance))


def _tags_linked(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            record(ChangeKind.UPDATED, _public_slugs(pk=instance.pk))
        return
    # tag.projects.add/remove/clear: the projects are in pk_set, or (clear) must be read first.
    if action == "pre_clear":
        instance._cleared_project_ids = list(instance.projects.values_list("pk", flat=True))
    elif action in {"post_add", "post_remove"}:
        record(ChangeKind.UPDATED, _public_slugs(pk__in=pk_set))
    elif action == "post_clear":
        record(ChangeKind.UPDATED, _public_slugs(pk__in=instance._cleared_project_ids))


def connect_signals():
    uid = "project-changes-"
    pre_save.connect(_remember_project, sender=Project, dispatch_uid=uid + "project-pre")
    post_save.connect(_project_saved, sender=Project, dispatch_uid=uid + "project-post")
    pre_delete.connect(_remember_project, sender=Project, dispatch_uid=uid + "project-pre-del")
    post_delete.connect(_project_deleted, sender=Project, dispatch_uid=uid + "project-del")
    pre_save.connect(_remember_map, sender=Map, dispatch_uid=uid + "map-pre")
    post_save.connect(_map_saved, sender=Map, dispatch_uid=uid + "map-post")
    pre_save.connect(_remember_layer, sender=Layer, dispatch_uid=uid + "layer-pre")
    post_save.connect(_layer_saved, sender=Layer, dispatch_uid=uid + "layer-post")
    for child in (TeamMember, TractionMetric):
        name = child._meta.model_name
        post_save.connect(_child_changed, sender=child, dispatch_uid=f"{uid}{name}-save")
        post_delete.connect(_child_changed, sender=child, dispatch_uid=f"{uid}{name}-del")
    post_save.connect(_tag_changed, sender=Tag, dispatch_uid=uid + "tag-save")
    pre_delete.connect(_tag_changed, sender=Tag, dispatch_uid=uid + "tag-del")
    m2m_changed.connect(_tags_linked, sender=Project.tags.through, dispatch_uid=uid + "tags")
