"""The landscape2 data file (landscape.yml) used by CNCF's and other foundations' landscapes.

Categories become layers of the map, subcategories become tags, items become draft
projects with their homepage, repository, X/Twitter link and description. Items are
matched by name on the map, so importing the same file again changes nothing.
"""

import itertools
import re

import yaml
from django.core.exceptions import PermissionDenied
from django.utils.text import slugify

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.editorial.imports import cleaning, common
from projects.editorial.imports.cleaning import RowError
from projects.editorial.imports.result import CREATE, SKIP, UNCHANGED, UPDATE, ImportResult
from projects.models import Project, Tag

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster when present
PLAN_REPORT_EVERY = 250


def import_landscape2(
    *, data, map_slug, map_name="", user=None, dry_run=False, progress=None, source="landscape.yml"
):
    """Import a landscape.yml into the map `map_slug`, created as a draft map when missing."""
    common.require_permissions(user, "projects.add_project", "projects.change_project")
    result = ImportResult(source=source, dry_run=dry_run)
    categories = _read(data, result)
    if categories is None:
        return result
    importer = _LandscapeImport(result, categories, map_slug, map_name, user, progress)
    return common.run_atomically(result, dry_run=dry_run, work=importer.run, user=user)


def _read(data, result):
    try:
        document = yaml.load(data, Loader=Loader)  # noqa: S506 -- a safe loader
    except yaml.YAMLError as exc:
        result.errors.append(f"Not a YAML file: {exc}")
        return None
    categories = None
    if isinstance(document, dict):
        categories = document.get("categories", document.get("landscape"))
    if not isinstance(categories, list):
        result.errors.append("Not a landscape2 data file: it needs a list named 'categories'.")
        return None
    for index, category in enumerate(categories, start=1):
        if not isinstance(category, dict) or not str(category.get("name") or "").strip():
            result.errors.append(f"Category {index} has no name.")
        elif not isinstance(category.get("subcategories") or [], list):
            result.errors.append(f"Category {category['name']!r}: subcategories must be a list.")
    return None if result.errors else categories


def one_liner(description, limit=200):
    """The first sentence of the description, cut at a word if it is still too long."""
    text = " ".join(description.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


class _LandscapeImport:
    def __init__(self, result, categories, map_slug, map_name, user, progress):
        self.result, self.categories, self.user = result, categories, user
        self.map_slug, self.map_name, self.progress = map_slug, map_name, progress

    def run(self):
        """Writes the file's rows; returns what changed, for the import's revision."""
        self.map_changed = False
        self.map = self._map()
        self.layers = self._layers()
        self._load()
        plans = self._plan_items()
        if self.result.has_errors:
            return ()
        common.apply_project_plans(
            plans, user=self.user, tags_by_slug=self.tags_by_slug, progress=self.progress
        )
        # A new map or new layers are a new version of the map, as an inline save would be.
        maps = [self.map] if self.map_changed else []
        return itertools.chain(maps, common.written_projects(plans, self.progress))

    def _map(self):
        map = Map.objects.filter(slug=self.map_slug).first()
        if map is not None:
            return map
        self._require("layers.add_map")
        name = self.map_name or self.map_slug.replace("-", " ").title()
        map = Map.objects.create(
            slug=self.map_slug, name=name, status=Status.DRAFT,
            created_by=self.user, updated_by=self.user,
        )  # fmt: skip
        self.result.add("map", map.name, CREATE, "new draft map")
        self.map_changed = True
        return map

    def _require(self, perm):
        if self.user is not None and not self.user.has_perm(perm):
            raise PermissionDenied(f"{self.user} may not import this file: it needs {perm}.")

    def _layers(self):
        """One layer per category, in the file's order; existing layers are kept as they are."""
        existing = list(self.map.layers.all())
        by_key = {layer.slug: layer for layer in existing}
        by_key.update({layer.name.lower(): layer for layer in existing})
        layers = []
        for index, category in enumerate(self.categories):
            name = str(category["name"]).strip()
            slug = slugify(name)[:80].strip("-") or f"category-{index + 1}"
            layer = by_key.get(slug) or by_key.get(name.lower())
            row = f"category {index + 1}"
            if layer is None and not common.may_edit(self.user, self.map):
                # The admin's rule: a layer is part of its map's content.
                reason = common.cannot_edit_reason(self.user, self.map)
                self.result.reject(row, name, f"a new layer: {reason}")
            elif layer is None:
                self._require("layers.add_layer")
                layer = Layer.objects.create(map=self.map, slug=slug, name=name[:120],
                                             position=index)  # fmt: skip
                by_key[slug] = layer
                self.map_changed = True
                self.result.add(row, name, CREATE, "new layer")
            else:
                self.result.add(row, name, UNCHANGED, f"layer {layer.name}")
            layers.append(layer)
        return layers

    def _load(self):
        projects = list(
            Project.objects.filter(layer__map=self.map)
            .select_related("layer")
            .prefetch_related("tags")
            .order_by("pk")
        )
        self.projects = {project.name.lower(): project for project in projects}
        self.taken = set(Project.objects.order_by().values_list("slug", flat=True))
        self.tags_by_slug = {tag.slug: tag for tag in Tag.objects.all()}

    def _items(self):
        """(row, layer, subcategory, item) for every item, in the file's order."""
        for ci, category in enumerate(self.categories):
            for si, subcategory in enumerate(category.get("subcategories") or []):
                sub = subcategory if isinstance(subcategory, dict) else {}
                sub_name = str(sub.get("name") or "").strip()
                items = sub.get("items") or []
                for ii, item in enumerate(items if isinstance(items, list) else []):
                    row = f"{ci + 1}.{si + 1}.{ii + 1}"
                    yield row, self.layers[ci], sub_name, item

    def _plan_items(self):
        items = list(self._items())
        plans, seen, positions = [], {}, {}
        for done, (row, layer, sub_name, item) in enumerate(items, start=1):
            name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
            if layer is None:
                self.result.add(row, name, SKIP, "its category is rejected")
                continue
            position = positions[layer.pk] = positions.get(layer.pk, -1) + 1
            try:
                values, tags = self._values(item, layer, sub_name, position)
            except RowError as exc:
                self.result.reject(row, name, str(exc))
                continue
            if name.lower() in seen:
                self._merge_duplicate(row, name, tags, seen[name.lower()])
                continue
            plan = self._plan(row, name, values, tags)
            seen[name.lower()] = plan
            if plan is not None:
                plans.append(plan)
            if done % PLAN_REPORT_EVERY == 0 or done == len(items):
                common.report(self.progress, "checking", done, len(items))
        return plans

    def _values(self, item, layer, sub_name, position):
        if not isinstance(item, dict):
            raise RowError("an item must be a mapping with name and homepage_url")
        description = str(item.get("description") or "").strip()
        values = {
            "name": cleaning.clean_text(Project, "name", item.get("name"), required=True),
            "website": cleaning.clean_url(
                Project, "website", item.get("homepage_url"), label="homepage_url", required=True
            ),
            "github_url": cleaning.clean_url(
                Project, "github_url", item.get("repo_url"), label="repo_url"
            ),
            "x_url": cleaning.clean_url(Project, "x_url", item.get("twitter"), label="twitter"),
            "description": description,
            "one_liner": one_liner(description),
            "layer": layer,
            "position": position,
        }
        tags = [sub_name] + [
            path.split("/", 1)[1].strip()
            for path in item.get("second_path") or []
            if isinstance(path, str) and "/" in path
        ]
        return values, [self._tag(name) for name in tags if cleaning.tag_slug(name)]

    def _tag(self, name):
        slug = cleaning.tag_slug(name)
        if slug not in self.tags_by_slug:
            self.tags_by_slug[slug] = Tag(slug=slug, name=name[:60])
        return slug

    def _plan(self, row, name, values, tags):
        project = self.projects.get(name.lower())
        if project is None:
            slug = cleaning.unique_slug(name, self.taken)
            project = Project(slug=slug, status=Status.DRAFT)
            return self._checked(row, name, common.plan_project(project, values, tags=tags))
        # Tags from the file are added; tags the team added by hand stay.
        wanted = {tag.slug for tag in project.tags.all()} | set(tags)
        plan = common.plan_project(project, values, tags=sorted(wanted))
        if not plan.has_changes:
            self.result.add(row, name, UNCHANGED)
            return None
        if not common.is_draft(project):
            # Not a permission: the landscape is someone else's data, the curated page wins.
            reason = f"{project.get_status_display().lower()}: left as it is, landscape2 files "
            reason += "update drafts only"
            self.result.add(row, name, SKIP, reason, plan.describe())
            return None
        return self._checked(row, name, plan)

    def _checked(self, row, name, plan):
        """The plan, reported as a create or an update, unless this user may not write it."""
        if reason := common.refusal(self.user, plan, tags_by_slug=self.tags_by_slug):
            self.result.reject(row, name, reason)
            return None
        if plan.is_new:
            self.result.add(row, name, CREATE, "new draft")
        else:
            self.result.add(row, name, UPDATE, "", plan.describe())
        return plan

    def _merge_duplicate(self, row, name, tags, plan):
        """The same item listed twice: one project, tagged with both subcategories."""
        if plan is not None and plan.tags is not None:
            plan.tags = sorted(set(plan.tags) | set(tags))
        self.result.add(row, name, SKIP, "listed again: one project, with this subcategory's tag")
