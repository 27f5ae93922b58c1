from django.contrib import admin

from projects.imports.admin import ImportExportMixin
from projects.models import Project, Tag, TeamMember, TractionMetric


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    fields = ["position", "name", "role", "is_founder", "url", "bio"]


class TractionMetricInline(admin.TabularInline):
    model = TractionMetric
    extra = 0
    fields = [
        "position", "label", "qualifier", "value", "unit", "as_of", "source_url",
        "is_headline", "note",
    ]  # fmt: skip


@admin.register(Project)
class ProjectAdmin(ImportExportMixin, admin.ModelAdmin):
    list_display = ["name", "layer", "status", "is_portfolio", "last_reviewed_at", "updated_at"]
    list_filter = ["status", "layer__map", "layer", "is_portfolio", "stage"]
    list_select_related = ["layer__map"]
    search_fields = ["name", "slug", "one_liner"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["tags"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [TeamMemberInline, TractionMetricInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "layer":
            # The label names the map too; fetch it in the same query.
            kwargs["queryset"] = db_field.related_model.objects.select_related("map")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "project", "is_founder"]
    list_select_related = ["project"]
    search_fields = ["name", "role", "project__name"]


@admin.register(TractionMetric)
class TractionMetricAdmin(admin.ModelAdmin):
    list_display = ["label", "project", "value", "unit", "as_of", "is_headline"]
    list_select_related = ["project"]
    list_filter = ["is_headline"]
    search_fields = ["label", "project__name"]
    date_hierarchy = "as_of"
