"""The client's page behind its secret link: read-only, in the client's language, answerable
once, and 404 (and throttled) for anything else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.estimates import actions
from klinke.estimates.models import EstimateState, LinkGuess
from klinke.estimates.tests.conftest import content, make_estimate, package
from klinke.workbench.models import Stage

pytestmark = pytest.mark.django_db


def page(secret):
    return reverse("estimate_client:page", args=[secret])


def test_it_shows_the_estimate_in_the_clients_language_without_login(network, shared):
    anonymous = network.client_for(None)
    response = anonymous.get(page(shared.secret))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mitgliederportal" in body
    assert "Konzept" in body and "Ihr liefert die Texte." in body and "Hosting" in body
    assert "Was wir annehmen" in body  # German, the client's language
    assert "<svg" in body and "P10" in body
    assert response["Referrer-Policy"] == "same-origin"
    # The lead's private data is not on it.
    assert shared.lead.title not in body


def test_it_speaks_english_to_an_english_client(network):
    estimate = make_estimate(network.collective_a, network.alice, client_language="en")
    secret = actions.do_share_estimate(estimate=estimate, user=network.alice)
    response = network.client_for(None).get(page(secret), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "What we assume" in response.content.decode()


def test_it_shows_what_changed_since_the_last_shared_version(network, shared):
    actions.do_save_version(
        estimate=shared.estimate,
        user=network.alice,
        values=content(
            packages=(package("Konzept", "2", "6", "12"), package("Wartung", "1", "2", "3")),
            change_note="Mehr Abstimmung nötig",
        ),
    )
    anonymous = network.client_for(None)
    before = anonymous.get(page(shared.secret)).content.decode()
    assert "Mehr Abstimmung" not in before  # a draft is not shown to the client
    actions.do_share_estimate(estimate=shared.estimate, user=network.alice)
    body = anonymous.get(page(shared.secret)).content.decode()
    assert "Mehr Abstimmung nötig" in body
    assert "Wartung" in body and "Umsetzung" in body  # new and dropped packages are named


def test_it_accepts_and_moves_the_lead_to_won(network, shared):
    anonymous = network.client_for(None)
    anonymous.get(page(shared.secret))
    response = anonymous.post(
        reverse("estimate_client:answer", args=[shared.secret]),
        {"version": "1", "answer": "accept", "message": "Passt!"},
    )
    assert response.status_code == 302
    shared.estimate.refresh_from_db()
    shared.lead.refresh_from_db()
    assert shared.estimate.state == EstimateState.ACCEPTED
    assert shared.lead.stage == Stage.WON
    after = anonymous.get(page(shared.secret))
    assert after.status_code == 200
    assert 'id="accept-button"' not in after.content.decode()
    again = anonymous.post(
        reverse("estimate_client:answer", args=[shared.secret]),
        {"version": "1", "answer": "decline"},
    )
    assert again.status_code == 200
    shared.estimate.refresh_from_db()
    assert shared.estimate.state == EstimateState.ACCEPTED


def test_it_stops_working_once_revoked(network, shared):
    actions.do_revoke_link(estimate=shared.estimate, user=network.alice)
    response = network.client_for(None).get(page(shared.secret))
    assert response.status_code == 404
    pdf = network.client_for(None).get(reverse("estimate_client:pdf", args=[shared.secret]))
    assert pdf.status_code == 404


def test_it_shows_only_its_own_estimate(network, shared):
    other = make_estimate(network.collective_b, network.bob, title="Geheimes Projekt von B")
    actions.do_share_estimate(estimate=other, user=network.bob)
    body = network.client_for(None).get(page(shared.secret)).content.decode()
    assert "Geheimes Projekt von B" not in body


def test_it_answers_404_to_guesses_and_then_throttles_the_address(network, shared):
    anonymous = network.client_for(None)
    for i in range(actions.GUESS_LIMIT):
        assert anonymous.get(page(f"est_guess{i}")).status_code == 404
    assert LinkGuess.objects.count() == actions.GUESS_LIMIT
    # Now even the right link answers 404 to this address, for the rest of the hour.
    assert anonymous.get(page(shared.secret)).status_code == 404
    other = network.client_for(None)
    assert other.get(page(shared.secret), REMOTE_ADDR="192.0.2.99").status_code == 200


def test_it_does_not_answer_a_draft_or_a_withdrawn_estimate(network, shared):
    actions.do_withdraw_estimate(estimate=shared.estimate, user=network.alice)
    assert network.client_for(None).get(page(shared.secret)).status_code == 404


HOSTILE = '<script>alert(1)</script><img src="http://evil.example/x.png"><b onmouseover=x>'


def test_it_shows_hostile_text_as_text(network):
    estimate = make_estimate(
        network.collective_a,
        network.alice,
        title=HOSTILE,
        client_name=HOSTILE,
        version=content(
            packages=(package(HOSTILE, "1", "2", "3", role=HOSTILE, notes=HOSTILE),),
            assumptions=(HOSTILE,),
            exclusions=(HOSTILE,),
            risk_buffer_reason=HOSTILE,
        ),
    )
    secret = actions.do_share_estimate(estimate=estimate, user=network.alice)
    body = network.client_for(None).get(page(secret)).content.decode()
    assert "<script>alert" not in body
    assert 'evil.example/x.png">' not in body
    assert "&lt;script&gt;" in body


def test_it_explains_the_collectives_day_rate_once_in_the_clients_language(network):
    from klinke.rates.tests.conftest import save_rate

    save_rate(network.collective_a, network.alice)
    two_roles = content(
        packages=(
            package("Konzept", "2", "4", "12", role="Konzeption"),
            package("Umsetzung", "20", "30", "52", role="Entwicklung"),
        )
    )
    estimate = make_estimate(
        network.collective_a, network.alice, client_language="en", version=two_roles
    )
    secret = actions.do_share_estimate(estimate=estimate, user=network.alice)
    body = network.client_for(None).get(page(secret)).content.decode()
    assert body.count('id="rate-explanation"') == 1
    assert "goes to the members as net pay" in body
    assert body.count("the time no client pays for") == 0
    assert "Konzeption:" in body and "Entwicklung:" in body
    german = make_estimate(network.collective_a, network.alice, version=two_roles)
    secret = actions.do_share_estimate(estimate=german, user=network.alice)
    body = network.client_for(None).get(page(secret)).content.decode()
    assert "als Nettolohn an die Mitglieder" in body
