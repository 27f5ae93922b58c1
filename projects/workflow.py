"""The editorial workflow of maps and projects, as plain functions.

Every path that changes a status goes through `transition` (the admin change
form, the list actions, the importers), so the rules below hold everywhere,
not only where a button is hidden:

    draft ──submit──▶ in review ──publish──▶ published ──archive──▶ archived
      ▲                  │                      │                      │
      └──send back───────┘◀──────unpublish──────┘◀────reopen───────────┘

Editors may submit and send back; Publishers may also publish, unpublish,
archive and reopen. Editors change only drafts and projects in review: a
published page changes only by a Publisher's hand.
"""

from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from dealmap.editorial import Status
from projects.changes import recording
from projects.models import Project, StatusChange

EDITOR_GROUP = "Editor"
PUBLISHER_GROUP = "Publisher"

# Statuses an editor (without the publish permission) may still change.
EDITABLE_BY_EDITORS = {Status.DRAFT, Status.IN_REVIEW}


class TransitionNotAllowed(Exception):
    """The workflow has no such move (e.g. draft straight to published)."""


class TransitionPermissionDenied(TransitionNotAllowed, PermissionDenied):
    """The move exists but this user's role may not make it."""


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    permission: str  # "submit" or "publish", suffixed with the model name
    label: str


TRANSITIONS = [
    Transition(Status.DRAFT, Status.IN_REVIEW, "submit", "Submit for review"),
    Transition(Status.IN_REVIEW, Status.DRAFT, "submit", "Send back to draft"),
    Transition(Status.IN_REVIEW, Status.PUBLISHED, "publish", "Approve and publish"),
    Transition(Status.PUBLISHED, Status.DRAFT, "publish", "Unpublish (back to draft)"),
    Transition(Status.DRAFT, Status.ARCHIVED, "publish", "Archive"),
    Transition(Status.IN_REVIEW, Status.ARCHIVED, "publish", "Archive"),
    Transition(Status.PUBLISHED, Status.ARCHIVED, "publish", "Archive"),
    Transition(Status.ARCHIVED, Status.DRAFT, "publish", "Reopen as draft"),
]
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def permission_name(action, model):
    """'submit'/'publish' + Map or Project -> the permission string, e.g. projects.publish_map."""
    return f"projects.{action}_{model._meta.model_name}"


def can_publish(user, model):
    return user.has_perm(permission_name("publish", model))


def can_submit(user, model):
    return user.has_perm(permission_name("submit", model))


def can_edit(user, obj):
    """May this user change the content of this map or project (not only its status)?"""
    if not user.has_perm(f"{obj._meta.app_label}.change_{obj._meta.model_name}"):
        return False
    return obj.status in EDITABLE_BY_EDITORS or can_publish(user, type(obj))


def _status_label(status):
    return Status(status).label


def check_transition(*, user, obj, to_status):
    """Raise TransitionNotAllowed (or its PermissionDenied subclass) with a message for people."""
    noun = obj._meta.verbose_name
    if to_status not in Status.values:
        raise TransitionNotAllowed(f"“{to_status}” is not a status.")
    move = _BY_PAIR.get((obj.status, to_status))
    if move is None:
        options = ", ".join(_status_label(t.target) for t in TRANSITIONS if t.source == obj.status)
        raise TransitionNotAllowed(
            f"A {noun} cannot go from {_status_label(obj.status)} to "
            f"{_status_label(to_status)}. From {_status_label(obj.status)} it can go to: {options}."
        )
    if not user.has_perm(permission_name(move.permission, type(obj))):
        role = "Publisher" if move.permission == "publish" else "Editor or Publisher"
        raise TransitionPermissionDenied(
            f"Only a {role} can move a {noun} from {_status_label(obj.status)} to "
            f"{_status_label(to_status)} (“{move.label}”). Your changes to the status were refused."
        )
    return move


def can_transition(user, obj, to_status):
    try:
        check_transition(user=user, obj=obj, to_status=to_status)
    except TransitionNotAllowed:
        return False
    return True


def allowed_transitions(user, obj):
    """The moves this user may make from the object's current status, in display order."""
    return [
        t for t in TRANSITIONS if t.source == obj.status and can_transition(user, obj, t.target)
    ]


def transition(*, obj, to_status, user, comment=""):
    """Move a map or project to `to_status`, record who, when, from, to and why; one revision.

    The status is re-read under a row lock, so two people acting at once cannot
    both move the same object from the same state. One recorded change
    (projects.changes): the feed and the content version move with it.
    """
    with recording():
        return _transition(obj=obj, to_status=to_status, user=user, comment=comment)


def _transition(*, obj, to_status, user, comment):
    model = type(obj)
    # Fresh from the database under a row lock: the revision below must hold what is
    # stored, not whatever an in-memory copy held.
    obj.refresh_from_db(from_queryset=model.objects.select_for_update())
    check_transition(user=user, obj=obj, to_status=to_status)
    from_status = obj.status
    now = timezone.now()
    obj.status = to_status
    update_fields = ["status", "version", "updated_by", "updated_at"]
    if to_status == Status.PUBLISHED:
        # Publishing is the Publisher's review: the project counts as reviewed now.
        obj.last_reviewed_at = now
        update_fields.append("last_reviewed_at")
        if obj.published_at is None:
            obj.published_at = now
            update_fields.append("published_at")
    obj.version += 1
    obj.updated_by = user
    with reversion.create_revision():
        obj.save(update_fields=update_fields)
        reversion.set_user(user)
        reversion.set_comment(
            f"{_status_label(from_status)} → {_status_label(to_status)}"
            + (f": {comment}" if comment else "")
        )
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=obj.pk,
        from_status=from_status,
        to_status=to_status,
        user=user,
        comment=comment,
        created_at=now,
    )
    return obj


def project_transition(*, project, to_status, user, comment=""):
    """Move a project through the workflow; raises TransitionNotAllowed with a message."""
    return transition(obj=project, to_status=to_status, user=user, comment=comment)


def map_transition(*, map, to_status, user, comment=""):
    return transition(obj=map, to_status=to_status, user=user, comment=comment)


def revise(*, obj, user, comment):
    """Record a new version of a map or project whose rows changed outside its own form.

    Bumps `version` (so a form opened before is refused, not overwritten) and stores
    one revision with the rows it follows (team, metrics, layers).
    """
    model = type(obj)
    with recording() as change:
        # updated_at is public (the API's `updated_at`): a recorded change.
        change.touch(_projects_behind(obj))
        _revise(model, obj, user=user, comment=comment)
    return obj


def _revise(model, obj, *, user, comment):
    model.objects.filter(pk=obj.pk).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    obj.refresh_from_db()
    record_revision(objs=[obj], user=user, comment=comment)


def _projects_behind(obj):
    """The projects whose public representation shows this map or project."""
    if isinstance(obj, Project):
        return Project.objects.filter(pk=obj.pk)
    return Project.objects.filter(layer__map_id=obj.pk)


def record_revision(*, objs, user, comment):
    """Store one revision holding these maps and projects as they are in the database now.

    Each object brings the rows the admin saves with it (team, metrics, layers). Pass
    objects with those rows prefetched: the revision then costs no query per object,
    which is what keeps a 2,500-project import fast.
    """
    with reversion.create_revision():
        for obj in objs:
            reversion.add_to_revision(obj)
        reversion.set_user(user)
        reversion.set_comment(comment)


def projects_mark_reviewed(*, projects, user):
    """Stamp last_reviewed_at on the projects this user may review; returns how many."""
    if not user.has_perm("projects.change_project"):
        raise TransitionPermissionDenied("You may not mark projects as reviewed.")
    reviewed = Project.objects.filter(pk__in=[p.pk for p in projects])
    with recording() as change:
        change.touch(reviewed)
        return reviewed.update(last_reviewed_at=timezone.now())


def status_history(obj):
    """The recorded transitions of one map or project, newest first, with their users."""
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("user")
