"""Introductions: the state machine through actions and pages, consent, access and emails."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from klinke.collectives.models import Membership
from klinke.conftest import deliver_mail, make_user, text_body
from klinke.core.models import NotificationMute
from klinke.exchange import actions
from klinke.exchange.actions import ExchangeError
from klinke.exchange.models import (
    INTRODUCTION_ANSWER_DAYS,
    Introduction,
    IntroductionState,
    ItemState,
    Need,
)
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.supporters.models import Supporter
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

# --- helpers ------------------------------------------------------------------------------


def pricing_need(network: Any) -> Need:
    return make_need(
        network.collective_a,
        "Hilfe bei der Preisgestaltung",
        "Wie kalkulieren wir Tagessätze und Angebote?",
        topics=["pricing"],
    )


def key(counterpart: Any) -> str:
    return Introduction.key_for(counterpart)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def ask(client: Client, need: Need, counterpart: Any, message: str = "Hallo!", **extra: Any) -> Any:
    return client.post(
        reverse("exchange:request_introduction", args=[need.ref]),
        {"counterpart": key(counterpart), "message": message, **extra},
    )


def answer(client: Client, introduction: Introduction, decision: str, **extra: Any) -> Any:
    return client.post(
        reverse("exchange:introduction_answer", args=[introduction.pk]),
        {"decision": decision, **extra},
    )


def withdraw(client: Client, introduction: Introduction) -> Any:
    return client.post(reverse("exchange:introduction_withdraw", args=[introduction.pk]))


def complete(client: Client, introduction: Introduction, **data: Any) -> Any:
    return client.post(
        reverse("exchange:introduction_complete", args=[introduction.pk]),
        {"helpful": "yes", "rating": "4", **data},
    )


def requested(network: Any, need: Need | None = None, counterpart: Any = None) -> Introduction:
    return actions.do_request_introduction(
        need=need or pricing_need(network),
        user=network.alice,
        counterpart=counterpart or network.supporter,
        message="Könnt ihr uns bei den Preisen helfen?",
    )


def state_of(introduction: Introduction) -> str:
    introduction.refresh_from_db()
    return introduction.state


def make_overdue(introduction: Introduction) -> None:
    """As if the fourteen days to answer had passed."""
    Introduction.objects.filter(pk=introduction.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def api_url(introduction: Introduction, move: str = "") -> str:
    return f"/api/v1/introductions/{introduction.pk}" + (f"/{move}" if move else "")


def subject(language: str, msgid: str, **params: Any) -> str:
    """A notification's subject as the recipient's language renders it."""
    with translation.override(language):
        return "[klinke] " + gettext(msgid) % params


def long_date(value: Any, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def path_of(url: str) -> str:
    return urlsplit(url).path


def html_body(message: Any) -> str:
    return str(message.get_body(preferencelist=("html",)).get_content())


def off_link_in(message: Any) -> str:
    (link,) = [u for u in links_in(text_body(message)) if "/notifications/off/" in u]
    assert f'href="{link}"' in html_body(message)
    return link


@pytest.fixture
def languages(network: Any) -> Any:
    """Alice reads German, Sam English."""
    network.alice.language = "de"
    network.alice.phone = "+49 341 1111111"
    network.alice.save()
    network.sam.language = "en"
    network.sam.save()
    return network


# --- requesting ----------------------------------------------------------------------------


def test_it_lets_any_member_request_an_introduction_from_a_suggestion(network):
    offer = make_offer(network.supporter, "Pricing help", "Day rates.", topics=["pricing"])
    need = pricing_need(network)

    response = ask(network.client_for(network.alice2), need, network.supporter, offer=offer.ref)

    introduction = Introduction.objects.get()
    assert response["Location"] == introduction.get_absolute_url()
    assert messages_of(response) == ["We asked Sam Beispiel. You will hear by email."]
    assert introduction.state == IntroductionState.REQUESTED
    assert (introduction.need, introduction.offer) == (need, offer)
    assert (introduction.supporter, introduction.collective) == (network.supporter, None)
    assert introduction.requested_by == network.alice2
    assert introduction.requester_email == "alina@example.org"
    answer_time = introduction.expires_at - introduction.requested_at
    assert abs(answer_time - timedelta(days=INTRODUCTION_ANSWER_DAYS)) < timedelta(seconds=5)
    need.refresh_from_db()
    assert need.state == ItemState.IN_PROGRESS


def test_it_refuses_requests_from_people_outside_the_collective(network):
    need = pricing_need(network)

    for user in (network.bob, network.sam, network.stella, network.outsider):
        assert ask(network.client_for(user), need, network.collective_b).status_code == 403
        with pytest.raises(ExchangeError, match="Only members of the collective can ask"):
            actions.do_request_introduction(
                need=need, user=user, counterpart=network.collective_b, message="Hallo"
            )
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(
    ("counterpart", "message"),
    [
        ("own collective", "A collective cannot be introduced to itself."),
        ("own member", "A collective cannot be introduced to its own members."),
        ("no account", "Stille Hilfe has no account on klinke yet."),
    ],
)
def test_it_refuses_requests_to_the_collective_itself_its_members_or_nobody(
    network, counterpart, message
):
    need = pricing_need(network)
    alinas_profile = Supporter.objects.create(slug="alina", name="Alina", user=network.alice2)
    target = {
        "own collective": network.collective_a,
        "own member": alinas_profile,
        "no account": network.hidden_supporter,
    }[counterpart]

    response = ask(network.client_for(network.alice), need, target)

    assert response["Location"] == need.get_absolute_url()
    assert messages_of(response) == [message]
    with pytest.raises(ExchangeError, match=re.escape(message)):
        actions.do_request_introduction(
            need=need, user=network.alice, counterpart=target, message="Hallo"
        )
    assert not Introduction.objects.exists()
    need.refresh_from_db()
    assert need.state == ItemState.OPEN


def test_it_refuses_requests_without_a_message_or_for_a_closed_need(network):
    need = pricing_need(network)
    alice = network.client_for(network.alice)

    assert messages_of(ask(alice, need, network.supporter, message="")) == [
        "Please write a short message."
    ]
    with pytest.raises(ExchangeError, match=r"Write a short message\."):
        actions.do_request_introduction(
            need=need, user=network.alice, counterpart=network.supporter, message="   "
        )
    actions.do_set_item_state(item=need, state="closed", outcome="elsewhere")
    assert messages_of(ask(alice, need, network.supporter))[-1] == "This need is closed."
    assert not Introduction.objects.exists()


def test_it_refuses_a_second_open_request_to_the_same_counterpart_with_a_clear_message(network):
    introduction = requested(network)
    need = introduction.need
    expected = "There is already an open introduction between this need and Sam Beispiel."

    response = ask(network.client_for(network.alice2), need, network.supporter)
    assert response["Location"] == need.get_absolute_url()
    assert messages_of(response) == [expected]

    actions.do_answer_introduction(introduction_id=introduction.pk, user=network.sam, accept=True)
    with pytest.raises(ExchangeError, match=re.escape(expected)):
        actions.do_request_introduction(
            need=need, user=network.alice2, counterpart=network.supporter, message="Noch mal"
        )
    assert list(Introduction.objects.values_list("state", flat=True)) == ["accepted"]

    # Another counterpart for the same need is fine.
    ask(network.client_for(network.alice2), need, network.collective_b)
    assert Introduction.objects.count() == 2


def test_it_keeps_one_open_introduction_per_pair_in_the_database(network):
    first = requested(network)

    def duplicate(state: str) -> Introduction:
        return Introduction.objects.create(
            need=first.need,
            supporter=network.supporter,
            counterpart_key=first.counterpart_key,
            requested_by=network.alice2,
            message="Direkt in die Datenbank",
            requester_email="alina@example.org",
            state=state,
        )

    for state in ("requested", "accepted"):
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate(state)
    # Closed ones do not count.
    for state in ("declined", "withdrawn", "expired", "completed"):
        duplicate(state)
    assert Introduction.objects.count() == 5


# --- answering ------------------------------------------------------------------------------


def test_it_lets_only_the_supporter_asked_answer(network):
    introduction = requested(network)

    for user in (network.alice, network.alice2):
        response = answer(network.client_for(user), introduction, "accept")
        assert messages_of(response) == ["Only the person asked can answer this introduction."]
    for user in (network.bob, network.stella, network.outsider):
        assert answer(network.client_for(user), introduction, "accept").status_code == 404
    assert state_of(introduction) == IntroductionState.REQUESTED
    with pytest.raises(ExchangeError, match="Only the person asked"):
        actions.do_answer_introduction(
            introduction_id=introduction.pk, user=network.alice, accept=True
        )

    response = answer(
        network.client_for(network.sam), introduction, "accept", message="Gern!", phone="+49 30 2"
    )

    assert messages_of(response) == ["You accepted. You can now see each other's contact details."]
    introduction.refresh_from_db()
    assert introduction.state == IntroductionState.ACCEPTED
    assert introduction.answered_by == network.sam
    assert introduction.answered_at is not None
    assert introduction.response_message == "Gern!"
    assert (introduction.responder_email, introduction.responder_phone) == (
        "sam@example.org",
        "+49 30 2",
    )
    assert introduction.closed_at is None


def test_it_lets_any_member_of_a_counterpart_collective_answer(network):
    berta = make_user("berta@example.org", "Berta")
    Membership.objects.create(collective=network.collective_b, user=berta)
    first = requested(network, counterpart=network.collective_b)
    second = requested(
        network,
        need=make_need(network.collective_a, "Hosting", "Server.", topics=["hosting"]),
        counterpart=network.collective_b,
    )

    answer(network.client_for(berta), first, "decline", message="Keine Zeit")
    answer(network.client_for(network.bob), second, "accept")

    first.refresh_from_db()
    assert (first.state, first.answered_by, first.response_message) == (
        IntroductionState.DECLINED,
        berta,
        "Keine Zeit",
    )
    assert first.closed_at is not None
    assert first.responder_email == ""
    assert state_of(second) == IntroductionState.ACCEPTED


def test_it_refuses_an_answer_without_a_decision(network):
    introduction = requested(network)
    for decision in ("", "maybe"):
        response = answer(network.client_for(network.sam), introduction, decision)
        assert messages_of(response) == ["Please accept or decline."]
        assert response["Location"] == introduction.get_absolute_url()
    assert state_of(introduction) == IntroductionState.REQUESTED


def test_it_refuses_a_second_answer(network):
    introduction = requested(network)
    sam = network.client_for(network.sam)
    answer(sam, introduction, "decline")

    response = answer(sam, introduction, "accept")

    assert messages_of(response)[-1] == "This introduction is already declined."
    assert state_of(introduction) == IntroductionState.DECLINED


# --- withdrawing and completing ---------------------------------------------------------------


def test_it_lets_only_the_requesting_side_withdraw_and_only_while_requested(network):
    introduction = requested(network)

    response = withdraw(network.client_for(network.sam), introduction)
    assert messages_of(response) == ["Only the collective that asked can withdraw."]
    assert withdraw(network.client_for(network.bob), introduction).status_code == 404
    assert state_of(introduction) == IntroductionState.REQUESTED

    response = withdraw(network.client_for(network.alice2), introduction)
    assert messages_of(response) == ["The request is withdrawn."]
    introduction.refresh_from_db()
    assert introduction.state == IntroductionState.WITHDRAWN
    assert introduction.closed_at is not None

    accepted = requested(network, need=introduction.need)
    actions.do_answer_introduction(introduction_id=accepted.pk, user=network.sam, accept=True)
    response = withdraw(network.client_for(network.alice), accepted)
    assert messages_of(response) == ["This introduction is already accepted."]
    assert state_of(accepted) == IntroductionState.ACCEPTED


def test_it_completes_an_accepted_introduction_with_feedback_from_the_requesting_side(network):
    introduction = requested(network)
    alice = network.client_for(network.alice)

    response = complete(alice, introduction)
    assert messages_of(response) == ["Only accepted introductions can be completed."]
    assert state_of(introduction) == IntroductionState.REQUESTED

    actions.do_answer_introduction(introduction_id=introduction.pk, user=network.sam, accept=True)
    response = complete(network.client_for(network.sam), introduction)
    assert messages_of(response)[-1] == "Only the collective that asked can complete it."
    assert state_of(introduction) == IntroductionState.ACCEPTED

    response = complete(alice, introduction, helpful="yes", rating="4", note="Sehr hilfreich")

    assert messages_of(response)[-1] == "Thank you for the feedback."
    introduction.refresh_from_db()
    assert introduction.state == IntroductionState.COMPLETED
    assert (introduction.helpful, introduction.rating, introduction.feedback_note) == (
        True,
        4,
        "Sehr hilfreich",
    )
    assert introduction.closed_at is not None
    page = alice.get(introduction.get_absolute_url()).content.decode()
    assert "helpful · 4/5" in page


@pytest.mark.parametrize("rating", ["6", "0", "", "viel"])
def test_it_refuses_a_rating_outside_one_to_five(network, rating):
    introduction = requested(network)
    actions.do_answer_introduction(introduction_id=introduction.pk, user=network.sam, accept=True)

    response = complete(network.client_for(network.alice), introduction, rating=rating)

    assert messages_of(response) == ["Please say whether it helped and give a rating."]
    introduction.refresh_from_db()
    assert (introduction.state, introduction.rating) == (IntroductionState.ACCEPTED, None)


def test_it_refuses_a_rating_of_six_in_the_action_and_the_database(network):
    introduction = requested(network)
    actions.do_answer_introduction(introduction_id=introduction.pk, user=network.sam, accept=True)

    with pytest.raises(ExchangeError, match=r"Rate from 1 to 5\."):
        actions.do_complete_introduction(
            introduction_id=introduction.pk, user=network.alice, helpful=True, rating=6
        )
    assert state_of(introduction) == IntroductionState.ACCEPTED
    with pytest.raises(IntegrityError), transaction.atomic():
        Introduction.objects.filter(pk=introduction.pk).update(rating=6)


# --- expiry ---------------------------------------------------------------------------------


def test_it_expires_requests_nobody_answered_within_fourteen_days(network):
    overdue = requested(network)
    fresh = requested(network, counterpart=network.collective_b)
    answered = requested(
        network,
        need=make_need(network.collective_a, "Hosting", "Server.", topics=["hosting"]),
    )
    actions.do_answer_introduction(introduction_id=answered.pk, user=network.sam, accept=True)
    make_overdue(overdue)
    make_overdue(answered)
    # Thirteen days and some hours in, the other request is still open.
    Introduction.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() + timedelta(hours=3))

    assert actions.do_expire_introductions() == 1

    overdue.refresh_from_db()
    assert overdue.state == IntroductionState.EXPIRED
    assert overdue.closed_at is not None
    assert state_of(fresh) == IntroductionState.REQUESTED
    assert state_of(answered) == IntroductionState.ACCEPTED
    assert actions.do_expire_introductions() == 0


def test_it_refuses_an_answer_to_an_overdue_request_and_leaves_it_expired(network):
    introduction = requested(network)
    make_overdue(introduction)

    response = answer(network.client_for(network.sam), introduction, "accept")

    assert messages_of(response) == ["This request has expired."]
    introduction.refresh_from_db()
    assert introduction.state == IntroductionState.EXPIRED
    assert introduction.answered_by is None
    assert introduction.responder_email == ""
    assert not introduction.contact_details_visible

    # Answering again (through the action) is refused as well, and it stays expired.
    with pytest.raises(ExchangeError, match="already expired"):
        actions.do_answer_introduction(
            introduction_id=introduction.pk, user=network.sam, accept=True
        )
    assert state_of(introduction) == IntroductionState.EXPIRED
    assert actions.do_expire_introductions() == 0


@pytest.mark.parametrize("ending", ["decline", "withdraw", "expire"])
def test_it_allows_a_new_request_to_the_same_counterpart_after_it_ended(network, ending):
    first = requested(network)
    if ending == "decline":
        actions.do_answer_introduction(introduction_id=first.pk, user=network.sam, accept=False)
    elif ending == "withdraw":
        actions.do_withdraw_introduction(introduction_id=first.pk, user=network.alice)
    else:
        make_overdue(first)
        actions.do_expire_introductions()

    response = ask(network.client_for(network.alice2), first.need, network.supporter)

    second = Introduction.objects.exclude(pk=first.pk).get()
    assert response["Location"] == second.get_absolute_url()
    assert second.state == IntroductionState.REQUESTED
    assert state_of(first) != IntroductionState.REQUESTED


# --- consent and access ----------------------------------------------------------------------


def test_it_hides_contact_details_before_mutual_consent(network):
    network.alice.phone = "+49 341 1111111"
    network.alice.save()
    introduction = requested(network)
    sides = {
        "requester": network.client_for(network.alice),
        "counterpart": network.client_for(network.sam),
    }
    api = {"requester": api_client(network.alice), "counterpart": api_client(network.sam)}
    secrets = ["alice@example.org", "+49 341 1111111", "sam@example.org", "+49 30 2222222"]

    for side, client in sides.items():
        html = client.get(introduction.get_absolute_url()).content.decode()
        assert "Contact details are shown to both sides once both have agreed." in html
        for secret in secrets:
            assert secret not in html, (side, secret)
        data = api[side].get(api_url(introduction)).json()
        assert data["state"] == "requested"
        assert (data["requester_contact"], data["responder_contact"]) == (None, None)
        assert not any(secret in str(data) for secret in secrets)

    actions.do_answer_introduction(
        introduction_id=introduction.pk,
        user=network.sam,
        accept=True,
        phone="+49 30 2222222",
        channel="Signal",
    )

    for side, client in sides.items():
        html = client.get(introduction.get_absolute_url()).content.decode()
        assert 'id="contact-details"' in html
        for secret in secrets:
            assert secret in html, (side, secret)
        data = api[side].get(api_url(introduction)).json()
        assert data["requester_contact"] == {
            "email": "alice@example.org",
            "phone": "+49 341 1111111",
            "channel": "",
        }
        assert data["responder_contact"] == {
            "email": "sam@example.org",
            "phone": "+49 30 2222222",
            "channel": "Signal",
        }


def test_it_keeps_contact_details_hidden_after_a_decline_or_expiry(network):
    declined = requested(network)
    actions.do_answer_introduction(introduction_id=declined.pk, user=network.sam, accept=False)
    expired = requested(network, counterpart=network.collective_b)
    make_overdue(expired)
    actions.do_expire_introductions()

    for introduction, other in ((declined, network.sam), (expired, network.bob)):
        html = network.client_for(other).get(introduction.get_absolute_url()).content.decode()
        assert "alice@example.org" not in html
        data = api_client(network.alice).get(api_url(introduction)).json()
        assert (data["requester_contact"], data["responder_contact"]) == (None, None)


def test_it_answers_404_to_everyone_not_involved(network):
    introduction = requested(network)
    pages = [
        ("get", introduction.get_absolute_url()),
        ("post", reverse("exchange:introduction_answer", args=[introduction.pk])),
        ("post", reverse("exchange:introduction_withdraw", args=[introduction.pk])),
        ("post", reverse("exchange:introduction_complete", args=[introduction.pk])),
    ]
    api_calls = [
        ("get", api_url(introduction)),
        ("post", api_url(introduction, "accept")),
        ("post", api_url(introduction, "decline")),
        ("post", api_url(introduction, "withdraw")),
        ("post", api_url(introduction, "complete")),
    ]

    for user in (network.bob, network.stella, network.outsider):
        client = network.client_for(user)
        for method, url in pages:
            assert getattr(client, method)(url, {"decision": "accept"}).status_code == 404
        api = api_client(user)
        for method, url in api_calls:
            response = getattr(api, method)(url, {}, content_type="application/json")
            assert response.status_code == 404, (user, url)
        listing = api.get("/api/v1/introductions").json()
        assert listing["count"] == 0
    assert state_of(introduction) == IntroductionState.REQUESTED


def test_it_tells_anonymous_visitors_nothing_about_whether_an_introduction_exists(network, client):
    introduction = requested(network)
    missing = introduction.pk + 1000

    page = client.get(introduction.get_absolute_url())
    missing_page = client.get(reverse("exchange:introduction_detail", args=[missing]))
    assert page.status_code == missing_page.status_code == 302
    assert page["Location"].startswith(reverse("account_login"))
    assert missing_page["Location"].startswith(reverse("account_login"))

    for url in (api_url(introduction), f"/api/v1/introductions/{missing}"):
        assert client.get(url).status_code == 401
        response = client.post(url + "/withdraw", {}, content_type="application/json")
        assert response.status_code == 401
    assert state_of(introduction) == IntroductionState.REQUESTED


# --- emails ------------------------------------------------------------------------------------


def only_mail_to(smtp_server: Any, address: str) -> Any:
    deliver_mail()
    assert [str(m["To"]) for m in smtp_server.messages] == [address]
    message = smtp_server.messages[0]
    smtp_server.messages.clear()
    return message


def mails_by_recipient(smtp_server: Any) -> dict[str, Any]:
    deliver_mail()
    by_recipient = {str(m["To"]): m for m in smtp_server.messages}
    assert len(by_recipient) == len(smtp_server.messages)
    smtp_server.messages.clear()
    return by_recipient


def assert_text_and_html(message: Any, *needles: str) -> None:
    text, html = text_body(message), html_body(message)
    for needle in needles:
        assert needle in text, needle
        assert needle in html, needle


def test_it_emails_a_request_to_the_supporter_in_their_language_without_contact_details(
    languages, smtp_server
):
    network = languages
    introduction = requested(network)

    mail = only_mail_to(smtp_server, "sam@example.org")

    assert str(mail["Subject"]) == "[klinke] Kollektiv Quellcode asks for an introduction"
    assert_text_and_html(
        mail,
        "Könnt ihr uns bei den Preisen helfen?",
        introduction.get_absolute_url(),
        long_date(introduction.expires_at, "en"),
    )
    for secret in ("alice@example.org", "+49 341 1111111"):
        assert secret not in text_body(mail)
        assert secret not in html_body(mail)


def test_it_emails_a_request_to_a_german_reader_in_german(languages, smtp_server):
    network = languages
    network.bob.language = "de"
    network.bob.save()
    introduction = requested(network, counterpart=network.collective_b)

    mail = only_mail_to(smtp_server, "bob@example.org")

    assert str(mail["Subject"]) == subject(
        "de", "%(name)s asks for an introduction", name="Kollektiv Quellcode"
    )
    german_date = long_date(introduction.expires_at, "de")
    assert german_date != long_date(introduction.expires_at, "en")
    assert_text_and_html(mail, german_date)


def test_it_emails_both_sides_when_the_supporter_accepts(languages, smtp_server):
    network = languages
    introduction = requested(network)
    smtp_server.messages.clear()
    deliver_mail()
    smtp_server.messages.clear()

    actions.do_answer_introduction(
        introduction_id=introduction.pk, user=network.sam, accept=True, phone="+49 30 2222222"
    )
    mails = mails_by_recipient(smtp_server)

    assert sorted(mails) == ["alice@example.org", "sam@example.org"]
    assert str(mails["alice@example.org"]["Subject"]) == subject(
        "de", "%(name)s accepted your introduction", name="Sam Beispiel"
    )
    assert_text_and_html(mails["alice@example.org"], "sam@example.org", "+49 30 2222222")
    assert str(mails["sam@example.org"]["Subject"]) == ("[klinke] How to reach Kollektiv Quellcode")
    assert_text_and_html(mails["sam@example.org"], "alice@example.org", "+49 341 1111111")


@pytest.mark.parametrize(
    ("move", "recipients", "msgid"),
    [
        ("decline", ["alice@example.org"], "%(name)s declined your introduction"),
        ("withdraw", ["sam@example.org"], "%(name)s withdrew its request"),
        ("complete", ["sam@example.org"], "%(name)s completed the introduction"),
        ("expire", ["alice@example.org", "sam@example.org"], "An introduction request expired"),
        (
            "answer overdue",
            ["alice@example.org", "sam@example.org"],
            "An introduction request expired",
        ),
    ],
)
def test_it_emails_the_people_concerned_by_each_move(
    languages, smtp_server, move, recipients, msgid
):
    network = languages
    introduction = requested(network)
    if move == "complete":
        actions.do_answer_introduction(
            introduction_id=introduction.pk, user=network.sam, accept=True
        )
    deliver_mail()
    smtp_server.messages.clear()

    if move == "decline":
        actions.do_answer_introduction(
            introduction_id=introduction.pk, user=network.sam, accept=False, message="Leider nein"
        )
    elif move == "withdraw":
        actions.do_withdraw_introduction(introduction_id=introduction.pk, user=network.alice)
    elif move == "complete":
        actions.do_complete_introduction(
            introduction_id=introduction.pk, user=network.alice, helpful=True, rating=5
        )
    else:
        make_overdue(introduction)
        if move == "expire":
            actions.do_expire_introductions()
        else:
            with pytest.raises(ExchangeError):
                actions.do_answer_introduction(
                    introduction_id=introduction.pk, user=network.sam, accept=True
                )
    mails = mails_by_recipient(smtp_server)

    assert sorted(mails) == recipients
    names = {
        "decline": "Sam Beispiel",
        "withdraw": "Kollektiv Quellcode",
        "complete": "Kollektiv Quellcode",
    }
    language = {"alice@example.org": "de", "sam@example.org": "en"}
    for address, mail in mails.items():
        params = {"name": names[move]} if move in names else {}
        assert str(mail["Subject"]) == subject(language[address], msgid, **params)
        assert text_body(mail).strip()
        assert html_body(mail).strip().endswith("</html>")
        assert off_link_in(mail)
        # No contact details leave with a message that is not about consent.
        for secret in ("alice@example.org", "+49 341 1111111", "sam@example.org"):
            assert secret not in text_body(mail).split("-- ")[0]


def test_it_sends_nothing_to_people_who_turned_introduction_emails_off(
    languages, smtp_server, client
):
    network = languages
    introduction = requested(network)
    request_mail = only_mail_to(smtp_server, "sam@example.org")
    off_link = off_link_in(request_mail)
    assert str(request_mail["List-Unsubscribe"]).strip() == f"<{off_link}>"

    page = client.get(path_of(off_link))
    assert page.status_code == 200
    assert "Turn them off" in page.content.decode()
    client.post(path_of(off_link))
    assert NotificationMute.objects.filter(user=network.sam, kind="introductions").exists()
    assert "Turn them back on" in client.get(path_of(off_link)).content.decode()

    # Sam's accept: Alice is told, Sam's own copy of the contact details is not sent.
    actions.do_answer_introduction(introduction_id=introduction.pk, user=network.sam, accept=True)
    assert list(mails_by_recipient(smtp_server)) == ["alice@example.org"]
    # A new request to Sam, and its withdrawal: nothing for Sam.
    other = requested(
        network,
        need=make_need(network.collective_a, "Akquise", "Kunden finden.", topics=["acquisition"]),
    )
    actions.do_withdraw_introduction(introduction_id=other.pk, user=network.alice)
    assert mails_by_recipient(smtp_server) == {}
    # Expiry mail is another kind, still on.
    assert not NotificationMute.objects.filter(user=network.sam, kind="expiry").exists()


def test_it_refuses_a_forged_turn_off_link(languages, smtp_server, client):
    network = languages
    requested(network)
    off_link = off_link_in(only_mail_to(smtp_server, "sam@example.org"))
    forged = off_link.rstrip("/")[:-2] + "xx/"

    assert client.post(path_of(forged)).status_code == 400
    assert not NotificationMute.objects.exists()


def test_it_runs_the_whole_flow_through_the_pages(network, smtp_server):
    """Request, accept, complete, each through its page, as the smoke test does for one path."""
    need = pricing_need(network)
    alice, sam = network.client_for(network.alice), network.client_for(network.sam)
    detail = alice.get(need.get_absolute_url())
    row = next(row for row in detail.context["matches"] if row.match.ref == "sam-berater")
    match, counterpart_key = row.match, row.key
    assert not row.already_asked

    alice.post(
        reverse("exchange:request_introduction", args=[need.ref]),
        {"counterpart": counterpart_key, "message": "Hallo Sam"},
    )
    introduction = Introduction.objects.get()
    # The need page now says an introduction is under way instead of offering the form again.
    again = alice.get(need.get_absolute_url())
    assert next(row for row in again.context["matches"] if row.match.ref == match.ref).already_asked
    assert "An introduction is already under way." in again.content.decode()

    waiting = sam.get(reverse("exchange:dashboard"))
    assert [i.pk for i in waiting.context["waiting"]] == [introduction.pk]
    answer(sam, introduction, "accept")
    complete(alice, introduction, helpful="no", rating="2")

    introduction.refresh_from_db()
    assert (introduction.state, introduction.helpful, introduction.rating) == (
        IntroductionState.COMPLETED,
        False,
        2,
    )


def test_it_expires_an_overdue_request_instead_of_withdrawing_it(network):
    introduction = requested(network)
    make_overdue(introduction)

    with pytest.raises(ExchangeError):
        actions.do_withdraw_introduction(introduction_id=introduction.pk, user=network.alice)

    assert state_of(introduction) == IntroductionState.EXPIRED
