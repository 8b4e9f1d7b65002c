"""The search index: a GIN index on PostgreSQL, an FTS5 table with triggers on SQLite."""

from django.db import migrations

from klinke.core.search import index_operations


class Migration(migrations.Migration):
    dependencies = [("collectives", "0002_store_invitation_tokens_hashed")]

    operations = index_operations("collectives", "Collective")
