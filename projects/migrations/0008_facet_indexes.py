# Indexes that keep the filter panel and filtered lists flat at 100,000 projects.
from django.db import migrations, models

# On PostgreSQL the (layer, position, name) index also carries the columns the
# filter panel filters on, so counting a filtered layer ("1,000+") reads the index
# only, not a heap row per project. Django's model state keeps the plain index:
# other databases have no INCLUDE.
COVERING = """
DROP INDEX project_published_layer;
CREATE INDEX project_published_layer ON projects_project (layer_id, position, name)
    INCLUDE (stage, country, token_symbol, is_portfolio) WHERE status = 'published';
"""
PLAIN = """
DROP INDEX project_published_layer;
CREATE INDEX project_published_layer ON projects_project (layer_id, position, name)
    WHERE status = 'published';
"""


def cover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COVERING)


def uncover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLAIN)


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_scale_indexes")]

    operations = [
        # The filter panel's countries in use: a loose scan of this index, layer by
        # layer, instead of reading every published project (selectors.FACETS_SQL).
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["layer", "country"],
                name="project_published_country",
            ),
        ),
        migrations.RunPython(cover, uncover),
    ]
