"""Create forms posted twice (back button, then "Save" again) create one thing, not two.

Every create view carries a one-time token (``klinke.core.submissions``); this walks each
of them through its real page: the token comes from the rendered form, the second post
with it is answered with the first post's redirect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.collectives.tests.test_views import VALID_FORM as COLLECTIVE_FORM
from klinke.contacts.models import Contact, Organisation
from klinke.core.submissions import FIELD
from klinke.exchange.models import Need, Offer
from klinke.exchange.tests.test_items import need_data
from klinke.knowledge.models import Article, Question
from klinke.knowledge.tests.test_articles import article_data
from klinke.rates.models import DayRate
from klinke.rates.tests.conftest import HAND_FORM
from klinke.topics.models import Topic
from klinke.workbench.models import Decision, Lead
from klinke.workbench.tests.test_leads import lead_form
from klinke.workshops.models import Event, WorkshopIdea
from klinke.workshops.tests.test_events import event_data

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class CreateForm:
    name: str
    url: Callable[[], str]
    persona: str
    data: Callable[[], dict[str, Any]]
    model: type[Model]


def deadline() -> str:
    return (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


CREATE_FORMS = [
    CreateForm(
        "question",
        lambda: reverse("knowledge:question_create"),
        "alice",
        lambda: {
            "title": "Who has experience with public tenders?",
            "body": "We found a tender for a city portal.",
            "topics": ["public-tenders"],
            "visibility": "members",
        },
        Question,
    ),
    CreateForm(
        "article", lambda: reverse("knowledge:article_create"), "alice", article_data, Article
    ),
    CreateForm(
        "need",
        lambda: reverse("exchange:need_create", args=["quellcode"]),
        "alice",
        need_data,
        Need,
    ),
    CreateForm("offer", lambda: reverse("exchange:offer_create"), "sam", need_data, Offer),
    CreateForm(
        "idea",
        lambda: reverse("workshops:idea_create"),
        "alice",
        lambda: {
            "title": "Akquise für Kollektive",
            "description": "Wie finden wir Kund*innen?",
            "topics": [Topic.objects.get(slug="acquisition").pk],
            "language": "de",
            "interest_threshold": 5,
            "visibility": "public",
        },
        WorkshopIdea,
    ),
    CreateForm("event", lambda: reverse("workshops:event_create"), "alice", event_data, Event),
    CreateForm(
        "lead",
        lambda: reverse("workbench:lead_create", args=["quellcode"]),
        "alice",
        lead_form,
        Lead,
    ),
    CreateForm(
        "decision",
        lambda: reverse("workbench:decision_create", args=["quellcode"]),
        "alice",
        lambda: {"question": "Nehmen wir das?", "details": "", "deadline": deadline()},
        Decision,
    ),
    CreateForm(
        "contact",
        lambda: reverse("contacts:create", args=["quellcode"]),
        "alice",
        lambda: {
            "given_name": "Erika",
            "family_name": "Muster",
            "source": "manual",
            **{
                f"{p}-{k}": "0"
                for p in ("emails", "phones")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
        Contact,
    ),
    CreateForm(
        "organisation",
        lambda: reverse("contacts:organisation_create", args=["quellcode"]),
        "alice",
        lambda: {"name": "Leipziger Tafel e.V."},
        Organisation,
    ),
    CreateForm(
        "day rate version",
        lambda: reverse("rates:edit", args=["quellcode"]),
        "alice",
        lambda: {**HAND_FORM, "save": "1"},
        DayRate,
    ),
    CreateForm(
        "collective",
        lambda: reverse("collectives:create"),
        "outsider",
        lambda: dict(COLLECTIVE_FORM),
        Collective,
    ),
]


def token_in(html: str) -> str:
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', html)
    assert found is not None, "the create form carries no submission token"
    return found.group(1)


@pytest.mark.parametrize("form", CREATE_FORMS, ids=lambda f: f.name)
def test_it_creates_one_thing_when_a_create_form_is_posted_twice(
    network: Any, form: CreateForm
) -> None:
    client = network.client_for(getattr(network, form.persona))
    page = client.get(form.url())
    assert page.status_code == 200
    data = {**form.data(), FIELD: token_in(page.content.decode())}
    before = form.model._default_manager.count()

    first = client.post(form.url(), data)
    assert first.status_code == 302, (
        getattr(first, "context", {}) and first.context.get("form").errors
    )
    again = client.post(form.url(), data)

    assert form.model._default_manager.count() == before + 1
    assert again.status_code == 302
    assert again["Location"] == first["Location"]


@pytest.mark.parametrize("form", CREATE_FORMS, ids=lambda f: f.name)
def test_it_gives_every_rendering_of_a_create_form_a_new_token(
    network: Any, form: CreateForm
) -> None:
    client = network.client_for(getattr(network, form.persona))
    first, second = (token_in(client.get(form.url()).content.decode()) for _ in range(2))
    assert first != second


def test_it_still_creates_a_second_thing_from_a_fresh_form(network: Any) -> None:
    form = CREATE_FORMS[0]
    client = network.client_for(network.alice)
    for _ in range(2):
        token = token_in(client.get(form.url()).content.decode())
        assert client.post(form.url(), {**form.data(), FIELD: token}).status_code == 302
    assert Question.objects.count() == 2
