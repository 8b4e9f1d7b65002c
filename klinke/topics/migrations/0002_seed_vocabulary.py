from django.db import migrations

from klinke.topics.vocabulary import SEED_TOPICS


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("topics", "Topic")
    by_slug = {}
    for seed in SEED_TOPICS:
        topic, _created = Topic.objects.get_or_create(
            slug=seed.slug,
            defaults={"name_en": seed.name_en, "name_de": seed.name_de, "kind": seed.kind},
        )
        by_slug[seed.slug] = topic
    for seed in SEED_TOPICS:
        if seed.parent:
            Topic.objects.filter(slug=seed.slug).update(parent=by_slug[seed.parent])


def remove_topics(apps, schema_editor):
    Topic = apps.get_model("topics", "Topic")
    slugs = [seed.slug for seed in SEED_TOPICS]
    Topic.objects.filter(slug__in=slugs).update(parent=None)
    Topic.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("topics", "0001_initial")]
    operations = [migrations.RunPython(seed_topics, remove_topics)]
