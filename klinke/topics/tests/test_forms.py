"""The topic filter of list pages: every topic by slug, read in one plain query."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from klinke.topics.forms import TopicFilterField
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


class _Filter(forms.Form):
    topic = TopicFilterField(empty_label="all topics")


class _Plain(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), to_field_name="slug", required=False, empty_label="all topics"
    )


@pytest.mark.parametrize("data", [None, {"topic": "pricing"}])
def test_it_offers_the_same_choices_as_a_plain_model_choice_field(data: Any) -> None:
    with translation.override("de"):
        assert str(_Filter(data)["topic"]) == str(_Plain(data)["topic"])


def test_it_reads_the_topics_in_one_query_without_a_server_side_cursor() -> None:
    form = _Filter(None)
    with CaptureQueriesContext(connection) as captured:
        html = str(form["topic"])
    assert len(captured) == 1
    assert captured[0]["sql"].lstrip().upper().startswith("SELECT")
    assert html.count("<option") == Topic.objects.count() + 1
    field = form.fields["topic"]
    assert isinstance(field, TopicFilterField)
    assert len(field.choices) == Topic.objects.count() + 1


def test_it_cleans_a_slug_to_its_topic_and_refuses_an_unknown_one() -> None:
    form = _Filter({"topic": "pricing"})
    assert form.is_valid()
    assert form.cleaned_data["topic"].slug == "pricing"
    assert not _Filter({"topic": "no-such-topic"}).is_valid()
    assert _Filter({}).is_valid()


def test_it_reads_the_topics_afresh_for_each_form_in_its_language() -> None:
    with translation.override("en"):
        english = str(_Filter(None)["topic"])
    Topic.objects.filter(slug="pricing").update(name_de="Preise neu")
    with translation.override("de"):
        german = str(_Filter(None)["topic"])
    assert ">Pricing and estimates<" in english and "Preise neu" not in english
    assert ">Preise neu<" in german
