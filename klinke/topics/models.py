"""The network's bilingual controlled vocabulary of topics."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from klinke.core.languages import interface_language


class TopicQuerySet(models.QuerySet["Topic"]):
    def with_descendants(self, slugs: Iterable[str]) -> TopicQuerySet:
        """The topics named by `slugs` together with every topic below them."""
        tree = {topic.pk: topic.parent_id for topic in Topic.objects.only("pk", "parent")}
        wanted = set(self.model.objects.filter(slug__in=list(slugs)).values_list("pk", flat=True))
        found = set(wanted)
        changed = True
        while changed:
            changed = False
            for pk, parent_id in tree.items():
                if parent_id in found and pk not in found:
                    found.add(pk)
                    changed = True
        return self.filter(pk__in=found)

    def filter_for(self, slug: str) -> TopicQuerySet | None:
        """A list's topic filter, for `found_by(topics=...)`: None (no filter) for an empty slug,
        else the topic with every topic below it — none for an unknown slug, so nothing matches."""
        return self.with_descendants([slug]) if slug else None


class Topic(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("Business")
        TECHNICAL = "technical", _("Technical")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_de = models.CharField(_("name (German)"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BUSINESS)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_de if interface_language() == "de" else self.name_en


def topic_names_by_row(model: type[models.Model], pks: Collection[int]) -> dict[int, list[str]]:
    """The names of the topics of each row of `model` (by primary key) in the visitor's
    language and the topics' own order, read in one query without building Topic objects:
    all a list of cards shows of them, and far cheaper than prefetching the topics."""
    relation = model._meta.get_field("topics")
    assert isinstance(relation, models.ManyToManyField)
    through = relation.remote_field.through
    assert through is not None
    row = relation.m2m_field_name()
    topic = relation.m2m_reverse_field_name()
    name = "name_de" if interface_language() == "de" else "name_en"
    names: dict[int, list[str]] = {pk: [] for pk in pks}
    if names:
        found = (
            through._default_manager.filter(**{f"{row}_id__in": list(names)})
            .order_by(f"{topic}__kind", f"{topic}__name_en", f"{topic}_id")
            .values_list(f"{row}_id", f"{topic}__{name}")
        )
        for pk, topic_name in found:
            names[pk].append(topic_name)
    return names
