"""The topic picker every profile, need and offer form uses: topics grouped under their parent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.languages import interface_language
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


class _ListedTopicChoices(forms.models.ModelChoiceIterator):
    """The topics' slugs and names in the visitor's language, read with one ordinary query of
    plain values. Django's iterator reads through `QuerySet.iterator()`, which on PostgreSQL
    opens a server-side cursor (DECLARE, FETCH and CLOSE: three round trips) for a table of a
    few dozen rows, and builds a Topic for each option, on every list page. A select shows
    only each option's value and label, so the options are (slug, name) pairs: the same
    markup as Django's."""

    def _rows(self) -> list[tuple[str, str]]:
        field = self.field
        assert isinstance(field, TopicFilterField)
        return field.listed_topics()

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self._rows()

    def __len__(self) -> int:
        return len(self._rows()) + (self.field.empty_label is not None)


class TopicFilterField(forms.ModelChoiceField[Topic]):
    """One topic to filter a list by, chosen by its slug from a select of all topics."""

    iterator = _ListedTopicChoices

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Topic"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(queryset=Topic.objects.only("slug", "name_en", "name_de"), **kwargs)

    _listed: list[tuple[str, str]] | None = None

    def listed_topics(self) -> list[tuple[str, str]]:
        """(slug, name) of every topic in the visitor's language, read once per form (each form
        has its own copy of the field), however often the choices are listed."""
        if self._listed is None:
            name = "name_de" if interface_language() == "de" else "name_en"
            assert self.queryset is not None, "set in __init__"
            self._listed = list(self.queryset.values_list("slug", name))
        return self._listed

    def __deepcopy__(self, memo: dict[int, Any]) -> TopicFilterField:
        # A form's copy reads the topics afresh, in its own request's language.
        # (ModelChoiceField defines __deepcopy__; django-stubs do not say so.)
        result: TopicFilterField = super().__deepcopy__(memo)  # type: ignore[misc]
        result._listed = None
        return result
