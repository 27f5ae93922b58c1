from django.contrib import admin

from layers.models import Layer, Map


class LayerInline(admin.TabularInline):
    model = Layer
    extra = 0
    prepopulated_fields = {"slug": ("name",)}
    fields = ["position", "name", "slug", "description"]


@admin.register(Map)
class MapAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "position", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [LayerInline]


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["name", "map", "slug", "position"]
    list_filter = ["map"]
    list_select_related = ["map"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
