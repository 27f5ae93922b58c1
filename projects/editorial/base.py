"""The editorial admin shared by maps and projects: status moves, locking, revisions, compare.

`EditorialAdmin` is a django-reversion `VersionAdmin` (every save stores a
revision with the inlines; deleted objects can be recovered) that adds:

- the status as a select of the moves this user's role allows, re-checked on
  the server by `projects.workflow` for every POST;
- optimistic locking on `version`: a save over someone else's newer save is
  refused, naming who and when, with the form kept as typed;
- restores and recoveries that never change the status on their own;
- a field-by-field compare of any two revisions.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Version
from reversion.revisions import is_active, set_comment

from dealmap.editorial import Status
from projects import changes, workflow
from projects.editorial.compare import compare_versions
from projects.editorial.forms import (
    EDITORIAL_STATE,
    EditorialForm,
    describe_user,
)
from projects.editorial.mixins import RecordedWritesMixin, recorded
from projects.models import Project


class EditorialAdmin(RecordedWritesMixin, VersionAdmin):
    form = EditorialForm
    change_form_template = "admin/editorial/change_form.html"
    object_history_template = "admin/editorial/object_history.html"
    revision_form_template = "admin/editorial/revision_form.html"
    recover_form_template = "admin/editorial/revision_form.html"
    history_latest_first = True
    preview_path = None  # e.g. "/projects/{slug}/preview/", set by each admin
    preview_url_name = None

    class Media:
        css = {"all": ["admin/dealmap/editorial.css"]}

    # Form, permissions and saving.

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        extra = {"editor": request.user, "related_models": [i.model for i in self.inlines]}
        return type(form.__name__, (form,), extra)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only page: the form-only fields have nothing to show.
        hidden = {"comment", "expected_version"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is not None
                and self.has_view_permission(request, obj)
                and not self.has_change_permission(request, obj)
            ):
                # An editor posting to a published page: say why instead of a bare 403.
                self.message_user(
                    request,
                    f"Not saved: this {self.model._meta.verbose_name} is "
                    f"{obj.get_status_display()}, and only a Publisher can change it.",
                    messages.ERROR,
                )
                return redirect(request.path)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_submit_permission(self, request):
        return workflow.can_submit(request.user, self.model)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user, self.model)

    def save_model(self, request, obj, form, change):
        target = form.cleaned_data.get("status", form.current_status)
        comment = form.cleaned_data.get("comment", "")
        # The status changes only through the workflow, after the content is saved.
        obj.status = form.current_status
        obj.updated_by = request.user
        if change:
            obj.version += 1
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        notes = [comment] if comment else []
        if target != form.current_status:
            workflow.transition(obj=obj, to_status=target, user=request.user, comment=comment)
            notes.append(f"{Status(form.current_status).label} → {Status(target).label}")
        request.editorial_notes = notes

    def _comment_revision(self, request, entry):
        if is_active():
            notes = [*getattr(request, "editorial_notes", []), entry.get_change_message()]
            set_comment(" — ".join(note for note in notes if note))

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._comment_revision(request, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._comment_revision(request, entry)
        return entry

    # Restore and recover: the content comes back, the status stays as it is now.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        request.editorial_keep = (
            self.model.objects.filter(pk=unquote(object_id)).values(*EDITORIAL_STATE).first()
        )
        with recorded(request):
            return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # A recovered object starts as a draft, whatever it was when deleted.
        request.editorial_keep = {"status": Status.DRAFT}
        with recorded(request):
            return super().recover_view(request, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        keep = getattr(request, "editorial_keep", None)
        if keep:
            # Runs inside the revert's transaction, right after the old content was
            # written back: put today's status and version back over it. update()
            # sends no signals: the recording is told which projects it touches.
            with changes.recording() as change:
                change.touch(self._projects_behind(object_id))
                self.model.objects.filter(pk=object_id).update(**keep)
        return super().get_object(request, object_id, from_field)

    def _projects_behind(self, object_id):
        """The projects whose visibility follows this map or project."""
        if self.model is Project:
            return Project.objects.filter(pk=object_id)
        return Project.objects.filter(layer__map_id=object_id)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="status-badge status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    # Change page extras.

    def get_view_on_site_url(self, obj=None):
        # Only a published page is "on site"; the Preview link covers the rest.
        if obj is None or obj.status != Status.PUBLISHED:
            return None
        return super().get_view_on_site_url(obj)

    def preview_url(self, obj):
        try:
            return reverse(self.preview_url_name, kwargs={"slug": obj.slug})
        except NoReverseMatch:
            # The public preview lives on another branch until merged.
            return self.preview_path.format(slug=quote(obj.slug))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["preview_url"] = self.preview_url(obj)
            context["editor_read_only"] = not self.has_change_permission(request, obj)
            context["obj_status"] = obj.get_status_display()
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Status history")
    def status_history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        changes = list(workflow.status_history(obj))
        if not changes:
            return "No status change yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(c.created_at), "j M Y, H:i"),
                    describe_user(c.user),
                    c.get_from_status_display(),
                    c.get_to_status_display(),
                    c.comment,
                )
                for c in changes
            ),
        )
        return format_html(
            '<table class="status-history"><thead><tr><th>When</th><th>Who</th>'
            "<th>Move</th><th>Comment</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    # List actions: each object goes through the workflow, refusals are reported by name.

    workflow_actions = {
        "submit_selected": Status.IN_REVIEW,
        "publish_selected": Status.PUBLISHED,
        "archive_selected": Status.ARCHIVED,
    }
    actions = ["submit_selected", "publish_selected", "archive_selected"]

    def _transition_selected(self, request, queryset, to_status, done_verb):
        moved, refused = [], []
        for obj in queryset:
            try:
                workflow.transition(obj=obj, to_status=to_status, user=request.user)
            except workflow.TransitionNotAllowed as refusal:
                refused.append(f"{obj}: {refusal}")
            else:
                moved.append(str(obj))
        if moved:
            self.message_user(
                request, f"{done_verb} {len(moved)}: {', '.join(moved)}.", messages.SUCCESS
            )
        for refusal in refused:
            self.message_user(request, f"Not changed — {refusal}", messages.ERROR)

    @admin.action(description="Submit selected for review", permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._transition_selected(request, queryset, Status.IN_REVIEW, "Submitted for review")

    @admin.action(description="Approve and publish selected", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._transition_selected(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(description="Archive selected", permissions=["publish"])
    def archive_selected(self, request, queryset):
        self._transition_selected(request, queryset, Status.ARCHIVED, "Archived")

    def response_action(self, request, queryset, **kwargs):
        requested = request.POST.get("action", "")
        if requested in self.workflow_actions and requested not in self.get_actions(request):
            # A crafted POST for an action this role does not have: say so plainly.
            move = Status(self.workflow_actions[requested]).label
            self.message_user(
                request,
                f"Refused: your role may not move {self.model._meta.verbose_name_plural} "
                f"to {move}. Only a Publisher can approve, publish and archive.",
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset, **kwargs)

    # History and compare.

    def get_urls(self):
        opts = self.model._meta
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_compare",
        )
        return [compare, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return super().history_view(request, object_id, extra_context)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        versions = self._reversion_order_version_queryset(
            request, Version.objects.get_for_object(obj).select_related("revision__user")
        )
        revision_url = f"admin:{opts.app_label}_{opts.model_name}_revision"
        context = {
            "action_list": [
                {
                    "revision": version.revision,
                    "version_id": version.pk,
                    "url": reverse(revision_url, args=[quote(version.object_id), version.pk]),
                }
                for version in versions
            ],
            "compare_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_compare", args=[quote(obj.pk)]
            ),
            "can_restore": self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        # Django's own history view (VersionAdmin's builds a list without version ids).
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with id {object_id}.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        opts = self.model._meta
        history_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        try:
            older, newer = pick_versions(versions, request.GET.get("a"), request.GET.get("b"))
        except ValueError as problem:
            self.message_user(request, str(problem), messages.ERROR)
            return redirect(history_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "title": f"Compare revisions of {obj}",
            "older": older,
            "newer": newer,
            "diff": compare_versions(
                older=older, newer=newer, related_models=[i.model for i in self.inlines]
            ),
            "history_url": history_url,
        }
        return TemplateResponse(request, "admin/editorial/compare.html", context)


def pick_versions(versions, a, b):
    """The two revisions to compare, older first; the two latest when none are given."""
    if not a and not b:
        latest = list(versions.order_by("-revision__date_created", "-pk")[:2])
        if len(latest) < 2:
            raise ValueError("There is only one revision so far: nothing to compare yet.")
        return latest[1], latest[0]
    try:
        chosen = list(versions.filter(pk__in=[int(a), int(b)]))
    except (TypeError, ValueError):
        raise ValueError("Choose two revisions to compare.") from None
    if len(chosen) != 2:
        raise ValueError("Choose two different revisions of this page to compare.")
    chosen.sort(key=lambda v: (v.revision.date_created, v.pk))
    return chosen[0], chosen[1]
