"""The front page: the directory's welcome for visitors, a personal home for people logged in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klinke.conftest import make_collective, make_user
from klinke.core import fragments
from klinke.exchange import match_index
from klinke.exchange.models import Introduction, IntroductionState, Need
from klinke.home.views import NEEDS_WITH_SUGGESTIONS
from klinke.knowledge.tests.conftest import ask
from klinke.topics.models import Topic
from klinke.workbench import actions as workbench
from klinke.workbench.tests.conftest import make_decision
from klinke.workshops.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def _page(client: Any, language: str = "en") -> str:
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return str(response.content.decode())


def _introduction(network: Any, need: Need, state: str = IntroductionState.REQUESTED) -> Any:
    return Introduction.objects.create(
        need=need,
        supporter=network.supporter,
        counterpart_key=Introduction.key_for(network.supporter),
        state=state,
        requested_by=network.alice,
        message="Hallo",
        requester_email=network.alice.email,
        expires_at=timezone.now() + timedelta(days=5),
    )


def _asking_collective_a(network: Any, title: str) -> Introduction:
    """Rotkehlchen asks Quellcode (alice's collective) for an introduction."""
    need = Need.objects.create(collective=network.collective_b, title=title)
    return Introduction.objects.create(
        need=need,
        collective=network.collective_a,
        counterpart_key=Introduction.key_for(network.collective_a),
        state=IntroductionState.REQUESTED,
        requested_by=network.bob,
        message="Hallo",
        requester_email=network.bob.email,
        expires_at=timezone.now() + timedelta(days=5),
    )


def test_it_keeps_the_directory_welcome_for_anonymous_visitors(network):
    page = _page(network.client_for(None))
    assert "The network of tech collectives and their supporters" in page
    assert "Waiting for you" not in page


def test_it_greets_people_by_name_and_shows_the_way_in_without_a_collective(network):
    page = _page(network.client_for(network.outsider))
    assert "Hello, Olga" in page
    assert reverse("collectives:create") in page
    assert "Become a supporter" in page


def test_it_shows_my_supporter_profile_only_to_people_who_have_one(network):
    page = _page(network.client_for(network.sam))
    more = page.split('id="more"', 1)[1]
    assert "My supporter profile" in more
    assert "Become a supporter" not in page


def test_it_shows_what_waits_for_the_person_and_their_collective(network):
    need = Need.objects.create(collective=network.collective_a, title="Hilfe beim Festpreis")
    _introduction(network, need)
    decision = make_decision(network.collective_a, network.alice, question="Nehmen wir es?")
    make_event(network.alice, "Preise kalkulieren")
    ask(network.bob, title="Wie rechnet ihr Wartung ab?")

    sam = _page(network.client_for(network.sam))
    assert "Introductions that wait for your answer" in sam
    assert "Hilfe beim Festpreis" in sam
    assert "Wie rechnet ihr Wartung ab?" in sam

    alice = _page(network.client_for(network.alice))
    assert "Introductions that wait for your answer" not in alice
    assert "Nehmen wir es?" in alice and "your response is missing" in alice
    assert "Preise kalkulieren" in alice
    assert "Hilfe beim Festpreis" in alice  # a need, with its suggestions (or their absence)
    workbench.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
    assert "you have responded" in _page(network.client_for(network.alice))


def test_it_lists_requests_to_the_collective_and_accepted_introductions_with_whom(network):
    _asking_collective_a(network, "Hosting-Umzug")
    need = Need.objects.create(collective=network.collective_a, title="Hilfe beim Festpreis")
    _introduction(network, need, IntroductionState.ACCEPTED)
    page = _page(network.client_for(network.alice))
    waiting = page.split('id="waiting"', 1)[1]
    assert "Rotkehlchen Hosting: Hosting-Umzug" in waiting
    assert "Hilfe beim Festpreis ↔ Sam Beispiel" in waiting


def test_it_keeps_requests_to_an_archived_collective_waiting_for_its_members(network):
    _asking_collective_a(network, "Hosting-Umzug")
    network.collective_a.archived_at = timezone.now()
    network.collective_a.save()
    page = _page(network.client_for(network.alice))
    assert "Rotkehlchen Hosting: Hosting-Umzug" in page.split('id="waiting"', 1)[1]
    assert "Kollektiv Quellcode" not in page.split('id="more"', 1)[1]


def test_it_shows_nothing_of_other_collectives(network):
    Need.objects.create(collective=network.collective_b, title="Hosting-Gesuch von Rotkehlchen")
    make_decision(network.collective_b, network.bob, question="Geheime Frage von Rotkehlchen?")
    page = _page(network.client_for(network.alice))
    assert "Hosting-Gesuch von Rotkehlchen" not in page
    assert "Geheime Frage von Rotkehlchen?" not in page


def test_it_says_how_to_write_a_need_when_there_is_none(network):
    page = _page(network.client_for(network.alice), "de")
    assert "Noch keine Gesuche — so formulierst du eins, das gefunden wird" in page
    assert reverse("home:first_steps", args=["quellcode"]) + "#write-a-need" in page
    assert reverse("exchange:need_create", args=["quellcode"]) in page


def test_it_shows_the_first_steps_that_are_left(network):
    fresh = make_collective("neu", "Neues Kollektiv", members=[network.outsider])
    page = _page(network.client_for(network.outsider))
    assert "First steps for Neues Kollektiv" in page
    assert reverse("home:first_steps", args=[fresh.slug]) in page
    # Quellcode has a profile and two members; only its first need is left.
    alice = _page(network.client_for(network.alice))
    assert "Next: Post the first need." in alice


def test_it_renders_the_home_in_a_fixed_number_of_queries(network, django_assert_num_queries):
    client = network.client_for(network.alice)
    # Two needs: from two on, suggestions are loaded for all needs at once.
    pricing = Topic.objects.filter(slug="pricing")
    Need.objects.create(collective=network.collective_a, title="Preise finden").topics.set(pricing)
    need = Need.objects.create(collective=network.collective_a, title="Erstes Gesuch")
    need.topics.set(pricing)
    _introduction(network, need, IntroductionState.ACCEPTED)
    make_decision(network.collective_a, network.alice)
    make_event(network.alice, "Erstes Treffen")
    ask(network.bob, title="Erste Frage?")
    _asking_collective_a(network, "Erste Bitte")
    # A collective with first steps left: its skips are read (a settled one's are not).
    make_collective("neu", "Neues Kollektiv", members=[network.alice])
    match_index.do_fold_match_changes()  # as the worker does: the index holds everything
    _page(client)
    fragments.forget_all()  # the page as it is built, not its kept part
    with CaptureQueriesContext(connection) as first:
        _page(client)
    queries = len(first)  # now: the connection's query log is a bounded deque
    for n in range(4):
        more = Need.objects.create(collective=network.collective_a, title=f"Preise {n}")
        more.topics.set(pricing)
        _introduction(network, more, IntroductionState.ACCEPTED)
        make_decision(network.collective_a, network.alice2, question=f"Frage {n}?")
        make_event(network.alice, f"Treffen {n}")
        ask(network.bob, title=f"Frage Nummer {n}?")
        make_collective(f"k{n}", f"Kollektiv {n}", members=[network.alice])
        _asking_collective_a(network, f"Bitte {n}")
    match_index.do_fold_match_changes()
    _page(client)
    with django_assert_num_queries(queries):
        page = _page(client)
    assert page.count("Sam Beispiel") >= NEEDS_WITH_SUGGESTIONS


def test_it_names_people_by_their_name_never_by_their_email(network):
    mira = make_user("zq.lokalteil@example.org", "Mira Schneider")
    network.collective_a.memberships.create(user=mira)
    decision = make_decision(network.collective_a, mira, question="Nehmen wir es?")
    workbench.do_respond_to_decision(decision_id=decision.pk, user=mira, choice="agree")
    workbench.do_comment_on_decision(decision=decision, user=mira, text="Ich bin dafür.")
    question = ask(mira, title="Wie kalkuliert ihr?")
    event = make_event(mira, "Kalkulieren lernen")
    client = network.client_for(network.alice)
    for url in (
        reverse("home"),
        network.collective_a.get_absolute_url(),
        decision.get_absolute_url(),
        question.get_absolute_url(),
        event.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "zq.lokalteil" not in page, url
    assert "Mira Schneider" in client.get(decision.get_absolute_url()).content.decode()
    assert "Mira Schneider" in client.get(event.get_absolute_url()).content.decode()


def test_it_keeps_each_persons_home_for_them_alone(network):
    # Kept page parts (klinke.core.fragments): the home is kept per person. Alina and Alice
    # share a collective; only Alina is asked Alice's question.
    alina = network.client_for(network.alice2)
    alice = network.client_for(network.alice)
    ask(network.alice, title="Wer kennt sich mit Ausschreibungen aus?")
    assert "Wer kennt sich mit Ausschreibungen aus?" in _page(alina)
    assert "Wer kennt sich mit Ausschreibungen aus?" not in _page(alice)
    assert "Wer kennt sich mit Ausschreibungen aus?" in _page(alina)
    assert "Hello, Alina" in _page(alina)
    assert "Hello, Alice" in _page(alice)
