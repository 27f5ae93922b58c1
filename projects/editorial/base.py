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

from contextlib import nullcontext

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Version
from reversion.revisions import is_active, set_comment

from dealmap.editorial import Status
from projects import changes, workflow
from projects.editorial.compare import compare_versions
from projects.models import Project

# Bookkeeping columns a restore must leave as they are now (a restore is a new save).
EDITORIAL_STATE = [
    "status",
    "published_at",
    "last_reviewed_at",
    "version",
    "created_at",
    "created_by_id",
    "updated_at",
    "updated_by_id",
]
# The same workflow block on every editorial change page (maps and projects).
WORKFLOW_FIELDSET = (
    "Workflow",
    {
        "fields": [
            "status",
            "comment",
            "expected_version",
            ("published_at", "last_reviewed_at"),
            ("version", "updated_at", "updated_by"),
            "status_history",
        ]
    },
)

EDITORIAL_READONLY = [
    "published_at",
    "last_reviewed_at",
    "version",
    "updated_at",
    "updated_by",
    "status_history",
]


class MarkdownTextarea(forms.Textarea):
    """A textarea with a Write / Preview switch; the preview is rendered by the server."""

    def __init__(self, attrs=None):
        base = {
            "class": "vLargeTextField markdown-source",
            "rows": 8,
            "data-markdown-preview": reverse_lazy("admin-markdown-preview"),
        }
        super().__init__({**base, **(attrs or {})})

    class Media:
        js = ["admin/dealmap/markdown-preview.js"]
        css = {"all": ["admin/dealmap/editorial.css"]}


def describe_user(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


class EditorialForm(forms.ModelForm):
    status = forms.ChoiceField(choices=Status.choices, label="Status")
    comment = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="Optional: what you changed, or why you moved it. Kept in the history.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    editor = None  # the requesting user, set by EditorialAdmin.get_form
    related_models = ()  # the inline models, saved in the same revisions

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_status = self.instance.status if self.instance.pk else Status.DRAFT
        self.initial["status"] = self.current_status
        if self.instance.pk:
            self.initial["expected_version"] = self.instance.version
        current = Status(self.current_status).label
        choices = [(self.current_status, f"{current} (no change)")]
        if self.editor is not None:
            choices += [
                (move.target, f"{move.label} → {Status(move.target).label}")
                for move in workflow.allowed_transitions(self.editor, self.instance)
            ]
        # The select offers only allowed moves; any other POSTed value reaches
        # clean_status, which refuses it with the workflow's message.
        self.fields["status"].widget.choices = choices

    def clean_status(self):
        target = self.cleaned_data["status"]
        if target != self.current_status:
            try:
                workflow.check_transition(user=self.editor, obj=self.instance, to_status=target)
            except workflow.TransitionNotAllowed as refusal:
                raise ValidationError(str(refusal), code="transition") from refusal
        return target

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                # Browsers send textareas with CRLF; store what the fixtures and imports store.
                cleaned[name] = value.replace("\r\n", "\n")
        if self.instance.pk:
            self.check_version(cleaned.get("expected_version"))
        return cleaned

    def check_version(self, expected):
        model = type(self.instance)
        # Row lock until the admin's transaction ends: two saves cannot both pass.
        current = (
            model.objects.select_for_update()
            .values_list("version", flat=True)
            .get(pk=self.instance.pk)
        )
        if expected == current:
            return
        latest = model.objects.select_related("updated_by").get(pk=self.instance.pk)
        # Re-arm the form with the version just shown: saving again keeps this input.
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_version")] = str(current)
        when = date_format(timezone.localtime(latest.updated_at), "j M Y, H:i T")
        opts = model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[latest.pk])
        who = describe_user(latest.updated_by)
        if expected is None:
            who = "This form carries no version stamp (an old or altered page). Someone"
        changed = self.changed_since(expected)
        raise ValidationError(
            format_html(
                "{who} saved this {noun} at {when}, after you opened it{changed}. Your changes "
                "are not saved: they are still in the form below. Compare them with "
                '<a href="{url}" target="_blank" rel="noopener">the latest version</a> '
                "(opens in a new tab), then save again to keep yours.",
                who=who,
                noun=opts.verbose_name,
                when=when,
                changed=f" and changed: {', '.join(changed)}" if changed else "",
                url=change_url,
            ),
            code="conflict",
        )

    def changed_since(self, seen_version):
        """Names of what changed between the revision this person saw and the latest one."""
        if seen_version is None:
            return []
        revisions = list(Version.objects.get_for_object(self.instance).order_by("-pk")[:20])
        seen = next((v for v in revisions if v.field_dict.get("version") == seen_version), None)
        if seen is None or seen == revisions[0]:
            return []
        diff = compare_versions(older=seen, newer=revisions[0], related_models=self.related_models)
        names = [change.label for change in diff["fields"] if change.changed]
        names += [related.title for related in diff["related"] if related.rows]
        return [name for name in names if name != "Status"] or []


class RecordedWritesMixin:
    """Each admin request that can write (a form, a deletion, a list action, a restore or
    a recovery: a POST) is one recorded change (projects.changes): whatever it saves, the
    changes feed and the content version move once, in its transaction. A page that
    only shows (a GET) opens no transaction for it."""

    def changeform_view(self, request, *args, **kwargs):
        with recorded(request):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with recorded(request):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with recorded(request):
            return super().changelist_view(request, *args, **kwargs)


def recorded(request):
    return changes.recording() if request.method == "POST" else nullcontext()


class ParentEditableMixin:
    """Rows that belong to a map or project change only when their parent may change.

    `parent_field` names the parent; inlines receive the parent itself. In a row's
    own admin, an editor can only pick a parent they may edit (a draft or one in
    review), so no row is added to a published page behind a Publisher's back.
    """

    is_inline = False
    parent_field = None

    def _parent_editable(self, request, obj):
        if obj is None:
            return True
        parent = obj if self.is_inline else getattr(obj, self.parent_field)
        return workflow.can_edit(request.user, parent)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)

    def has_add_permission(self, request, obj=None):
        if self.is_inline:
            allowed = super().has_add_permission(request, obj)
            return allowed and self._parent_editable(request, obj)
        return super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not self.is_inline:
            verb = "changed" if change else "added"
            self._revise_parent(request, obj, f"{obj._meta.verbose_name} “{obj}” {verb}")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._revise_parent(request, obj, f"{obj._meta.verbose_name} “{obj}” deleted")

    def _revise_parent(self, request, obj, comment):
        """A row saved on its own page is a new version of its map or project, as inline."""
        parent = getattr(obj, self.parent_field)
        workflow.revise(obj=parent, user=request.user, comment=comment.capitalize())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent_model = db_field.related_model
        if db_field.name == self.parent_field and not workflow.can_publish(
            request.user, parent_model
        ):
            kwargs["queryset"] = parent_model.objects.filter(
                status__in=workflow.EDITABLE_BY_EDITORS
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
