# Indexes that keep lists, search and the map page flat from 35 to 100,000 projects
# (docs/benchmarks.md has the EXPLAIN ANALYZE figures). The partial B-tree indexes
# work on every engine; the search column and the GIN indexes are PostgreSQL's and
# are skipped elsewhere.
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models.functions import Upper

# projects_project.search_document: the project's own text, weighted, kept by a trigger.
# A stored vector lets search rank its matches without re-parsing every description
# (a GENERATED column would do the same but would forbid later type changes of the
# four columns). Django's model does not know the column, so pages never fetch it.
ADD_SEARCH_DOCUMENT = """
ALTER TABLE projects_project ADD COLUMN search_document tsvector;
CREATE FUNCTION projects_project_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('english'::regconfig, coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(NEW.one_liner, '')), 'B')
        || setweight(to_tsvector('english'::regconfig,
               coalesce(NEW.description, '') || ' ' || coalesce(NEW.our_view, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER projects_project_search_document
    BEFORE INSERT OR UPDATE OF name, one_liner, description, our_view ON projects_project
    FOR EACH ROW EXECUTE FUNCTION projects_project_search_document();
UPDATE projects_project SET name = name;
CREATE INDEX project_search_document ON projects_project USING gin (search_document);
"""

DROP_SEARCH_DOCUMENT = """
DROP TRIGGER projects_project_search_document ON projects_project;
DROP FUNCTION projects_project_search_document();
ALTER TABLE projects_project DROP COLUMN search_document;
"""


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
        ],
        "teammember": [
            GinIndex(SearchVector("name", config="english"), name="teammember_search_name"),
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"), name="teammember_name_upper_trgm"
            ),
        ],
    }


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ADD_SEARCH_DOCUMENT)
    for model_name, indexes in gin_indexes().items():
        model = apps.get_model("projects", model_name)
        for index in indexes:
            schema_editor.add_index(model, index)


def remove_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, indexes in gin_indexes().items():
        model = apps.get_model("projects", model_name)
        for index in indexes:
            schema_editor.remove_index(model, index)
    schema_editor.execute(DROP_SEARCH_DOCUMENT)


def published(name, fields):
    return migrations.AddIndex(
        model_name="project",
        index=models.Index(condition=models.Q(("status", "published")), fields=fields, name=name),
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_projectchange")]

    operations = [
        published("project_published_name", ["name"]),
        published("project_published_updated", ["updated_at"]),
        published("project_published_published", ["published_at"]),
        published("project_published_founded", ["founded_year"]),
        published("project_published_layer", ["layer", "position", "name"]),
        migrations.RunPython(add_search, remove_search),
    ]
