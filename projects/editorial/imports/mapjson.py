"""dealmap's own JSON document for one map: map, layers, projects with tags, team and metrics.

`export_map` then `import_map` into an empty database gives back the same document.
By default an import makes drafts, like every other import; `keep_status=True` restores
statuses and publication dates too, which only a superuser (or the command line) may do.
"""

import datetime
import itertools
import json

from django.core.exceptions import PermissionDenied
from django.utils.text import slugify

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.editorial.imports import cleaning, common
from projects.editorial.imports.cleaning import RowError
from projects.editorial.imports.common import METRIC_FIELDS, TEAM_FIELDS
from projects.editorial.imports.result import CREATE, UNCHANGED, UPDATE, ImportResult
from projects.models import Project, Qualifier, Stage, Tag, TeamMember, TractionMetric

FORMAT = "dealmap.map"
VERSION = 1
MAP_FIELDS = ["slug", "name", "tagline", "intro", "position"]
LAYER_FIELDS = ["slug", "name", "description", "position"]
PROJECT_FIELDS = [
    "slug", "name", "position", "one_liner", "description", "our_view", "our_view_date",
    "website", "x_url", "github_url", "docs_url", "logo", "founded_year", "headquarters",
    "country", "token_symbol", "stage", "is_portfolio",
]  # fmt: skip
STATUS_FIELDS = ["status", "published_at", "last_reviewed_at"]


# --- exporting ------------------------------------------------------------------------------


def export_map(*, map):
    """The whole map as a JSON-ready dict: stable order, no database ids."""
    projects = (
        Project.objects.filter(layer__map=map)
        .select_related("layer")
        .prefetch_related("tags", "team", "metrics")
        .order_by("layer__position", "layer__name", "position", "name", "slug")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "map": _dump(map, MAP_FIELDS + STATUS_FIELDS),
        "layers": [_dump(layer, LAYER_FIELDS) for layer in map.layers.order_by("position", "slug")],
        "projects": [_dump_project(project) for project in projects],
    }


def _dump_project(project):
    data = _dump(project, PROJECT_FIELDS + STATUS_FIELDS)
    data["layer"] = project.layer.slug
    data["tags"] = [{"slug": tag.slug, "name": tag.name} for tag in project.tags.all()]
    data["team"] = [_dump(member, TEAM_FIELDS) for member in project.team.all()]
    data["metrics"] = [_dump(metric, METRIC_FIELDS) for metric in project.metrics.all()]
    return data


def _dump(obj, fields):
    return {name: _json_value(getattr(obj, name)) for name in fields}


def _json_value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if hasattr(value, "quantize"):  # Decimal: a string keeps every digit
        return str(value)
    if hasattr(value, "field"):  # a FieldFile: its stored name
        return value.name or ""
    return value


def dumps(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- importing ------------------------------------------------------------------------------


def import_map(*, document, user=None, keep_status=False, dry_run=False, source="map.json"):
    """Create or update the map the document describes; nothing is written if a row fails."""
    common.require_permissions(
        user, "layers.add_map", "layers.change_map", "layers.add_layer", "layers.change_layer",
        "projects.add_project", "projects.change_project",
    )  # fmt: skip
    if keep_status and user is not None and not user.is_superuser:
        raise PermissionDenied("Only a superuser may restore statuses from a map export.")
    result = ImportResult(source=source, dry_run=dry_run)
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            result.errors.append(f"Not a JSON document: {exc}")
            return result
    if not _check_header(document, result):
        return result
    importer = _MapImport(result, document, user, keep_status)
    return common.run_atomically(result, dry_run=dry_run, work=importer.run, user=user)


def _check_header(document, result):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        result.errors.append(f'Not a dealmap map export (expected "format": "{FORMAT}").')
    elif document.get("version") != VERSION:
        result.errors.append(
            f"Unsupported version {document.get('version')!r}: expected {VERSION}."
        )
    elif not isinstance(document.get("map"), dict):
        result.errors.append("The document has no map.")
    return not result.errors


class _MapImport:
    def __init__(self, result, document, user, keep_status):
        self.result, self.document = result, document
        self.user, self.keep_status = user, keep_status

    def run(self):
        """Writes the document; returns what changed, for the import's revision."""
        self.map_changed = False
        map = self._map()
        if map is None:
            return ()
        layers = self._layers(map)
        plans = self._projects(map, layers)
        if self.result.has_errors:
            return ()
        common.apply_project_plans(plans, user=self.user, tags_by_slug=self.tags_by_slug)
        # The map's revision holds its layers, as the map's admin page saves them.
        maps = [map] if self.map_changed else []
        return itertools.chain(maps, common.written_projects(plans))

    # The map and its layers: few rows, written one by one.

    def _map(self):
        data = self.document["map"]
        try:
            values = self._map_values(data)
        except (RowError, KeyError, TypeError, ValueError) as exc:
            self.result.reject("map", str(data.get("name", "")), _reason(exc))
            return None
        map = Map.objects.filter(slug=values["slug"]).first() or Map(created_by=self.user)
        is_new = map.pk is None
        changed = [name for name, value in values.items() if getattr(map, name) != value]
        if not is_new and changed and not self._may_change(map):
            self.result.reject("map", map.name, common.cannot_edit_reason(self.user, map))
            return map
        for name, value in values.items():
            setattr(map, name, value)
        if is_new or changed:
            map.updated_by = self.user
            if not is_new:
                map.version += 1
            map.save()
            self.map_changed = True
        action = CREATE if is_new else UPDATE if changed else UNCHANGED
        self.result.add("map", map.name, action, "", [] if is_new else changed)
        return map

    def _map_values(self, data):
        values = {
            "slug": _slug(Map, data["slug"]),
            "name": cleaning.clean_text(Map, "name", data["name"], required=True),
            "tagline": cleaning.clean_text(Map, "tagline", data.get("tagline", "")),
            "intro": str(data.get("intro", "")),
            "position": cleaning.clean_int(data.get("position"), label="position", low=0) or 0,
        }
        return values | self._status_values(data)

    def _status_values(self, data):
        if not self.keep_status:
            return {}
        status = data.get("status", Status.DRAFT)
        if status not in Status.values:
            raise RowError(f"status {status!r} is not one of {', '.join(Status.values)}")
        return {
            "status": status,
            "published_at": _datetime(data.get("published_at")),
            "last_reviewed_at": _datetime(data.get("last_reviewed_at")),
        }

    def _may_change(self, obj):
        # A full restore (superuser or command line) puts back whatever the export held.
        return self.keep_status or common.may_edit(self.user, obj)

    def _layers(self, map):
        existing = {layer.slug: layer for layer in map.layers.all()} if map.pk else {}
        layers = {}
        for index, data in enumerate(self.document.get("layers", [])):
            row = f"layers[{index}]"
            try:
                values = {
                    "slug": _slug(Layer, data["slug"]),
                    "name": cleaning.clean_text(Layer, "name", data["name"], required=True),
                    "description": str(data.get("description") or ""),
                    "position": cleaning.clean_int(
                        data.get("position"), label="position", low=0, high=32767
                    )
                    or 0,
                }
            except (RowError, KeyError, TypeError, AttributeError) as exc:
                self.result.reject(row, "", _reason(exc))
                continue
            layers[values["slug"]] = self._layer(row, map, existing.get(values["slug"]), values)
        return layers

    def _layer(self, row, map, layer, values):
        changed = [] if layer is None else [
            name for name, value in values.items() if getattr(layer, name) != value
        ]  # fmt: skip
        if layer is not None and not changed:
            self.result.add(row, layer.name, UNCHANGED)
            return layer
        if not self._may_change(map):
            # Layers are part of their map's content: the admin's rule for the map holds.
            reason = common.cannot_edit_reason(self.user, map)
            self.result.reject(row, values["name"], f"a layer change: {reason}")
            return layer
        self.map_changed = True
        if layer is None:
            layer = Layer.objects.create(map=map, **values)
            self.result.add(row, layer.name, CREATE)
            return layer
        for name in changed:
            setattr(layer, name, values[name])
        layer.save()
        self.result.add(row, layer.name, UPDATE, "", changed)
        return layer

    # The projects: planned, then written in bulk.

    def _projects(self, map, layers):
        items = self.document.get("projects", [])
        slugs = [item.get("slug") for item in items if isinstance(item, dict)]
        existing = {
            project.slug: project
            for project in Project.objects.filter(slug__in=slugs)
            .select_related("layer__map")
            .prefetch_related("tags", "team", "metrics")
        }
        self.tags_by_slug = {tag.slug: tag for tag in Tag.objects.all()}
        plans = []
        for index, item in enumerate(items):
            row = f"projects[{index}]"
            name = str(item.get("name", "")) if isinstance(item, dict) else ""
            try:
                plan = self._plan(row, item, map, layers, existing)
            except (RowError, KeyError, TypeError, ValueError) as exc:
                self.result.reject(row, name, _reason(exc))
                continue
            if plan is not None:
                plans.append(plan)
        return plans

    def _plan(self, row, item, map, layers, existing):
        values = self._project_values(item, layers)
        tags = self._tags(item.get("tags", []))
        team = [self._member(member) for member in item.get("team", [])]
        metrics = [self._metric(metric) for metric in item.get("metrics", [])]
        project = existing.get(values["slug"])
        if project is not None and project.layer.map_id != map.pk:
            raise RowError(f"slug {values['slug']!r} belongs to a project on {project.layer.map}")
        if project is None:
            project = Project(status=Status.DRAFT)
        plan = common.plan_project(project, values, tags=tags, team=team, metrics=metrics)
        if reason := self._refusal(plan):
            self.result.reject(row, project.name, reason)
            return None
        if plan.is_new:
            self.result.add(row, project.name, CREATE, self._new_reason(project))
        elif not plan.has_changes:
            self.result.add(row, project.name, UNCHANGED)
        else:
            note = common.update_note(project)
            self.result.add(row, project.name, UPDATE, note, plan.describe())
        return plan

    def _refusal(self, plan):
        # A full restore (superuser or command line) puts back whatever the export held.
        if self.keep_status or not plan.has_changes:
            return ""
        return common.refusal(self.user, plan, tags_by_slug=self.tags_by_slug)

    def _new_reason(self, project):
        return "restored as " + project.status if self.keep_status else "new draft"

    def _project_values(self, item, layers):
        layer = layers.get(item["layer"])
        if layer is None:
            raise RowError(f"layer {item['layer']!r} is not among the document's layers")
        values = {"layer": layer, **self._status_values(item)}
        for name in PROJECT_FIELDS:
            values[name] = self._project_value(name, item.get(name))
        if not values["slug"] or slugify(values["slug"]) != values["slug"]:
            raise RowError(f"slug {values['slug']!r} is not a slug")
        return values

    def _project_value(self, name, value):
        if name in {"website", "x_url", "github_url", "docs_url"}:
            return cleaning.clean_url(Project, name, value)
        if name == "our_view_date":
            return cleaning.clean_date(value, label=name)
        if name == "founded_year":
            return cleaning.clean_int(value, label=name, low=1990, high=2100)
        if name == "position":
            return cleaning.clean_int(value, label=name, low=0, high=32767) or 0
        if name == "is_portfolio":
            return cleaning.clean_bool(value, label=name)
        if name == "stage":
            return cleaning.clean_choice(Stage.choices, value, label=name)
        return cleaning.clean_text(Project, name, value, required=name in {"slug", "name"})

    def _tags(self, tags):
        slugs = []
        for tag in tags:
            slug = cleaning.clean_text(Tag, "slug", tag["slug"], required=True)
            if slug not in self.tags_by_slug:
                name = cleaning.clean_text(Tag, "name", tag.get("name") or slug)
                self.tags_by_slug[slug] = Tag(slug=slug, name=name)
            slugs.append(slug)
        return slugs

    def _member(self, data):
        return {
            "name": cleaning.clean_text(TeamMember, "name", data["name"], required=True),
            "role": cleaning.clean_text(TeamMember, "role", data.get("role", "")),
            "bio": cleaning.clean_text(TeamMember, "bio", data.get("bio", "")),
            "url": cleaning.clean_url(TeamMember, "url", data.get("url", ""), label="team url"),
            "is_founder": cleaning.clean_bool(data.get("is_founder", False), label="is_founder"),
            "position": cleaning.clean_int(data.get("position"), label="position", low=0) or 0,
        }

    def _metric(self, data):
        label = cleaning.clean_text(TractionMetric, "label", data["label"], required=True)
        return {
            "label": label,
            "value": cleaning.clean_decimal(data["value"], label=f"{label}: value"),
            "unit": cleaning.clean_text(TractionMetric, "unit", data.get("unit", "")),
            "qualifier": cleaning.clean_choice(
                Qualifier.choices, data.get("qualifier", ""), label=f"{label}: qualifier"
            ),
            "as_of": cleaning.clean_date(
                data.get("as_of"), label=f"{label}: as_of", required=True, not_future=True
            ),
            "source_url": cleaning.clean_url(
                TractionMetric,
                "source_url",
                data.get("source_url"),
                label=f"{label}: source",
                required=True,
            ),
            "note": cleaning.clean_text(TractionMetric, "note", data.get("note", "")),
            "is_headline": cleaning.clean_bool(data.get("is_headline", False), label="is_headline"),
            "position": cleaning.clean_int(data.get("position"), label="position", low=0) or 0,
        }


def _slug(model, value):
    slug = cleaning.clean_text(model, "slug", value, label="slug", required=True)
    if slugify(slug) != slug:
        raise RowError(f"slug {slug!r} may hold only lower-case letters, digits and hyphens")
    return slug


def _datetime(value):
    return datetime.datetime.fromisoformat(value) if value else None


def _reason(exc):
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)
