import pytest
from django.urls import reverse

from klinke.exchange.models import Introduction, IntroductionState
from klinke.exchange.tests.factories import make_offer

pytestmark = pytest.mark.django_db


def test_it_runs_a_need_from_posting_to_mutual_consent(network):
    make_offer(
        network.supporter,
        "Preisgestaltung für Kollektive",
        "Ich helfe bei Kalkulation, Stundensätzen und Kostenschätzungen.",
        topics=["pricing"],
    )
    alice = network.client_for(network.alice)
    response = alice.post(
        reverse("exchange:need_create", args=["quellcode"]),
        {
            "title": "We need help with acquisition and pricing",
            "description": "How do we set our daily rate and find clients?",
            "kind_choices": ["experience-exchange"],
            "topics": [],  # the text alone must lead to the pricing offer
            "remote_ok": "on",
            "expires_on": "2099-01-01",
            "visibility": "public",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = alice.get(response["Location"])
    html = detail.content.decode()
    assert "Preisgestaltung für Kollektive" in html
    matches = detail.context["matches"]
    assert matches and matches[0].match.reason_texts
    need = detail.context["need"]
    key = matches[0].key
    response = alice.post(
        reverse("exchange:request_introduction", args=[need.ref]),
        {"counterpart": key, "offer": matches[0].match.ref, "message": "Hallo Sam!"},
    )
    introduction = Introduction.objects.get()
    sam = network.client_for(network.sam)
    assert "alice@example.org" not in sam.get(introduction.get_absolute_url()).content.decode()
    sam.post(
        reverse("exchange:introduction_answer", args=[introduction.pk]),
        {"decision": "accept", "message": "Gern", "phone": "+49 30 123"},
    )
    introduction.refresh_from_db()
    assert introduction.state == IntroductionState.ACCEPTED
    assert "alice@example.org" in sam.get(introduction.get_absolute_url()).content.decode()
    assert "sam@example.org" in alice.get(introduction.get_absolute_url()).content.decode()
