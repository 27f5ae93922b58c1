# Indexes that keep lists, search and the map page flat from 35 to 100,000 projects
# (docs/benchmarks.md has the EXPLAIN ANALYZE figures). The partial B-tree indexes
# work on every engine; the GIN ones (trigram and full text) are PostgreSQL's and
# are skipped elsewhere.
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models.functions import Upper


def document():
    """Frozen copy of projects.search.project_document(): the index only serves that expression."""
    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("one_liner", weight="B", config="english")
        + SearchVector("description", "our_view", weight="C", config="english")
    )


def gin_indexes():
    return {
        "project": [
            # `name %> q` (typo tolerance by word similarity)
            GinIndex(OpClass("name", name="gin_trgm_ops"), name="project_name_trgm"),
            # `UPPER(name) LIKE UPPER('%q%')`: Django's icontains on PostgreSQL
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="project_name_upper_trgm"),
            GinIndex(
                OpClass(Upper("one_liner"), name="gin_trgm_ops"), name="project_oneliner_upper_trgm"
            ),
            GinIndex(document(), name="project_search_document"),
        ],
        "teammember": [
            GinIndex(SearchVector("name", config="english"), name="teammember_search_name"),
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"), name="teammember_name_upper_trgm"
            ),
        ],
    }


def add_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, indexes in gin_indexes().items():
        model = apps.get_model("projects", model_name)
        for index in indexes:
            schema_editor.add_index(model, index)


def remove_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, indexes in gin_indexes().items():
        model = apps.get_model("projects", model_name)
        for index in indexes:
            schema_editor.remove_index(model, index)


def published(name, fields):
    return migrations.AddIndex(
        model_name="project",
        index=models.Index(condition=models.Q(("status", "published")), fields=fields, name=name),
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_trigram_extension")]

    operations = [
        published("project_published_name", ["name"]),
        published("project_published_updated", ["updated_at"]),
        published("project_published_published", ["published_at"]),
        published("project_published_founded", ["founded_year"]),
        published("project_published_layer", ["layer", "position", "name"]),
        migrations.RunPython(add_gin_indexes, remove_gin_indexes),
    ]
