"""Suggestions for a need read in score order, for any limit, on the page, API and command.

A party (a supporter or a collective with its offers) is shown once, placed by its best
entry and showing that entry's score; its other fitting offers follow beneath it.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from klinke.conftest import make_collective, make_user
from klinke.exchange.candidates import RankedCandidate, index_cache, rank_helpers_for_need
from klinke.exchange.models import Need
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


def make_supporter(slug: str, name: str, bio: str, topics: list[str]) -> Supporter:
    supporter = Supporter(slug=slug, name=name, bio_en=bio, hours_per_month=6)
    supporter.language_codes = ["de", "en"]
    supporter.save()
    supporter.topics.set(Topic.objects.filter(slug__in=topics))
    supporter.refresh_search_document()
    return supporter


@pytest.fixture
def need(network: Any) -> Need:
    index_cache.clear()
    # Parties whose profile and offers fit the need to different degrees, so that a party's
    # best entry is sometimes its profile and sometimes one of several offers.
    pia = make_supporter(
        "pia", "Pia Preis", "Pricing, day rates and acquisition for collectives.", ["pricing"]
    )
    make_offer(pia, "Hosting checks", "Backups and monitoring reviews.", topics=["hosting"])
    make_offer(pia, "Sparring", "We talk things through.", topics=["pricing"])
    make_offer(
        network.supporter,
        "Acquisition and pricing coaching",
        "Finding clients and calculating day rates and estimates for collectives.",
        topics=["pricing", "acquisition"],
    )
    make_offer(network.supporter, "Estimates", "Writing estimates.", topics=["pricing"])
    make_offer(
        network.collective_b,
        "Workshop: acquisition",
        "A workshop on finding clients and setting prices.",
        topics=["acquisition", "pricing"],
        kinds=["workshop"],
    )
    make_offer(network.collective_b, "Hosting pricing", "Pricing hosting offers.")
    other = make_collective("tuer", "Kollektiv Tür", members=[make_user("t@example.org")])
    make_offer(other, "Day rates", "How we calculate our day rates.", topics=["pricing"])
    make_supporter("ulf", "Ulf", "Acquisition for small teams.", ["acquisition"])
    make_supporter("vera", "Vera", "Pricing.", ["pricing", "acquisition"])
    return make_need(
        network.collective_a,
        "Hilfe bei Akquise und Preisgestaltung",
        "Wie kalkulieren wir Tagessätze und finden Kund*innen? Pricing and acquisition.",
        topics=["pricing", "acquisition"],
    )


def row(candidate: RankedCandidate) -> tuple[str, str, float, tuple[str, ...]]:
    """What a row shows: the entry, its score and the party's further offers."""
    return (candidate.type, candidate.ref, candidate.score, tuple(e.ref for e in candidate.also))


def test_it_places_each_party_once_by_the_entry_it_shows(need: Need) -> None:
    everything = rank_helpers_for_need(need, limit=50)
    parties = [candidate.counterpart for candidate in everything]

    assert len(everything) >= 6
    assert len(parties) == len(set(parties))
    assert any(candidate.also for candidate in everything)
    for candidate in everything:
        assert all(entry.score <= candidate.score for entry in candidate.also)
        assert [e.score for e in candidate.also] == sorted(
            (e.score for e in candidate.also), reverse=True
        )


@pytest.mark.parametrize("limit", range(1, 12))
def test_it_shows_the_same_rows_in_score_order_for_every_limit(need: Need, limit: int) -> None:
    everything = [row(c) for c in rank_helpers_for_need(need, limit=50)]

    rows = [row(c) for c in rank_helpers_for_need(need, limit=limit)]

    assert rows == everything[:limit]
    scores = [score for _, _, score, _ in rows]
    assert scores == sorted(scores, reverse=True)


def as_row(entry: dict[str, Any]) -> tuple[str, str, float, tuple[str, ...]]:
    return (entry["type"], entry["ref"], entry["score"], tuple(a["ref"] for a in entry["also"]))


def page_scores(client: Client, need: Need) -> list[str]:
    html = client.get(reverse("exchange:need_detail", args=[need.ref])).content.decode()
    return re.findall(r'<li class="card match">.*?score ([\d.]+)</span></h3>', html, re.S)


def test_it_agrees_on_page_api_and_command(network: Any, need: Need) -> None:
    # The command sees what anyone may see; the owner also sees members-only helpers.
    public = [row(c) for c in rank_helpers_for_need(need, limit=10)]
    members = [row(c) for c in rank_helpers_for_need(need, user=network.alice, limit=10)]
    client = network.client_for(network.alice)

    page = page_scores(client, need)
    api = client.get(f"/api/v1/needs/{need.ref}/matches?limit=10").json()
    out = io.StringIO()
    call_command("match", "need", need.ref, "--format", "json", stdout=out)
    command = json.loads(out.getvalue())

    assert page == [f"{score:.2f}" for _, _, score, _ in members]
    assert [as_row(m) for m in api] == members
    assert [as_row(m) for m in command] == public
    assert [row for row in members if row in public] == public
    also = {m["ref"]: [a["ref"] for a in m["also"]] for m in command}
    assert also == {m["ref"]: [a["ref"] for a in m["also"]] for m in api if m["ref"] in also}
    assert any(also.values())
