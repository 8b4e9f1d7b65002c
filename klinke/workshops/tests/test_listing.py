"""What ideas and events share through `WorkshopListing`: the stored search document of title,
description and both languages' topic names, the language's name, and visibility."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from klinke.matching.analysis import query_terms
from klinke.workshops.actions import EVENT_FIELDS, EventFields
from klinke.workshops.forms import EventForm
from klinke.workshops.models import Event, WorkshopIdea, WorkshopListing
from klinke.workshops.tests.conftest import make_event, make_idea

pytestmark = pytest.mark.django_db


def finds(model: type[WorkshopIdea] | type[Event], word: str) -> list[str]:
    return [row.title for row in model.objects.matching_terms(query_terms(word))]


@pytest.mark.parametrize("model", [WorkshopIdea, Event])
def test_it_ideas_and_events_are_workshop_listings(model: type[Any]) -> None:
    assert issubclass(model, WorkshopListing)
    assert model._meta.get_field("search_document").model is model


def test_it_an_idea_is_found_by_title_description_and_topic_names(network: Any) -> None:
    make_idea(network.alice, "Genossenschaft gründen", description="Satzung", topics=["finance"])
    make_idea(network.alice, "Anderes", description="Nichts davon", topics=["hosting"])

    for word in ("Genossenschaft", "Satzung", "Finanzen", "finance"):
        assert finds(WorkshopIdea, word) == ["Genossenschaft gründen"], word


def test_it_an_event_stores_its_search_document_in_the_database(network: Any) -> None:
    event = make_event(network.alice, "Barrierefreie Formulare", topics=["finance"])

    stored = Event.objects.get(pk=event.pk).search_document
    assert stored == event.search_document
    assert finds(Event, "Formulare") == ["Barrierefreie Formulare"]
    assert finds(Event, "finance") == ["Barrierefreie Formulare"]


def test_it_names_the_language_in_the_readers_language(network: Any) -> None:
    idea = make_idea(network.alice, language="en")

    with translation.override("de"):
        assert idea.language_name == "Englisch"
    assert str(idea) == idea.title


def test_it_members_only_listings_stay_hidden_from_outsiders(network: Any) -> None:
    make_event(network.alice, "Nur intern", visibility="members")

    assert not Event.objects.visible_to(AnonymousUser()).exists()
    assert Event.objects.visible_to(network.bob).count() == 1


def test_it_the_event_form_takes_its_model_fields_from_the_actions_fields() -> None:
    assert set(EventForm.Meta.fields) == {*EVENT_FIELDS, "topics"}
    assert set(EVENT_FIELDS) <= {item.name for item in fields(EventFields)}
    assert set(EVENT_FIELDS) <= {item.name for item in Event._meta.get_fields()}
    assert {"title", "capacity", "visibility"} <= set(EVENT_FIELDS)
