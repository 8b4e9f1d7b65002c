"""The search index of leads: a GIN index on PostgreSQL, FTS5 with triggers on SQLite (see
`klinke.core.search`)."""

from django.db import migrations

from klinke.core.search import index_operations


class Migration(migrations.Migration):
    dependencies = [("workbench", "0002_imported_records")]

    operations = index_operations("workbench", "Lead")
