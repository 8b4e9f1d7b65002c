"""The search index of organisations and contacts: a GIN index on PostgreSQL, FTS5 with
triggers on SQLite (see `klinke.core.search`)."""

from django.db import migrations

from klinke.core.search import index_operations


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_contact_address_website_birthday_nickname")]

    operations = index_operations("contacts", "Organisation", "Contact")
