"""The search index of ideas and events: a GIN index on PostgreSQL, FTS5 with triggers on
SQLite (see `klinke.core.search`)."""

from django.db import migrations

from klinke.core.search import index_operations


class Migration(migrations.Migration):
    dependencies = [("workshops", "0002_link_events_to_knowledge_articles")]

    operations = index_operations("workshops", "WorkshopIdea", "Event")
