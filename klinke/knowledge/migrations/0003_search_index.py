"""The search index: a GIN index on PostgreSQL, an FTS5 table with triggers on SQLite."""

from django.db import migrations

from klinke.core.search import index_operations


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_article_revision_counter")]

    operations = index_operations("knowledge", "Article", "Question")
