"""What every importer shares: cleaning values, planning project writes, writing them in bulk.

An importer reads its file into `ProjectPlan`s (no writes), reports each row in an
`ImportResult`, and only when no row is rejected hands the plans to
`apply_project_plans`, which writes everything with a handful of bulk queries.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealmap.editorial import Status
from projects import workflow
from projects.changes import active, recording
from projects.models import Project, Tag, TeamMember, TractionMetric

BATCH_SIZE = 500
# bulk_update writes one CASE per field over the whole batch: smaller batches are faster.
UPDATE_BATCH_SIZE = 100
TEAM_FIELDS = ["name", "role", "bio", "url", "is_founder", "position"]
METRIC_FIELDS = [
    "label", "value", "unit", "qualifier", "as_of", "source_url", "note", "is_headline",
    "position",
]  # fmt: skip


def require_permissions(user, *perms):
    """Imports are writes: the same model permissions as the admin forms they stand in for.

    `user=None` is the command line, where the operator already has the database.
    """
    if user is None:
        return
    missing = [perm for perm in perms if not user.has_perm(perm)]
    if missing:
        raise PermissionDenied(f"{user} may not import: missing permission {', '.join(missing)}.")


def run_atomically(result, *, dry_run, work, user):
    """Run `work` in one transaction; keep it only if it is not a dry run and nothing failed.

    A dry run performs the very same writes and rolls them back, so the preview proves
    the database accepts them. `work` returns the maps and projects it wrote (lazily):
    a kept import stores them all in one revision, in the same transaction.
    """
    try:
        with transaction.atomic():
            # Recorded inside the import's own transaction: a dry run or a rejected file
            # rolls back its changes-feed rows and content version with everything else.
            with recording():
                written = work()
            if dry_run or result.has_errors:
                transaction.set_rollback(True)
            else:
                record_import_revision(written, user=user, source=result.source)
    except IntegrityError as exc:
        result.errors.append(f"The database refused the import, nothing was written: {exc}")
    result.applied = not dry_run and not result.has_errors
    return result


# --- values -------------------------------------------------------------------------------


@dataclass
class ProjectPlan:
    """The writes for one project: field values, and tags/team/metrics when they change.

    `tags`, `team` and `metrics` are None when the import leaves them as they are.
    """

    project: Project
    is_new: bool
    values: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    tags: list[str] | None = None
    team: list[dict] | None = None
    metrics: list[dict] | None = None

    @property
    def has_changes(self):
        return self.is_new or bool(self.changed) or self._related_changes()

    def _related_changes(self):
        return any(value is not None for value in (self.tags, self.team, self.metrics))

    def describe(self):
        names = list(self.changed)
        names += [
            label
            for label, v in [("tags", self.tags), ("team", self.team), ("metrics", self.metrics)]
            if v is not None
        ]
        return names


def plan_project(project, values, *, tags=None, team=None, metrics=None):
    """Compare the wanted values with the project; keep only what differs.

    An existing project is left untouched until `apply_project_plans`, so a rejected
    plan still describes the project as it is.
    """
    is_new = project.pk is None
    plan = ProjectPlan(project=project, is_new=is_new, values=values)
    if is_new:
        for name, value in values.items():
            setattr(project, name, value)
    else:
        plan.changed = [name for name, value in values.items() if getattr(project, name) != value]
    if tags is not None and (is_new or set(tags) != {t.slug for t in project.tags.all()}):
        plan.tags = sorted(set(tags))
    if team is not None and (is_new or team != related_rows(project.team.all(), TEAM_FIELDS)):
        plan.team = team
    if metrics is not None and (
        is_new or metrics != related_rows(project.metrics.all(), METRIC_FIELDS)
    ):
        plan.metrics = metrics
    return plan


def related_rows(objects, fields):
    return [{name: getattr(obj, name) for name in fields} for obj in objects]


# --- who may change what: the admin's rules ----------------------------------------------


def may_edit(user, obj):
    """The admin's rule for changing a map or project (`workflow.can_edit`).

    Without a user (the command line with no --user) an import has an Editor's reach:
    drafts and pages in review. A published page changes only by a Publisher's hand.
    """
    if user is None:
        return obj.status in workflow.EDITABLE_BY_EDITORS
    return workflow.can_edit(user, obj)


def cannot_edit_reason(user, obj):
    status = obj.get_status_display().lower()
    if user is None:
        return (
            f"'{obj}' is {status}; without --user the command line changes drafts and pages "
            "in review only. Pass --user with a Publisher's username to change it."
        )
    return (
        f"'{obj}' is {status}; only a Publisher can change it, in an import as in the admin. "
        "Ask a Publisher, or have it moved back to draft first."
    )


def related_permissions(plan, tags_by_slug):
    """What the admin would need for this plan's team, metrics and new tags."""
    needed = []
    for attr, model in (("team", TeamMember), ("metrics", TractionMetric)):
        if getattr(plan, attr) is not None:
            # The import replaces the rows: the old ones go, the file's ones are added.
            actions = ["add"] if plan.is_new else ["add", "delete"]
            needed += [f"projects.{action}_{model._meta.model_name}" for action in actions]
    if any(tags_by_slug[slug].pk is None for slug in plan.tags or ()):
        needed.append("projects.add_tag")
    return needed


def refusal(user, plan, *, tags_by_slug):
    """Why this user may not write this plan, by the admin's rules; "" when they may."""
    if not plan.is_new and not may_edit(user, plan.project):
        return cannot_edit_reason(user, plan.project)
    if user is None:
        return ""
    needed = related_permissions(plan, tags_by_slug)
    missing = [perm for perm in needed if not user.has_perm(perm)]
    if missing:
        return f"you may not make this change: missing permission {', '.join(missing)}"
    return ""


def update_note(project):
    """What the preview says about an allowed update: a Publisher's change to a live page."""
    if project.status == Status.PUBLISHED:
        return "published: the public page shows this change as soon as it is imported"
    return ""


def is_draft(project):
    return project.status == Status.DRAFT


# --- writing ------------------------------------------------------------------------------


def apply_project_plans(plans, *, user, tags_by_slug, progress=None):
    """Write the plans with bulk queries: a constant number of statements per 500 projects.

    Bulk queries send no signals: the recording is told which projects they touch.
    """
    with recording() as change:
        _apply_project_plans(plans, user=user, tags_by_slug=tags_by_slug, progress=progress)
        change.created(plan.project.pk for plan in plans if plan.is_new)


def _apply_project_plans(plans, *, user, tags_by_slug, progress):
    now = timezone.now()
    touched = [plan.project.pk for plan in plans if not plan.is_new and plan.describe()]
    if touched:
        active().touch(touched)
    new_tags = [tag for tag in tags_by_slug.values() if tag.pk is None]
    Tag.objects.bulk_create(new_tags, batch_size=BATCH_SIZE)
    creates = [plan for plan in plans if plan.is_new]
    # A change to tags, team or metrics alone is a new version of the project too.
    updates = [plan for plan in plans if not plan.is_new and plan.describe()]
    total, done = len(creates) + len(updates), 0
    for batch in batched(creates):
        for plan in batch:
            plan.project.created_by = plan.project.updated_by = user
        Project.objects.bulk_create([plan.project for plan in batch])
        done += len(batch)
        report(progress, "writing", done, total)
    for batch in batched(updates):
        fields = {"version", "updated_at", "updated_by"}
        for plan in batch:
            for name in plan.changed:
                setattr(plan.project, name, plan.values[name])
            plan.project.version += 1
            plan.project.updated_at = now
            plan.project.updated_by = user
            fields.update(plan.changed)
        Project.objects.bulk_update(
            [plan.project for plan in batch], sorted(fields), batch_size=UPDATE_BATCH_SIZE
        )
        done += len(batch)
        report(progress, "writing", done, total)
    _replace_tags(plans, tags_by_slug)
    _replace_related(plans, "team", TeamMember)
    _replace_related(plans, "metrics", TractionMetric)


def _replace_tags(plans, tags_by_slug):
    through = Project.tags.through
    changing = [plan for plan in plans if plan.tags is not None]
    stale = [plan.project.pk for plan in changing if not plan.is_new]
    if stale:
        through.objects.filter(project_id__in=stale).delete()
    links = [
        through(project_id=plan.project.pk, tag_id=tags_by_slug[slug].pk)
        for plan in changing
        for slug in plan.tags
    ]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)


def _replace_related(plans, attr, model):
    changing = [plan for plan in plans if getattr(plan, attr) is not None]
    stale = [plan.project.pk for plan in changing if not plan.is_new]
    if stale:
        model.objects.filter(project_id__in=stale).delete()
    rows = [
        model(project_id=plan.project.pk, **values)
        for plan in changing
        for values in getattr(plan, attr)
    ]
    model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def batched(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def report(progress, stage, done, total):
    if progress is not None:
        progress(stage, done, total)


# --- history ------------------------------------------------------------------------------


def written_projects(plans, progress=None):
    """The projects the plans created or changed, fresh, with the rows their revisions hold.

    Read in batches as the revision consumes them, so the progress bar follows it.
    """
    pks = [plan.project.pk for plan in plans if plan.is_new or plan.describe()]
    for done, batch in enumerate(batched(pks), start=1):
        yield from Project.objects.filter(pk__in=batch).prefetch_related("tags", "team", "metrics")
        report(progress, "history", min(done * BATCH_SIZE, len(pks)), len(pks))


def record_import_revision(written, *, user, source):
    """One revision for the whole import, so each object's history says who imported what.

    An import that wrote nothing stores none: reversion skips an empty revision.
    """
    workflow.record_revision(objs=written or (), user=user, comment=f"Imported from {source}")
