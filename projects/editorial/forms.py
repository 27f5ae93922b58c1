"""The editorial form every map and project change page uses: workflow, conflicts, who."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.models import Version

from dealmap.editorial import Status
from projects import workflow
from projects.editorial.compare import compare_versions

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
