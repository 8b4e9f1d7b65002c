"""Workshop ideas: proposing, interest, the threshold email, host suggestions and scheduling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from klinke.conftest import deliver_mail, text_body
from klinke.core.models import NotificationKind, NotificationMute, Visibility
from klinke.exchange.tests.factories import make_offer
from klinke.workshops import actions
from klinke.workshops.models import Event, IdeaState, Interest, WorkshopIdea
from klinke.workshops.tests.conftest import make_idea

pytestmark = pytest.mark.django_db


def interest(
    client: Any,
    idea: WorkshopIdea,
    preferred_format: str = "online",
    region: str = "",
    language: str = "de",
    **extra: Any,
) -> Any:
    return client.post(
        reverse("workshops:idea_interest", args=[idea.pk]),
        {"preferred_format": preferred_format, "region": region, "language": language},
        **extra,
    )


def test_it_lets_collective_members_and_supporters_propose_ideas(network):
    for user in (network.alice, network.sam):
        response = network.client_for(user).post(
            reverse("workshops:idea_create"),
            {
                "title": f"Akquise für Kollektive ({user.name})",
                "description": "Wie finden wir Kund*innen, die zu uns passen?",
                "topics": [network.supporter.topics.get(slug="acquisition").pk],
                "language": "de",
                "interest_threshold": 5,
                "visibility": "public",
            },
        )
        assert response.status_code == 302
        idea = WorkshopIdea.objects.get(title__endswith=f"({user.name})")
        assert response["Location"] == idea.get_absolute_url()
        assert list(idea.proposers.all()) == [user]
        assert idea.state == IdeaState.OPEN
        assert " akquis " in idea.search_document or " acquisit " in idea.search_document


def test_it_refuses_ideas_from_people_outside_the_network(network, client):
    url = reverse("workshops:idea_create")
    assert network.client_for(network.outsider).get(url).status_code == 403
    response = network.client_for(network.outsider).post(url, {"title": "x"})
    assert response.status_code == 403
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert not WorkshopIdea.objects.exists()


def test_it_asks_for_a_topic_and_a_positive_threshold(network):
    response = network.client_for(network.alice).post(
        reverse("workshops:idea_create"),
        {
            "title": "Ohne Thema",
            "description": "…",
            "language": "de",
            "interest_threshold": 0,
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert "topics" in response.context["form"].errors
    assert "interest_threshold" in response.context["form"].errors
    assert not WorkshopIdea.objects.exists()


def test_it_counts_one_interest_per_person_and_updates_preferences(network):
    idea = make_idea(network.sam)
    bob = network.client_for(network.bob)
    interest(bob, idea, "online")
    interest(bob, idea, "in-person", region="Wien", language="en")
    assert idea.interests.count() == 1
    mine = Interest.objects.get(idea=idea, user=network.bob)
    assert (mine.preferred_format, mine.region, mine.language) == ("in-person", "Wien", "en")


def test_it_lets_people_withdraw_their_interest(network):
    idea = make_idea(network.sam)
    bob = network.client_for(network.bob)
    interest(bob, idea)
    response = bob.post(reverse("workshops:idea_withdraw", args=[idea.pk]))
    assert response.status_code == 302
    assert not idea.interests.exists()


def test_it_lets_anyone_logged_in_show_interest_in_public_ideas_but_not_anonymous(network, client):
    idea = make_idea(network.sam)
    assert interest(network.client_for(network.outsider), idea).status_code == 302
    assert idea.interests.filter(user=network.outsider).exists()
    response = interest(client, idea)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert idea.interests.count() == 1


def test_it_emails_the_proposers_once_when_interest_reaches_the_threshold(
    network, smtp_server, people
):
    # The two proposers count as interested: Alice makes three, Bob the fourth.
    idea = make_idea(network.sam, interest_threshold=4)
    idea.proposers.add(network.stella)
    interest(network.client_for(network.alice), idea)
    deliver_mail()
    assert smtp_server.messages == []

    interest(network.client_for(network.bob), idea)
    deliver_mail()
    for proposer in (network.sam, network.stella):
        (message,) = smtp_server.to(proposer.email)
        assert "Akquise für Kollektive" in message["Subject"]
        body = text_body(message)
        assert reverse("workshops:idea_schedule", args=[idea.pk]) in body
    idea.refresh_from_db()
    assert idea.threshold_reached_at is not None

    # Falling below and reaching it again, or more interest, sends nothing more.
    network.client_for(network.bob).post(reverse("workshops:idea_withdraw", args=[idea.pk]))
    interest(network.client_for(network.bob), idea)
    interest(network.client_for(network.outsider), idea)
    deliver_mail()
    assert len(smtp_server.messages) == 2


def test_it_emails_when_a_lowered_threshold_is_already_met(network):
    idea = make_idea(network.sam, interest_threshold=5)
    interest(network.client_for(network.alice), idea)
    interest(network.client_for(network.bob), idea)
    assert mail.outbox == []
    response = network.client_for(network.sam).post(
        reverse("workshops:idea_edit", args=[idea.pk]),
        {
            "title": idea.title,
            "description": idea.description,
            "topics": [t.pk for t in idea.topics.all()],
            "language": "de",
            "interest_threshold": 3,  # Sam, who proposed it, Alice and Bob
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[network.sam.email]]


def test_it_honours_a_muted_events_notification(network):
    NotificationMute.objects.create(user=network.sam, kind=NotificationKind.EVENTS)
    idea = make_idea(network.sam, interest_threshold=2)
    interest(network.client_for(network.alice), idea)
    idea.refresh_from_db()
    assert idea.threshold_reached_at is not None
    assert mail.outbox == []


def test_it_refuses_interest_from_proposers_and_in_closed_ideas(network):
    idea = make_idea(network.sam)
    with pytest.raises(actions.WorkshopError):
        actions.do_register_interest(idea_id=idea.pk, user=network.sam, preferred_format="online")
    idea.state = IdeaState.CLOSED
    idea.save()
    with pytest.raises(actions.WorkshopError, match="no longer"):
        actions.do_register_interest(idea_id=idea.pk, user=network.bob, preferred_format="online")
    assert not idea.interests.exists()


def test_it_hides_members_only_ideas_from_outside_the_network(network, client):
    idea = make_idea(network.sam, visibility=Visibility.MEMBERS)
    url = idea.get_absolute_url()
    assert client.get(url).status_code == 404
    assert network.client_for(network.outsider).get(url).status_code == 404
    assert interest(network.client_for(network.outsider), idea).status_code == 404
    assert network.client_for(network.bob).get(url).status_code == 200
    listing = network.client_for(network.outsider).get(reverse("workshops:idea_list"))
    assert idea.title not in listing.content.decode()
    assert (
        idea.title
        in network.client_for(network.bob).get(reverse("workshops:idea_list")).content.decode()
    )


def test_it_shows_what_the_interested_prefer_only_to_proposers(network):
    idea = make_idea(network.sam)
    interest(network.client_for(network.alice), idea, "in-person", region="Leipzig")
    interest(network.client_for(network.bob), idea, "online")
    proposer_page = network.client_for(network.sam).get(idea.get_absolute_url()).content.decode()
    assert 'id="interest-summary"' in proposer_page
    assert "Leipzig: 1" in proposer_page
    other_page = network.client_for(network.bob).get(idea.get_absolute_url()).content.decode()
    assert 'id="interest-summary"' not in other_page
    assert "Leipzig: 1" not in other_page
    assert (
        network.client_for(network.bob)
        .get(reverse("workshops:idea_schedule", args=[idea.pk]))
        .status_code
        == 403
    )


def test_it_answers_an_htmx_interest_with_the_panel_only(network):
    idea = make_idea(network.sam)
    response = interest(network.client_for(network.bob), idea, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="interest"')
    assert "<html" not in html
    assert "2 of 5 people interested" in html  # Sam, who proposed it, and Bob


def test_it_suggests_supporters_who_offer_workshops_on_the_topic(network):
    offer = make_offer(
        network.supporter,
        "Workshop: Akquise ohne Klinkenputzen",
        "Ein Nachmittag zu Akquise, Empfehlungen und Erstgesprächen für Kollektive.",
        topics=["acquisition"],
        kinds=["workshop"],
    )
    make_offer(
        network.collective_b,
        "Hosting für NGOs",
        "Wir betreiben Server.",
        topics=["hosting"],
        kinds=["project-cooperation"],
    )
    idea = make_idea(network.alice, topics=["acquisition"])
    response = network.client_for(network.alice).get(idea.get_absolute_url())
    suggestions = response.context["suggestions"]
    assert suggestions, "the workshop offer on acquisition should be suggested"
    assert suggestions[0].obj == offer
    assert all(getattr(s.obj, "title", "") != "Hosting für NGOs" for s in suggestions)
    # Sam appears once, under the workshop offer, not again as a supporter profile.
    assert [s.counterpart for s in suggestions].count(network.supporter) == 1
    texts = " ".join(suggestions[0].reason_texts).lower()
    assert "workshop" in texts
    assert "acquisition" in texts or "akquise" in texts
    assert "Workshop: Akquise ohne Klinkenputzen" in response.content.decode()


def test_it_does_not_suggest_the_proposers_themselves(network):
    make_offer(
        network.supporter,
        "Workshop: Akquise",
        "Akquise für Kollektive.",
        topics=["acquisition"],
        kinds=["workshop"],
    )
    idea = make_idea(network.sam, topics=["acquisition"])
    response = network.client_for(network.sam).get(idea.get_absolute_url())
    assert all(s.counterpart != network.supporter for s in response.context["suggestions"])


def test_it_turns_an_idea_into_an_event_and_tells_the_interested(network, smtp_server):
    idea = make_idea(network.sam, interest_threshold=2, language="de")
    idea.proposers.add(network.stella)
    interest(network.client_for(network.alice), idea, "in-person", region="Leipzig")
    interest(network.client_for(network.bob), idea, "in-person", region="Leipzig")
    interest(network.client_for(network.outsider), idea, "online")
    deliver_mail()
    smtp_server.messages.clear()

    sam = network.client_for(network.sam)
    url = reverse("workshops:idea_schedule", args=[idea.pk])
    form = sam.get(url).context["form"]
    assert form.initial["title"] == "Akquise für Kollektive"
    assert form.initial["capacity"] == 3
    assert form.initial["format"] == "in-person"
    assert form.initial["city"] == "Leipzig"
    assert list(form.fields["co_hosts"].queryset) == [network.stella]

    start = timezone.localdate() + timedelta(days=20)
    response = sam.post(
        url,
        {
            "title": "Akquise für Kollektive",
            "description": idea.description,
            "start_date": start.isoformat(),
            "start_time": "10:00",
            "end_time": "13:00",
            "time_zone": "Europe/Berlin",
            "format": "in-person",
            "venue": "Werkstatt Süd",
            "city": "Leipzig",
            "capacity": 3,
            "language": "de",
            "topics": [t.pk for t in idea.topics.all()],
            "visibility": "public",
            "co_hosts": [network.stella.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert event.idea == idea
    assert set(event.hosts.all()) == {network.sam, network.stella}
    idea.refresh_from_db()
    assert idea.state == IdeaState.SCHEDULED

    deliver_mail()
    told = sorted(str(m["To"]) for m in smtp_server.messages)
    assert told == sorted([network.alice.email, network.bob.email, network.outsider.email])
    body = text_body(smtp_server.to(network.bob.email)[0])
    assert event.get_absolute_url() in body
    # A scheduled idea takes no more interest; registration happens at the event.
    assert interest(network.client_for(network.stella), idea).status_code == 302
    assert not idea.interests.filter(user=network.stella).exists()


def test_it_lets_proposers_close_and_reopen_ideas(network):
    idea = make_idea(network.sam)
    url = reverse("workshops:idea_state", args=[idea.pk])
    assert network.client_for(network.bob).post(url, {"state": "closed"}).status_code == 403
    network.client_for(network.sam).post(url, {"state": "closed"})
    idea.refresh_from_db()
    assert idea.state == IdeaState.CLOSED
    network.client_for(network.sam).post(url, {"state": "open"})
    idea.refresh_from_db()
    assert idea.state == IdeaState.OPEN


def test_it_searches_ideas_across_languages(network):
    make_idea(network.sam, "Akquise für Kollektive", topics=["acquisition"])
    make_idea(network.sam, "Serverbetrieb mit Ansible", topics=["hosting"], description="Ops.")
    client = network.client_for(None)
    html = client.get(reverse("workshops:idea_list"), {"q": "acquisition"}).content.decode()
    assert "Akquise für Kollektive" in html
    assert "Serverbetrieb" not in html
