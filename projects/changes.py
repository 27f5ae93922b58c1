"""Recording a change to public content: once, in the writer's transaction.

Every write to what visitors and partners see runs inside `recording()`: the
project's write functions (workflow transitions, imports, the admin's saves,
actions, restores and recoveries) open one. When it ends, in the same
transaction, it

- writes one changes-feed row (`ProjectChange`) for each project that entered,
  changed within or left the published set (`Project.objects.published()`), and
- moves the content version on once (`dealmap.content_version.bump`),

so both become visible exactly when the content does, in every process.

What a recording holds is the projects a write touched and whether each was
public before. Model signals report the saves and deletes that happen inside it
(a project, its team, metrics and tags; a map or layer whose status, slug or
name changes, for the projects it holds). Writes that send no signals
(`QuerySet.update()`, `bulk_create()`) call `touch()` / `created()` themselves.

The signals are also the safety net: a save outside any recording (the shell, a
script) opens a recording of its own around that one save, so nothing goes
unrecorded; but the write functions are the path, and record a whole change
(an import of 2,500 projects, a list action) as one version.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from itertools import batched

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from dealmap import content_version
from layers.models import Layer, Map
from projects.models import ChangeKind, Project, ProjectChange, Tag, TeamMember, TractionMetric

# Ids per query when a recording reads the state of the projects it touched: well
# under PostgreSQL's 65,535 parameters and SQLite's 32,766.
ID_BATCH = 2000

_active = ContextVar("dealmap_recording", default=None)


class Recording:
    """The projects one write touched, each with its public slug before (or None)."""

    def __init__(self):
        self.before = {}
        self.changed = False

    def touch(self, projects):
        """These projects (a queryset or ids) are about to change: note how they stand now."""
        self.changed = True
        queryset = projects if hasattr(projects, "values_list") else _by_ids(projects)
        ids = [pk for pk in queryset.values_list("pk", flat=True) if pk not in self.before]
        public = _public_slugs(ids)
        self.before.update({pk: public.get(pk) for pk in ids})

    def created(self, ids):
        """These projects are new: they were public nowhere before."""
        self.changed = True
        for pk in ids:
            self.before.setdefault(pk, None)

    def mark_changed(self):
        """Public content changed that no project's feed entry follows (a map's intro)."""
        self.changed = True

    def finish(self):
        if not self.changed:
            return
        after = _public_slugs(list(self.before))
        removed, updated, published = [], [], []
        for pk, old in self.before.items():
            new = after.get(pk)
            if old and new == old:
                updated.append(new)
                continue
            if old:
                removed.append(old)
            if new:
                published.append(new)
        now = timezone.now()
        rows = [
            ProjectChange(slug=slug, kind=kind, at=now)
            for kind, slugs in [
                (ChangeKind.REMOVED, removed),
                (ChangeKind.UPDATED, updated),
                (ChangeKind.PUBLISHED, published),
            ]
            for slug in sorted(slugs)
        ]
        ProjectChange.objects.bulk_create(rows, batch_size=ID_BATCH)
        content_version.bump()


@contextmanager
def recording():
    """One change to public content, recorded when the block ends, in its transaction.

    A recording opened inside another joins it: the outer one records both.
    """
    outer = _active.get()
    if outer is not None:
        yield outer
        return
    current = Recording()
    token = _active.set(current)
    try:
        with transaction.atomic():
            yield current
            current.finish()
    finally:
        _active.reset(token)


def active():
    return _active.get()


def _by_ids(ids):
    return Project.objects.filter(pk__in=list(ids))


def _public_slugs(ids):
    """{id: slug} of those of these projects the public may see now."""
    found = {}
    for batch in batched(ids, ID_BATCH):
        published = Project.objects.published().filter(pk__in=batch)
        found.update(published.values_list("pk", "slug"))
    return found


# --- the signals: what happens inside a recording, and the safety net outside one ------


def _begin(instance):
    """The recording a signalled write joins: the active one, else one for this write only."""
    current = _active.get()
    if current is None:
        current = Recording()
        instance._dealmap_recording = current
    return current


def _end(instance):
    """Close the write's own recording, if it had to open one (the safety net)."""
    own = instance.__dict__.pop("_dealmap_recording", None)
    if own is not None:
        with transaction.atomic():
            own.finish()


def _project_pre_write(sender, instance, **kwargs):
    recording_ = _begin(instance)
    if instance.pk:
        recording_.touch([instance.pk])
    else:
        recording_.changed = True


def _project_saved(sender, instance, created, **kwargs):
    recording_ = _active.get() or instance.__dict__.get("_dealmap_recording")
    if created and recording_ is not None:
        recording_.created([instance.pk])
    _end(instance)


def _child_written(sender, instance, **kwargs):
    recording_ = _begin(instance)
    ids = [instance.project_id] if instance.project_id else []
    if instance.pk:
        # A row moved to another project changes the one it left too.
        old = sender.objects.filter(pk=instance.pk).values_list("project_id", flat=True).first()
        ids += [old] if old else []
    recording_.touch(ids)


def _watched_pre_save(fields, projects_of):
    """For a map, layer or tag: touch its projects when what they show of it changes."""

    def handler(sender, instance, **kwargs):
        recording_ = _begin(instance)
        recording_.mark_changed()
        if not instance.pk:
            return
        stored = sender.objects.filter(pk=instance.pk).values(*fields).first()
        if stored is not None and stored != {name: getattr(instance, name) for name in fields}:
            recording_.touch(projects_of(instance.pk))

    return handler


def _watched_pre_delete(projects_of):
    def handler(sender, instance, **kwargs):
        recording_ = _begin(instance)
        recording_.mark_changed()
        recording_.touch(projects_of(instance.pk))

    return handler


def _after(sender, instance, **kwargs):
    _end(instance)


def _tags_linked(sender, instance, action, reverse, pk_set, **kwargs):
    if action.startswith("pre_"):
        recording_ = _begin(instance)
        if not reverse:
            recording_.touch([instance.pk])
        elif action == "pre_clear":
            recording_.touch(Project.objects.filter(tags=instance))
        else:
            recording_.touch(pk_set or [])
    else:
        _end(instance)


def _projects_of_map(pk):
    return Project.objects.filter(layer__map_id=pk)


def _projects_of_layer(pk):
    return Project.objects.filter(layer_id=pk)


def _projects_of_tag(pk):
    return Project.objects.filter(tags=pk)


def connect_signals():
    uid = "recording-"
    pre_save.connect(_project_pre_write, sender=Project, dispatch_uid=uid + "project-pre")
    post_save.connect(_project_saved, sender=Project, dispatch_uid=uid + "project-post")
    pre_delete.connect(_project_pre_write, sender=Project, dispatch_uid=uid + "project-pre-del")
    post_delete.connect(_after, sender=Project, dispatch_uid=uid + "project-del")
    watched = [
        (Map, ["status", "slug", "name"], _projects_of_map),
        (Layer, ["map_id", "slug", "name"], _projects_of_layer),
        (Tag, ["slug", "name"], _projects_of_tag),
    ]
    for model, fields, projects_of in watched:
        name = model._meta.model_name
        pre_save.connect(
            _watched_pre_save(fields, projects_of),
            sender=model,
            weak=False,
            dispatch_uid=f"{uid}{name}-pre",
        )
        post_save.connect(_after, sender=model, dispatch_uid=f"{uid}{name}-post")
        pre_delete.connect(
            _watched_pre_delete(projects_of),
            sender=model,
            weak=False,
            dispatch_uid=f"{uid}{name}-pre-del",
        )
        post_delete.connect(_after, sender=model, dispatch_uid=f"{uid}{name}-del")
    for child in (TeamMember, TractionMetric):
        name = child._meta.model_name
        pre_save.connect(_child_written, sender=child, dispatch_uid=f"{uid}{name}-pre")
        post_save.connect(_after, sender=child, dispatch_uid=f"{uid}{name}-post")
        pre_delete.connect(_child_written, sender=child, dispatch_uid=f"{uid}{name}-pre-del")
        post_delete.connect(_after, sender=child, dispatch_uid=f"{uid}{name}-del")
    m2m_changed.connect(_tags_linked, sender=Project.tags.through, dispatch_uid=uid + "tags")
