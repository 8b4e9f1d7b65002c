"""Suggestions on the pages: who sees them, what they find, fairness, and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from klinke.collectives.models import Membership
from klinke.conftest import make_collective, make_user
from klinke.core import fragments
from klinke.exchange import actions
from klinke.exchange.candidates import rank_helpers_for_need
from klinke.exchange.tests.factories import (
    PRICING_OFFER,
    make_need,
    make_offer,
    make_pricing_need_and_offer,
)
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


def suggested(response: Any) -> list[tuple[str, str]]:
    """(type, ref) of the suggestions a need page shows."""
    return [(row.match.type, row.match.ref) for row in response.context["matches"]]


def make_supporter(slug: str, name: str, user: Any, **fields: Any) -> Supporter:
    topics = fields.pop("topics", [])
    supporter = Supporter(slug=slug, name=name, user=user, **fields)
    supporter.language_codes = ["de", "en"]
    supporter.save()
    supporter.topics.set(Topic.objects.filter(slug__in=topics))
    return supporter


def test_it_shows_suggestions_with_reasons_to_the_owners_only(network, client):
    need, offer = make_pricing_need_and_offer(network.collective_a, network.supporter)

    for owner in (network.alice, network.alice2):
        fragments.forget_all()  # both are members: each page is read, not kept
        response = network.client_for(owner).get(need.get_absolute_url())
        assert ("offer", offer.ref) in suggested(response)
        match = next(row.match for row in response.context["matches"] if row.match.ref == offer.ref)
        assert match.reason_texts
        html = response.content.decode()
        assert PRICING_OFFER[0] in html
        for text in match.reason_texts:
            assert text.replace("“", "").replace("”", "")[:12] in html.replace("“", "").replace(
                "”", ""
            ).replace("&quot;", "")
        assert 'class="reasons"' in html

    for viewer in (
        network.client_for(network.bob),
        network.client_for(network.sam),
        network.client_for(network.stella),
        network.client_for(network.outsider),
        client,
    ):
        response = viewer.get(need.get_absolute_url())
        assert response.status_code == 200
        assert response.context["suggestions"] == ""  # no suggestions at all
        html = response.content.decode()
        assert 'class="reasons"' not in html
        assert PRICING_OFFER[0] not in html
        assert "Ask for an introduction" not in html


def test_it_shows_needs_an_offer_could_answer_to_its_owner_only(network):
    offer = make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        network.collective_b,
        "We need help with pricing",
        "How do we set day rates and write estimates?",
        topics=["pricing"],
    )

    response = network.client_for(network.sam).get(offer.get_absolute_url())
    assert [m.ref for m in response.context["matches"]] == [need.ref]
    assert response.context["matches"][0].reason_texts
    assert 'class="reasons"' in response.content.decode()

    response = network.client_for(network.bob).get(offer.get_absolute_url())
    assert response.context["matches"] == []
    page = response.content.decode()
    assert 'class="reasons"' not in page and "Needs this offer could answer" not in page
    # Bob may ask the offer's owner for an introduction for his own need, from the offer page.
    assert "We need help with pricing (Rotkehlchen Hosting)</option>" in page


def test_it_suggests_for_a_need_without_topics(network):
    """Topics are optional on the form; the text alone has to find help."""
    offer = make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        network.collective_a,
        "We need help with pricing",
        "How do we set our day rates and write estimates?",
    )

    response = network.client_for(network.alice).get(need.get_absolute_url())

    assert response.status_code == 200
    assert suggested(response)[0] == ("offer", offer.ref)


def test_it_suggests_by_topic_when_no_word_of_the_need_appears_in_any_offer(network):
    offer = make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(network.collective_a, "Tagessatz", "Zahlenkram.", topics=["pricing"])

    response = network.client_for(network.alice).get(need.get_absolute_url())

    assert response.status_code == 200
    assert ("offer", offer.ref) in suggested(response)


def text_reason_words(match: Any) -> list[str]:
    return [
        label.en.lower()
        for reason in match.reasons
        if reason.factor == "text"
        for label in reason.labels
    ]


def test_it_finds_an_english_pricing_offer_for_a_german_need(network):
    offer = make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    make_offer(
        network.collective_b,
        "Server hosting for NGOs",
        "We run and monitor servers and backups for associations.",
        topics=["hosting"],
    )
    need = make_need(
        network.collective_a,
        "Wir brauchen Hilfe bei Akquise und Preisgestaltung",
        "Wir wissen nicht, wie wir Preise kalkulieren und Kund*innen finden.",
        topics=["acquisition"],
    )

    response = network.client_for(network.alice).get(need.get_absolute_url())

    # Sam is the best match; Sam's profile ("pricing and acquisition") and the English pricing
    # offer are the same person to ask, so Sam is listed once, the offer shown with Sam.
    matches = [row.match for row in response.context["matches"]]
    assert matches[0].counterpart == network.supporter
    assert [m.counterpart for m in matches].count(network.supporter) == 1
    hit = next(m for m in [matches[0], *matches[0].also] if m.ref == offer.ref)
    # The German words found the English text: a text reason, not only the topic tree.
    assert text_reason_words(hit)
    hosting = [m for m in matches if m.name == "Server hosting for NGOs"]
    assert not hosting or hosting[0].score < hit.score


def test_it_finds_a_german_need_for_an_english_pricing_offer(network):
    offer = make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        network.collective_b,
        "Wir brauchen Hilfe bei Akquise und Preisgestaltung",
        "Wie kalkulieren wir Preise und Kostenvoranschläge?",
        topics=["acquisition"],
    )
    make_need(
        network.hidden,
        "Wir suchen Hilfe beim Serverbetrieb",
        "Unsere Backups laufen nicht zuverlässig.",
        topics=["hosting"],
    )

    response = network.client_for(network.sam).get(offer.get_absolute_url())

    first = response.context["matches"][0]
    assert first.ref == need.ref
    assert text_reason_words(first)


def test_it_does_not_suggest_the_own_collective_or_its_members(network):
    own_offer = make_offer(network.collective_a, *PRICING_OFFER, topics=["pricing"])
    alina = make_supporter(
        "alina-hilft",
        "Alina hilft",
        network.alice2,
        bio_en="I help with pricing, day rates and estimates.",
        topics=["pricing"],
    )
    alina_offer = make_offer(alina, "Alina's pricing clinic", PRICING_OFFER[1], topics=["pricing"])
    other_offer = make_offer(network.collective_b, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        network.collective_a,
        "We need help with pricing",
        "How do we set day rates and write estimates?",
        topics=["pricing"],
    )

    response = network.client_for(network.alice).get(need.get_absolute_url())

    refs = suggested(response)
    assert ("offer", other_offer.ref) in refs
    assert ("supporter", "sam-berater") in refs
    assert ("offer", own_offer.ref) not in refs
    assert ("supporter", alina.slug) not in refs
    assert ("offer", alina_offer.ref) not in refs
    # For collective B, all three are fine.
    need_b = make_need(
        network.collective_b,
        "We need help with pricing",
        "How do we set day rates and write estimates?",
        topics=["pricing"],
    )
    refs_b = [(m.type, m.ref) for m in rank_helpers_for_need(need_b, user=network.bob)]
    assert ("offer", own_offer.ref) in refs_b
    # Alina is one person to ask: shown once, through her offer rather than her profile.
    assert ("offer", alina_offer.ref) in refs_b
    assert ("supporter", alina.slug) not in refs_b
    assert ("offer", other_offer.ref) not in refs_b


def test_it_ranks_a_busy_supporter_below_an_otherwise_equal_one(network):
    twins = {}
    for slug, name in (("aa-busy", "Berater Eins"), ("bb-free", "Berater Zwei")):
        user = make_user(f"{slug}@example.org", name)
        twins[slug] = make_supporter(
            slug,
            name,
            user,
            bio_en="I help with bookkeeping, invoices and cash flow.",
            hours_per_month=6,
            city="Halle",
            country="DE",
            topics=["finance"],
        )
    need = make_need(
        network.collective_a,
        "Bookkeeping help",
        "We need help with bookkeeping, invoices and cash flow.",
        topics=["finance"],
    )

    def order() -> list[str]:
        ranked = rank_helpers_for_need(need, user=network.alice)
        return [m.ref for m in ranked if m.ref in twins]

    # Equal in everything: ties go by ref, so the busy one would come first.
    assert order() == ["aa-busy", "bb-free"]

    # Five open requests from other collectives make "aa-busy" busy.
    introductions = []
    for index in range(5):
        asker = make_user(f"asker{index}@example.org")
        collective = make_collective(f"frager-{index}", f"Frager {index}", members=[asker])
        other_need = make_need(collective, f"Buchhaltung {index}", "Buchhaltung bitte.")
        introductions.append(
            actions.do_request_introduction(
                need=other_need, user=asker, counterpart=twins["aa-busy"], message="Hallo!"
            )
        )
    assert order() == ["bb-free", "aa-busy"]
    busy = next(m for m in rank_helpers_for_need(need) if m.ref == "aa-busy")
    fairness = next(r for r in busy.reasons if r.factor == "fairness")
    assert fairness.count == 5

    # Withdrawn requests no longer count.
    for introduction in introductions:
        actions.do_withdraw_introduction(
            introduction_id=introduction.pk, user=introduction.requested_by
        )
    assert order() == ["aa-busy", "bb-free"]


# --- query counts -------------------------------------------------------------------------


def add_more(network: Any, count: int = 30) -> None:
    """More offers and needs of others, with topics and a few introductions."""
    for index in range(count):
        make_offer(
            network.supporter if index % 2 else network.collective_b,
            f"Pricing offer {index}",
            f"Day rates, estimates and pricing, variant {index}.",
            topics=["pricing", "acquisition"],
        )
        make_need(
            network.collective_b,
            f"Pricing need {index}",
            f"How do we price our work, variant {index}?",
            topics=["pricing"],
        )


def pin_queries(
    django_assert_max_num_queries: Any, client: Any, url: str, ceiling: int, grow: Any
) -> None:
    assert client.get(url).status_code == 200  # warm the session and the match index
    with django_assert_max_num_queries(ceiling) as captured:
        assert client.get(url).status_code == 200
    first = len(captured)
    grow()
    client.get(url)  # warm the overlay of the changes
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200


def test_it_shows_the_need_page_in_a_fixed_number_of_queries(
    network, django_assert_max_num_queries
):
    make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        network.collective_a, "Pricing", "How do we price our work?", topics=["pricing"]
    )
    alice = network.client_for(network.alice)
    alice.post(
        reverse("exchange:request_introduction", args=[need.ref]),
        {"counterpart": f"supporter:{network.supporter.pk}", "message": "Hallo"},
    )

    # Without a built shared index, every candidate comes from the overlay of changes: the
    # changed offers and supporters with their topics and open introductions (7 queries).
    pin_queries(
        django_assert_max_num_queries,
        alice,
        need.get_absolute_url(),
        19,  # one of them reads helpful introductions (the feedback factor)
        lambda: add_more(network),
    )


def test_it_shows_the_offer_page_in_a_fixed_number_of_queries(
    network, django_assert_max_num_queries
):
    offer = make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    make_need(network.collective_b, "Pricing", "How do we price our work?", topics=["pricing"])

    # Without a built shared index the needs come from the overlay of changes (+3 queries).
    pin_queries(
        django_assert_max_num_queries,
        network.client_for(network.sam),
        offer.get_absolute_url(),
        12,
        lambda: add_more(network),
    )


def test_it_shows_the_dashboard_in_a_fixed_number_of_queries(
    network, django_assert_max_num_queries
):
    Membership.objects.create(collective=network.collective_b, user=network.sam)
    make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        network.collective_a, "Pricing", "How do we price our work?", topics=["pricing"]
    )
    actions.do_request_introduction(
        need=need, user=network.alice, counterpart=network.supporter, message="Hallo"
    )
    make_need(network.collective_b, "Hosting", "Our servers need care.", topics=["hosting"])
    # Suggestions of every kind from the start: their objects are loaded once per kind.
    make_need(network.collective_b, "Prices", "How do we price our work?", topics=["pricing"])
    make_supporter("price-help", "Price Help", None, topics=["pricing"], bio_en="Pricing.")

    def grow() -> None:
        add_more(network)
        for index in range(30):
            make_need(
                network.collective_a,
                f"Own need {index}",
                f"We need help with pricing, variant {index}.",
                topics=["pricing"],
            )

    # Without a built shared index both pools come from the overlay of changes (+5 queries).
    pin_queries(
        django_assert_max_num_queries,
        network.client_for(network.sam),
        reverse("exchange:dashboard"),
        26,  # one of them reads helpful introductions (the feedback factor)
        grow,
    )


@pytest.mark.parametrize(("viewer", "ceiling"), [(None, 3), ("bob", 8)])
def test_it_shows_the_exchange_index_in_a_fixed_number_of_queries(
    network, django_assert_max_num_queries, viewer, ceiling
):
    client = network.client_for(getattr(network, viewer) if viewer else None)
    make_offer(network.supporter, *PRICING_OFFER, topics=["pricing"])
    make_need(network.collective_a, "Pricing", "How do we price our work?", topics=["pricing"])
    client.get(reverse("exchange:index"))  # warm the session

    counts = {}
    for show in ("needs", "offers"):
        url = reverse("exchange:index") + f"?show={show}"
        with django_assert_max_num_queries(ceiling) as captured:
            assert client.get(url).status_code == 200
        counts[show] = len(captured)
    add_more(network)
    for show, first in counts.items():
        url = reverse("exchange:index") + f"?show={show}"
        with django_assert_max_num_queries(first):
            response = client.get(url)
        assert len(response.context["page"].object_list) == 20


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("score", [0.8799, 0.5, 0.12345, 1.0, 0.005])
def test_it_writes_a_suggestions_score_as_the_template_tag_did(language: str, score: float) -> None:
    from django.template import Context, Template
    from django.utils import translation

    from klinke.exchange.candidates import RankedCandidate

    tag = Template(
        "{% load i18n %}{% blocktranslate with score=s|floatformat:2 %}score {{ score }}"
        "{% endblocktranslate %}"
    )
    candidate = RankedCandidate(type="offer", ref="x", score=score, reasons=(), obj=None)
    with translation.override(language):
        assert candidate.score_text == tag.render(Context({"s": score}))
