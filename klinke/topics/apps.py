from django.apps import AppConfig
from django.db.models.signals import post_migrate


def seed_empty_vocabulary(using: str = "default", **kwargs: object) -> None:
    """Seed the vocabulary when the topic table is empty.

    The seed migration does this once per database; a flush (as transactional tests do)
    empties the table again, and only then is it refilled here. A live network with topics
    is left alone, so a topic a steward deleted does not come back on the next deploy.
    """
    from klinke.topics.models import Topic
    from klinke.topics.vocabulary import SEED_TOPICS

    if Topic.objects.using(using).exists():
        return
    by_slug = {}
    for seed in SEED_TOPICS:
        by_slug[seed.slug] = Topic.objects.using(using).create(
            slug=seed.slug, name_en=seed.name_en, name_de=seed.name_de, kind=seed.kind
        )
    for seed in SEED_TOPICS:
        if seed.parent:
            topic = by_slug[seed.slug]
            topic.parent = by_slug[seed.parent]
            topic.save(using=using, update_fields=["parent"])


class TopicsConfig(AppConfig):
    name = "klinke.topics"
    label = "topics"

    def ready(self) -> None:
        post_migrate.connect(seed_empty_vocabulary, sender=self, dispatch_uid="klinke_seed_topics")
