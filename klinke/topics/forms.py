"""The topic picker every profile, need and offer form uses: topics grouped under their parent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.topics.models import Topic


class _GroupedTopicChoices(forms.models.ModelChoiceIterator):
    """One group per top-level topic: the topic itself first, then the topics below it."""

    def __iter__(self) -> Iterator[Any]:
        queryset = self.queryset
        topics = list(queryset.order_by("kind", "name_en") if queryset is not None else [])
        children: dict[int | None, list[Topic]] = {}
        for topic in topics:
            children.setdefault(topic.parent_id, []).append(topic)
        known = {topic.pk for topic in topics}
        roots = [t for t in topics if t.parent_id is None or t.parent_id not in known]
        by_name = sorted(roots, key=lambda t: (t.kind, t.name.casefold()))
        for root in by_name:
            below = sorted(children.get(root.pk, []), key=lambda t: t.name.casefold())
            yield (root.name, [self.choice(root), *(self.choice(t) for t in below)])


class GroupedTopicsWidget(forms.CheckboxSelectMultiple):
    template_name = "topics/widgets/grouped_topics.html"


class TopicsField(forms.ModelMultipleChoiceField[Topic]):
    """Checkboxes of the topics, each top-level topic with the topics below it."""

    iterator = _GroupedTopicChoices
    widget = GroupedTopicsWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("topics"))
        kwargs.setdefault("required", False)
        super().__init__(queryset=Topic.objects.all(), **kwargs)
