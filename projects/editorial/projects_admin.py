from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from dealmap.editorial import Status
from projects import workflow
from projects.editorial.base import EditorialAdmin
from projects.editorial.forms import (
    EDITORIAL_READONLY,
    WORKFLOW_FIELDSET,
    EditorialForm,
    MarkdownTextarea,
)
from projects.editorial.imports.admin import ImportExportMixin
from projects.editorial.mixins import ParentEditableMixin, RecordedWritesMixin
from projects.models import Project, Tag, TeamMember, TractionMetric


class TeamMemberInline(ParentEditableMixin, admin.TabularInline):
    model = TeamMember
    is_inline = True
    extra = 0
    fields = ["position", "name", "role", "is_founder", "url", "bio"]


class TractionMetricInline(ParentEditableMixin, admin.TabularInline):
    model = TractionMetric
    is_inline = True
    extra = 0
    fields = [
        "position", "label", "qualifier", "value", "unit", "as_of", "source_url",
        "is_headline", "note",
    ]  # fmt: skip


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "freshness"

    def lookups(self, request, model_admin):
        return [("needs_review", "Needs review"), ("fresh", "Fresh")]

    def queryset(self, request, queryset):
        if self.value() == "needs_review":
            return queryset.filter(needs_review=True)
        if self.value() == "fresh":
            return queryset.filter(needs_review=False)
        return queryset


class LayerFilter(admin.RelatedFieldListFilter):
    """Layer choices named "Map / Layer", with their maps fetched in the same query."""

    def field_choices(self, field, request, model_admin):
        layers = field.related_model.objects.select_related("map")
        return [(layer.pk, str(layer)) for layer in layers]


class ProjectForm(EditorialForm):
    class Meta:
        model = Project
        fields = "__all__"
        widgets = {"description": MarkdownTextarea, "our_view": MarkdownTextarea}


@admin.register(Project)
class ProjectAdmin(ImportExportMixin, EditorialAdmin):
    form = ProjectForm
    list_display = [
        "name",
        "status_badge",
        "layer_name",
        "map_name",
        "last_reviewed_at",
        "freshness",
    ]
    list_filter = [
        NeedsReviewFilter,
        "status",
        "layer__map",
        ("layer", LayerFilter),
        "is_portfolio",
        "stage",
    ]
    list_select_related = ["layer__map"]
    search_fields = ["name", "slug", "one_liner"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["tags"]
    readonly_fields = EDITORIAL_READONLY
    inlines = [TeamMemberInline, TractionMetricInline]
    actions = [*EditorialAdmin.actions, "mark_reviewed"]
    preview_url_name = "projects:preview"
    preview_path = "/projects/{slug}/preview/"
    fieldsets = [
        (None, {"fields": ["name", "slug", "layer", "position", "one_liner", "tags"]}),
        WORKFLOW_FIELDSET,
        ("Description and our view", {"fields": ["description", "our_view", "our_view_date"]}),
        (
            "Facts",
            {
                "fields": [
                    "stage",
                    "is_portfolio",
                    "founded_year",
                    "headquarters",
                    "country",
                    "token_symbol",
                ]
            },
        ),
        ("Links", {"fields": ["website", "x_url", "github_url", "docs_url", "logo"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_freshness()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "layer":
            # The label names the map too; fetch it in the same query.
            kwargs["queryset"] = db_field.related_model.objects.select_related("map")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Layer", ordering="layer__name")
    def layer_name(self, obj):
        return obj.layer.name

    @admin.display(description="Map", ordering="layer__map__name")
    def map_name(self, obj):
        return obj.layer.map.name

    @admin.display(description="Freshness", ordering="needs_review")
    def freshness(self, obj):
        if obj.status == Status.ARCHIVED:
            return "—"
        if not obj.needs_review:
            return format_html('<span class="freshness-ok">{}</span>', "Fresh")
        reasons = []
        if obj.has_stale_metric:
            reasons.append("a metric is out of date")
        age = (timezone.now() - obj.reviewed_or_created_at).days
        if age > settings.REVIEW_MAX_AGE_DAYS:
            reasons.append(f"not reviewed for {age} days")
        return format_html(
            '<span class="freshness-stale">Needs review</span><br><span class="help">{}</span>',
            "; ".join(reasons),
        )

    @admin.action(description="Mark selected as reviewed today", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = workflow.projects_mark_reviewed(projects=list(queryset), user=request.user)
        self.message_user(request, f"Marked {count} as reviewed today.", messages.SUCCESS)


@admin.register(Tag)
class TagAdmin(RecordedWritesMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(TeamMember)
class TeamMemberAdmin(RecordedWritesMixin, ParentEditableMixin, admin.ModelAdmin):
    parent_field = "project"
    list_display = ["name", "role", "project", "is_founder"]
    list_select_related = ["project"]
    search_fields = ["name", "role", "project__name"]


@admin.register(TractionMetric)
class TractionMetricAdmin(RecordedWritesMixin, ParentEditableMixin, admin.ModelAdmin):
    parent_field = "project"
    list_display = ["label", "project", "value", "unit", "as_of", "is_headline"]
    list_select_related = ["project"]
    list_filter = ["is_headline"]
    search_fields = ["label", "project__name"]
    date_hierarchy = "as_of"
