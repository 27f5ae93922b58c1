"""Field-by-field comparison of two django-reversion revisions of a map or project.

A revision holds the object and the rows that follow it (team, metrics,
layers), so the comparison covers both: changed fields of the object, and
rows added, removed or changed.
"""

import difflib
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

# Bookkeeping that changes on every save: noise in a comparison.
SKIPPED = {"id", "version", "created_at", "updated_at", "created_by", "updated_by"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    diff: str = ""

    @property
    def changed(self):
        return self.old != self.new


@dataclass
class RowChange:
    kind: str  # "added", "removed" or "changed"
    title: str
    details: list = field(default_factory=list)


@dataclass
class RelatedChanges:
    title: str
    rows: list


def word_diff(old, new):
    """HTML with removed words in <del> and added words in <ins>, everything escaped."""
    old_words, new_words = old.split(), new.split()
    parts = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", " ".join(old_words[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", " ".join(new_words[j1:j2])))
    return mark_safe(" ".join(parts))  # noqa: S308 - every part is escaped above


def _display(model_field, raw, names):
    if raw in (None, "", []):
        return "—"
    if isinstance(model_field, models.ManyToManyField):
        return ", ".join(sorted(names.get((model_field.name, pk), str(pk)) for pk in raw))
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.name, raw), str(raw))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if isinstance(model_field, models.BooleanField):
        return "yes" if raw else "no"
    if isinstance(model_field, models.DateTimeField):
        return date_format(timezone.localtime(raw), "j M Y, H:i")
    if isinstance(model_field, models.DateField):
        return date_format(raw, "j M Y")
    # Line endings and edge whitespace are not changes people make (forms strip them).
    return str(raw).replace("\r\n", "\n").strip()


def _related_names(model, dicts):
    """Readable names for the foreign keys and many-to-many ids in these field dicts."""
    names = {}
    for model_field in model._meta.get_fields():
        if not isinstance(model_field, models.ForeignKey | models.ManyToManyField):
            continue
        if model_field.name in SKIPPED:
            continue
        key = (
            model_field.attname if isinstance(model_field, models.ForeignKey) else model_field.name
        )
        ids = set()
        for values in dicts:
            raw = values.get(key)
            if isinstance(raw, list):
                ids.update(raw)
            elif raw is not None:
                ids.add(raw)
        related = model_field.related_model.objects.filter(pk__in=ids)
        if isinstance(model_field, models.ForeignKey) and hasattr(model_field.related_model, "map"):
            related = related.select_related("map")
        names.update({(model_field.name, obj.pk): str(obj) for obj in related})
    return names


def _field_changes(model, old, new):
    names = _related_names(model, [old, new])
    changes = []
    for model_field in model._meta.get_fields():
        if not model_field.concrete or model_field.name in SKIPPED:
            continue
        key = (
            model_field.attname if isinstance(model_field, models.ForeignKey) else model_field.name
        )
        if key not in old and key not in new:
            continue
        change = FieldChange(
            label=capfirst(model_field.verbose_name),
            old=_display(model_field, old.get(key), names),
            new=_display(model_field, new.get(key), names),
        )
        if change.changed and isinstance(model_field, models.TextField | models.CharField):
            change.diff = word_diff(str(old.get(key) or ""), str(new.get(key) or ""))
        changes.append(change)
    return changes


def _rows_of(revision, model):
    content_type = ContentType.objects.get_for_model(model)
    return {
        v.object_id: v.field_dict for v in revision.version_set.filter(content_type=content_type)
    }


def _related_changes(model, older, newer):
    old_rows, new_rows = _rows_of(older.revision, model), _rows_of(newer.revision, model)
    changes = []
    for object_id in sorted(old_rows.keys() | new_rows.keys(), key=int):
        old, new = old_rows.get(object_id), new_rows.get(object_id)
        title = str(model(**{k: v for k, v in (new or old).items() if not isinstance(v, list)}))
        if old is None:
            changes.append(RowChange("added", title))
        elif new is None:
            changes.append(RowChange("removed", title))
        else:
            details = [c for c in _field_changes(model, old, new) if c.changed]
            if details:
                changes.append(RowChange("changed", title, details))
    return changes


def compare_versions(*, older, newer, related_models=()):
    """What changed from `older` to `newer` (two versions of the same object).

    `related_models` are the row models saved in the same revisions (the inlines).
    """
    model = older.content_type.model_class()
    return {
        "fields": _field_changes(model, older.field_dict, newer.field_dict),
        "related": [
            RelatedChanges(
                title=capfirst(related._meta.verbose_name_plural),
                rows=_related_changes(related, older, newer),
            )
            for related in related_models
        ],
    }
