from django.contrib import admin

from layers.models import Layer, Map
from projects.editorial.base import EditorialAdmin
from projects.editorial.forms import (
    EDITORIAL_READONLY,
    WORKFLOW_FIELDSET,
    EditorialForm,
    MarkdownTextarea,
)
from projects.editorial.mixins import ParentEditableMixin, RecordedWritesMixin


class LayerInline(ParentEditableMixin, admin.TabularInline):
    model = Layer
    is_inline = True
    extra = 0
    prepopulated_fields = {"slug": ("name",)}
    fields = ["position", "name", "slug", "description"]


class MapForm(EditorialForm):
    class Meta:
        model = Map
        fields = "__all__"
        widgets = {"intro": MarkdownTextarea}


@admin.register(Map)
class MapAdmin(EditorialAdmin):
    form = MapForm
    list_display = ["name", "slug", "status_badge", "position", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = EDITORIAL_READONLY
    inlines = [LayerInline]
    preview_url_name = "maps:preview"
    preview_path = "/maps/{slug}/preview/"
    fieldsets = [
        (None, {"fields": ["name", "slug", "tagline", "position", "intro"]}),
        WORKFLOW_FIELDSET,
    ]


@admin.register(Layer)
class LayerAdmin(RecordedWritesMixin, ParentEditableMixin, admin.ModelAdmin):
    parent_field = "map"
    list_display = ["name", "map", "slug", "position"]
    list_filter = ["map"]
    list_select_related = ["map"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
