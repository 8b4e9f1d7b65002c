"""`manage.py match`: ranked suggestions with scores and reasons, as JSON or text."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from klinke.conftest import make_collective
from klinke.exchange.candidates import index_cache
from klinke.exchange.models import Need, Offer
from klinke.exchange.tests.factories import make_need, make_offer

pytestmark = pytest.mark.django_db


def match(*args: str) -> str:
    out = io.StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def match_json(*args: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(match(*args, "--format", "json"))
    return result


@pytest.fixture
def exchange(network: Any) -> dict[str, Any]:
    pricing = make_offer(
        network.supporter,
        "Pricing and estimates for small collectives",
        "I help collectives calculate day rates and write transparent estimates.",
        topics=["pricing"],
    )
    hosting = make_offer(
        network.collective_b,
        "Hosting for NGOs",
        "We run servers, backups and monitoring, and help with pricing hosting offers.",
        topics=["hosting"],
    )
    workshop = make_offer(
        network.collective_b,
        "Workshop: acquisition for collectives",
        "A workshop on finding clients and setting prices.",
        topics=["acquisition", "pricing"],
        kinds=["workshop"],
    )
    need = make_need(
        network.collective_a,
        "Wir brauchen Hilfe bei Akquise und Preisgestaltung",
        "Wie kalkulieren wir Tagessätze und finden Kund*innen?",
        topics=["pricing", "acquisition"],
    )
    other_need = make_need(
        network.collective_b,
        "Preise für Hosting",
        "Wie kalkulieren wir Preise für unsere Server?",
        topics=["pricing"],
    )
    return {
        "pricing": pricing,
        "hosting": hosting,
        "workshop": workshop,
        "need": need,
        "other_need": other_need,
    }


def test_it_prints_suggestions_for_a_need_as_json(exchange):
    result = match_json("need", exchange["need"].ref)

    assert result
    for entry in result:
        assert {"type", "ref", "name", "score", "reasons"} <= set(entry)
        assert entry["type"] in {"offer", "supporter"}
        assert 0 < entry["score"] <= 1
        assert entry["reasons"]
        for reason in entry["reasons"]:
            assert reason["factor"]
            assert reason["text"]["en"]
    scores = [entry["score"] for entry in result]
    assert scores == sorted(scores, reverse=True)
    # A party is listed once; its further fitting offers come with it.
    refs = {(e["type"], e["ref"]) for entry in result for e in [entry, *entry["also"]]}
    assert ("offer", exchange["pricing"].ref) in refs
    assert ("offer", exchange["workshop"].ref) in refs
    # Offers of the need's own collective never appear.
    own = {o.ref for o in Offer.objects.filter(collective=exchange["need"].collective)}
    assert not own & {entry["ref"] for entry in result}


def test_it_gives_the_same_answer_every_time(exchange):
    first = match("need", exchange["need"].ref, "--format", "json")
    second = match("need", exchange["need"].ref, "--format", "json")
    index_cache.clear()
    rebuilt = match("need", exchange["need"].ref, "--format", "json")

    assert first == second == rebuilt


def test_it_breaks_ties_by_ref(network):
    need = make_need(network.collective_a, "Bookkeeping", "Invoices.", topics=["finance"])
    # Three identical collectives, since one party's offers are listed once (its best).
    for ref in ("offer-zz", "offer-aa", "offer-mm"):
        owner = make_collective(f"twin-{ref}", "Twin", members=[])
        make_offer(owner, "Bookkeeping", "Invoices.", topics=["finance"], ref=ref)

    result = match_json("need", need.ref)

    tied = [entry for entry in result if entry["ref"] in {"offer-aa", "offer-mm", "offer-zz"}]
    assert len({entry["score"] for entry in tied}) == 1
    assert [entry["ref"] for entry in tied] == ["offer-aa", "offer-mm", "offer-zz"]


def test_it_prints_suggestions_as_text(exchange):
    result = match_json("need", exchange["need"].ref)
    text = match("need", exchange["need"].ref, "--format", "text")

    lines = iter(text.splitlines())
    assert any(entry["also"] for entry in result)
    for position, entry in enumerate(result, start=1):
        head, reasons = next(lines), next(lines)
        assert head.startswith(f"{position:>2}. {entry['score']:.3f}  {entry['type']}")
        assert f" {entry['ref']}  {entry['name']}" in head
        assert reasons.strip() == " · ".join(r["text"]["en"] for r in entry["reasons"])
        for further in entry["also"]:
            score, kind = f"{further['score']:.3f}", f"{further['type']:<9}"
            assert next(lines).strip() == f"+ {score}  {kind} {further['ref']}  {further['name']}"
    assert next(lines, None) is None

    german = match("need", exchange["need"].ref, "--language", "de").splitlines()
    assert german[1].strip() == " · ".join(r["text"]["de"] for r in result[0]["reasons"])


def test_it_prints_needs_an_offer_could_answer(exchange):
    result = match_json("offer", exchange["pricing"].ref)

    assert [entry["type"] for entry in result] == ["need"] * len(result)
    assert {entry["ref"] for entry in result} == {
        exchange["need"].ref,
        exchange["other_need"].ref,
    }
    assert all(entry["reasons"] for entry in result)

    # A collective's offer is not matched to the collective's own needs.
    own = match_json("offer", exchange["workshop"].ref)
    assert exchange["other_need"].ref not in {entry["ref"] for entry in own}


def test_it_limits_the_number_of_suggestions(exchange):
    everything = match_json("need", exchange["need"].ref)
    assert len(everything) > 1

    assert match_json("need", exchange["need"].ref, "--limit", "1") == everything[:1]
    with pytest.raises(CommandError, match="--limit must be at least 1"):
        match("need", exchange["need"].ref, "--limit", "0")


def test_it_refuses_unknown_refs(exchange):
    with pytest.raises(CommandError, match="No need with ref 'need-gibt-es-nicht'"):
        match("need", "need-gibt-es-nicht")
    with pytest.raises(CommandError, match="No offer with ref 'offer-gibt-es-nicht'"):
        match("offer", "offer-gibt-es-nicht")
    # A need's ref is no offer's.
    with pytest.raises(CommandError):
        match("offer", exchange["need"].ref)


def test_it_says_so_when_nothing_fits(network):
    need = Need.objects.create(
        collective=network.collective_a,
        title="Quantenkryptografie",
        description="Quantenkryptografie.",
        kinds="workshop",
    )

    assert match_json("need", need.ref) == []
    assert match("need", need.ref).strip() == "No suggestions."
