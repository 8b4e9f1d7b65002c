"""Vouching pages: the public profile shows only confirmed vouches; a collective's and a
supporter's own pages are theirs alone; suggestions come from past work together."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.conftest import make_collective, make_user
from klinke.vouches import actions
from klinke.vouches.models import Vouch, VouchSource, VouchState
from klinke.vouches.tests.conftest import (
    accepted_referral,
    helpful_introduction,
    offered,
    public_vouch,
)

pytestmark = pytest.mark.django_db


def index(network):
    return reverse("vouches:index", args=[network.collective_a.slug])


def test_it_shows_confirmed_vouches_on_the_public_profile_and_never_pending_ones(network):
    offered(network.collective_b, network.collective_a, network.bob, "Geheim-Entwurf")
    page = network.client_for(None).get(network.collective_a.get_absolute_url())
    assert page.status_code == 200
    assert "Who has worked with us" not in page.content.decode()
    assert "Geheim-Entwurf" not in page.content.decode()

    public_vouch(network.collective_b, network.collective_a, network.bob, network.alice, "Portal")
    vouch = offered(network.supporter, network.collective_a, network.sam, "Preise")
    actions.do_confirm_vouch(vouch_id=vouch.pk, user=network.alice)
    text = network.client_for(None).get(network.collective_a.get_absolute_url()).content.decode()
    assert "Who has worked with us" in text
    assert "1 collective and 1 supporter have worked with us." in text
    assert "Rotkehlchen Hosting" in text and "Portal" in text
    assert network.supporter.get_absolute_url() in text
    assert "Geheim-Entwurf" not in text
    assert "★" not in text


def test_it_shows_the_count_in_german(network):
    public_vouch(network.collective_b, network.collective_a, network.bob, network.alice)
    client = network.client_for(None)
    client.cookies["django_language"] = "de"
    text = client.get(
        network.collective_a.get_absolute_url(), headers={"accept-language": "de"}
    ).content.decode()
    assert "1 Kollektiv hat mit uns gearbeitet." in text
    assert "Wer mit uns gearbeitet hat" in text


def test_it_removes_a_withdrawn_vouch_from_the_profile_at_once(network):
    vouch = public_vouch(network.collective_b, network.collective_a, network.bob, network.alice)
    client = network.client_for(network.bob)
    answer = client.post(reverse("vouches:withdraw", args=["rotkehlchen", vouch.pk]))
    assert answer.status_code == 302
    text = network.client_for(None).get(network.collective_a.get_absolute_url()).content.decode()
    assert "Mitgliederportal" not in text


def test_it_lets_a_member_offer_a_vouch_and_the_other_side_confirm_it(network):
    bob = network.client_for(network.bob)
    answer = bob.post(
        reverse("vouches:offer", args=["rotkehlchen"]),
        {"offer-collective": "quellcode", "offer-project": "Hosting-Umzug", "offer-source": "hand"},
    )
    assert answer.status_code == 302
    vouch = Vouch.objects.get()
    assert vouch.voucher_collective == network.collective_b and vouch.is_pending

    alice = network.client_for(network.alice)
    page = alice.get(index(network))
    assert page.status_code == 200
    assert "Waiting for your answer" in page.content.decode()
    assert "Hosting-Umzug" in page.content.decode()
    answer = alice.post(reverse("vouches:confirm", args=["quellcode", vouch.pk]))
    assert answer.status_code == 302
    vouch.refresh_from_db()
    assert vouch.state == VouchState.PUBLIC


def test_it_shows_the_refusal_on_the_form(network):
    alice = network.client_for(network.alice)
    answer = alice.post(
        reverse("vouches:offer", args=["quellcode"]),
        {"offer-collective": "quellcode", "offer-project": "Selbstlob", "offer-source": "hand"},
    )
    # Its own collective is not even a choice.
    assert answer.status_code == 400
    assert "Select a valid choice" in answer.content.decode()
    answer = alice.post(
        reverse("vouches:offer", args=["quellcode"]),
        {"offer-collective": "rotkehlchen", "offer-project": "", "offer-source": "hand"},
    )
    assert answer.status_code == 400
    answer = alice.post(
        reverse("vouches:offer", args=["quellcode"]),
        {
            "offer-collective": "rotkehlchen",
            "offer-project": "Erfunden",
            "offer-source": "referral",
            "offer-source_id": "4711",
        },
    )
    assert answer.status_code == 400
    assert "did not take part in this referral" in answer.content.decode()
    assert not Vouch.objects.exists()


def test_it_lets_a_collective_ask_a_supporter_who_confirms_on_their_own_page(network):
    alice = network.client_for(network.alice)
    answer = alice.post(
        reverse("vouches:ask", args=["quellcode"]),
        {"ask-partner": "supporter:sam-berater", "ask-project": "Preise", "ask-source": "hand"},
    )
    assert answer.status_code == 302
    vouch = Vouch.objects.get()
    sam = network.client_for(network.sam)
    page = sam.get(reverse("supporter_vouches:index"))
    assert page.status_code == 200
    assert "Preise" in page.content.decode()
    answer = sam.post(reverse("supporter_vouches:confirm", args=[vouch.pk]))
    assert answer.status_code == 302
    vouch.refresh_from_db()
    assert vouch.is_public


def test_it_suggests_past_partners_and_turns_a_suggestion_into_an_offer(network):
    accepted_referral(network.collective_b, network.collective_a, "Website für die Tafel")
    helpful_introduction(network.collective_a, network.supporter, "Preise kalkulieren")
    page = network.client_for(network.alice).get(index(network)).content.decode()
    assert "You worked with Rotkehlchen Hosting on “Website für die Tafel”" in page
    assert "Ask Sam Beispiel to vouch for you" in page
    assert "Vouch for Sam Beispiel" not in page
    supporter_page = network.client_for(network.sam).get(reverse("supporter_vouches:index"))
    assert supporter_page.status_code == 200
    assert "Vouch for Kollektiv Quellcode" in supporter_page.content.decode()

    referral_id = network.collective_a.referrals_received.get().pk
    answer = network.client_for(network.alice).post(
        reverse("vouches:offer", args=["quellcode"]),
        {
            "offer-collective": "rotkehlchen",
            "offer-project": "Website für die Tafel",
            "offer-source": "referral",
            "offer-source_id": str(referral_id),
        },
    )
    assert answer.status_code == 302
    assert Vouch.objects.get().source == VouchSource.REFERRAL
    page = network.client_for(network.alice).get(index(network)).content.decode()
    # Offered already: only asking for one back is left.
    assert "Vouch for Rotkehlchen Hosting" not in page
    assert "Ask Rotkehlchen Hosting to vouch for you" in page


@pytest.mark.parametrize("who", ["anonymous", "outsider", "other collective", "supporter"])
def test_it_keeps_a_collectives_vouch_pages_to_its_members(network, who):
    vouch = offered(network.collective_b, network.collective_a, network.bob, "Nur intern")
    user = {
        "anonymous": None,
        "outsider": network.outsider,
        "other collective": network.bob,
        "supporter": network.sam,
    }[who]
    client = network.client_for(user)
    page = client.get(index(network))
    confirm = client.post(reverse("vouches:confirm", args=["quellcode", vouch.pk]))
    if user is None:
        assert page.status_code == 302 and confirm.status_code == 302
        assert "/accounts/login/" in page["Location"]
    else:
        assert page.status_code == 404 and confirm.status_code == 404
    vouch.refresh_from_db()
    assert vouch.is_pending


def test_it_answers_404_for_a_vouch_of_another_collective(network):
    third = make_user("tia@example.org", "Tia")
    other = make_collective("dritte", "Drittes Kollektiv", members=[third])
    vouch = offered(other, network.collective_b, third, "Fremd")
    answer = network.client_for(network.alice).post(
        reverse("vouches:withdraw", args=["quellcode", vouch.pk])
    )
    assert answer.status_code == 404
    vouch.refresh_from_db()
    assert vouch.is_pending


def test_it_answers_404_on_the_supporter_page_to_people_without_a_profile(network):
    assert (
        network.client_for(network.alice).get(reverse("supporter_vouches:index")).status_code == 404
    )
    answer = network.client_for(None).get(reverse("supporter_vouches:index"))
    assert answer.status_code == 302


def test_it_refuses_the_wrong_method(network):
    answer = network.client_for(network.alice).get(reverse("vouches:offer", args=["quellcode"]))
    assert answer.status_code == 405


def test_it_shows_people_who_may_vouch_where_to_do_it_from_the_profile(network):
    text = network.client_for(network.bob).get("/collectives/quellcode/").content.decode()
    assert "/collectives/rotkehlchen/vouches/?for=quellcode" in text
    assert "/collectives/verborgen/vouches/?for=quellcode" in text
    sam = network.client_for(network.sam).get("/collectives/quellcode/").content.decode()
    assert "/vouches/?for=quellcode" in sam
    for own in (network.alice, None):
        page = network.client_for(own).get("/collectives/quellcode/").content.decode()
        assert "?for=quellcode" not in page
    form = network.client_for(network.bob).get("/collectives/rotkehlchen/vouches/?for=quellcode")
    assert form.status_code == 200
    assert '<option value="quellcode" selected>' in form.content.decode()


def test_it_keeps_the_vouches_of_a_profile_per_audience_and_never_shows_a_hidden_voucher(network):
    # The hidden collective is seen by network members only, its vouch as well.
    public_vouch(network.hidden, network.collective_a, network.bob, network.alice, "Verborgen")
    url = network.collective_a.get_absolute_url()
    member_page = network.client_for(network.alice2).get(url).content.decode()
    assert "Verborgenes Kollektiv" in member_page

    for _ in range(2):  # the second time from what the first one kept
        public = network.client_for(None).get(url).content.decode()
        assert "Verborgenes Kollektiv" not in public
        assert "Who has worked with us" not in public
        member = network.client_for(network.bob).get(url).content.decode()
        assert "Verborgenes Kollektiv" in member
        assert "/collectives/rotkehlchen/vouches/?for=quellcode" in member  # bob's own links
        assert "?for=quellcode" not in network.client_for(network.alice2).get(url).content.decode()
