"""Import and export pages in the project admin, added to ProjectAdmin by one mixin.

Upload → a dry run shows every row's fate → "Import" writes exactly that. The uploaded
file waits in the session between the two steps, so any app server can confirm it.
"""

import base64
import secrets
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from layers.models import Map
from projects.editorial.imports.landscape2 import import_landscape2
from projects.editorial.imports.mapjson import dumps, export_map, import_map
from projects.editorial.imports.result import ImportResult
from projects.editorial.imports.spreadsheet import import_spreadsheet
from projects.editorial.imports.spreadsheet_export import export_spreadsheet

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SESSION_KEY = "projects_import_pending"
KINDS = {".csv": "spreadsheet", ".xlsx": "spreadsheet", ".yml": "landscape2",
         ".yaml": "landscape2", ".json": "map"}  # fmt: skip
EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A spreadsheet (.csv, .xlsx), a landscape2 file (.yml) or a map export (.json)."
    )
    map = forms.ModelChoiceField(
        Map.objects.all(), required=False, to_field_name="slug",
        help_text="The map the projects go to. Not needed for a map export.",
    )  # fmt: skip
    new_map = forms.CharField(
        required=False, max_length=120, label="or a new map",
        help_text="Landscape2 only: the name of a new draft map to create.",
    )  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: split it.")
        if PurePath(upload.name).suffix.lower() not in KINDS:
            raise forms.ValidationError("Use a .csv, .xlsx, .yml/.yaml or .json file.")
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        kind = KINDS.get(PurePath(upload.name).suffix.lower()) if upload else None
        if kind == "spreadsheet" and not data.get("map"):
            self.add_error("map", "Choose the map these projects belong to.")
        if kind == "landscape2" and not (data.get("map") or data.get("new_map")):
            self.add_error("map", "Choose a map, or name a new one.")
        data["kind"] = kind
        return data


class ExportForm(forms.Form):
    map = forms.ModelChoiceField(Map.objects.all(), to_field_name="slug")
    format = forms.ChoiceField(
        choices=[("xlsx", "Spreadsheet (.xlsx)"), ("csv", "Spreadsheet (.csv)"),
                 ("json", "Map export (.json)")],
    )  # fmt: skip


def run_import(pending, *, user, dry_run, map=None):
    """Dispatch the pending upload to its importer; the importers enforce every rule."""
    data = base64.b64decode(pending["data"])
    kind, name = pending["kind"], pending["name"]
    if kind == "spreadsheet":
        map = map or Map.objects.filter(slug=pending["map"]).first()
        if map is None:
            result = ImportResult(source=name, dry_run=dry_run)
            result.errors.append(f"The map {pending['map']!r} no longer exists.")
            return result
        return import_spreadsheet(data=data, filename=name, map=map, user=user, dry_run=dry_run)
    if kind == "landscape2":
        slug = pending["map"] or slugify(pending["new_map"])[:80]
        return import_landscape2(
            data=data, map_slug=slug, map_name=pending["new_map"], user=user, dry_run=dry_run,
            source=name,
        )  # fmt: skip
    return import_map(document=data, user=user, dry_run=dry_run, source=name)


class ImportExportMixin:
    """Adds import/ and export/ pages to a ModelAdmin of Project."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view),
                 name="{}_{}_import".format(*info)),
            path("export/", self.admin_site.admin_view(self.export_view),
                 name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]  # fmt: skip

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title,
                **extra}  # fmt: skip

    def can_import(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import": self.can_import(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return self._preview(request, form)
        context = self._context(request, "Import projects", form=form)
        return TemplateResponse(request, "admin/projects/project/import.html", context)

    def _preview(self, request, form):
        upload = form.cleaned_data["file"]
        pending = {
            "token": secrets.token_urlsafe(16),
            "kind": form.cleaned_data["kind"],
            "name": upload.name,
            "data": base64.b64encode(upload.read()).decode("ascii"),
            "map": form.cleaned_data["map"].slug if form.cleaned_data["map"] else "",
            "new_map": form.cleaned_data["new_map"].strip(),
        }
        result = run_import(pending, user=request.user, dry_run=True, map=form.cleaned_data["map"])
        if result.has_errors:
            request.session.pop(SESSION_KEY, None)
        else:
            request.session[SESSION_KEY] = pending
        context = self._context(
            request, f"Import preview: {upload.name}", result=result, pending=pending, form=form
        )
        return TemplateResponse(request, "admin/projects/project/import_preview.html", context)

    def _confirm(self, request):
        pending = request.session.get(SESSION_KEY)
        if not pending or pending["token"] != request.POST.get("confirm"):
            messages.error(request, "That preview has expired: upload the file again.")
            return redirect(reverse("admin:projects_project_import"))
        result = run_import(pending, user=request.user, dry_run=False)
        del request.session[SESSION_KEY]
        if result.has_errors:
            context = self._context(request, f"Import failed: {pending['name']}", result=result,
                                    pending=pending, form=ImportForm())  # fmt: skip
            return TemplateResponse(request, "admin/projects/project/import_preview.html", context)
        messages.success(request, f"Imported {result.summary()}")
        return redirect(reverse("admin:projects_project_changelist") + "?status__exact=draft")

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExportForm(request.GET or None)
        if not form.is_valid():
            context = self._context(request, "Export a map", form=form)
            return TemplateResponse(request, "admin/projects/project/export.html", context)
        map, fmt = form.cleaned_data["map"], form.cleaned_data["format"]
        if fmt == "json":
            body = dumps(export_map(map=map)).encode("utf-8")
        else:
            body = export_spreadsheet(map=map, fmt=fmt)
        content_type, extension = EXPORT_TYPES[fmt]
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{map.slug}.{extension}"'
        return response
