# pg_trgm lets search tolerate typos on PostgreSQL; on SQLite this does nothing.
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [TrigramExtension()]
