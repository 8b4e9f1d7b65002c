"""Tests for klinke.matching.engine: factors, reasons, determinism, limits."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from klinke.matching.documents import Label, MatchDocument, Region, Topic, TopicTree
from klinke.matching.engine import SCORE_DIGITS, MatchIndex, haversine_km, rank
from klinke.matching.weights import DEFAULT_WEIGHTS, Weights

TREE = TopicTree.from_topics(
    [
        Topic("business", "business", "Geschäft"),
        Topic("pricing", "pricing", "Preisgestaltung", "business"),
        Topic("acquisition", "acquisition", "Akquise", "business"),
        Topic("contracts", "contracts", "Verträge", "business"),
        Topic("tech", "technology", "Technik"),
        Topic("web-development", "web development", "Webentwicklung", "tech"),
        Topic("wordpress", "WordPress", "WordPress", "web-development"),
        Topic("hosting", "hosting", "Hosting", "tech"),
    ]
)
LEIPZIG = Region("Leipzig", "DE", "DED5", 51.34, 12.37)
HALLE = Region("Halle", "DE", "DEE0", 51.48, 11.97)
BERLIN = Region("Berlin", "DE", "DE30", 52.52, 13.40)
VIENNA = Region("Wien", "AT", "AT13", 48.21, 16.37)


def doc(ref: str, title: str = "", text: str = "", **fields: object) -> MatchDocument:
    kind = "need" if ref.startswith("need") else "offer"
    return MatchDocument(ref, kind, title, text, **fields)  # type: ignore[arg-type]


def refs(query: MatchDocument, candidates: list[MatchDocument], **kw: object) -> list[str]:
    return [m.ref for m in rank(query, candidates, topics=TREE, **kw)]  # type: ignore[arg-type]


def only_factor(query: MatchDocument, candidate: MatchDocument, factor: str) -> float:
    """The score contribution of one factor for one candidate (0 if no reason)."""
    [match] = rank(query, [candidate], topics=TREE)
    return sum(r.score for r in match.reasons if r.factor == factor)


# --- topic factor -----------------------------------------------------------------------


def test_it_exact_topic_beats_child_beats_sibling_beats_unrelated() -> None:
    need = doc("need:1", topics=frozenset({"web-development"}))
    offers = [
        doc("offer:sibling", topics=frozenset({"hosting"})),
        doc("offer:exact", topics=frozenset({"web-development"})),
        doc("offer:child", topics=frozenset({"wordpress"})),
        doc("offer:unrelated", topics=frozenset({"contracts"})),
    ]
    assert refs(need, offers) == ["offer:exact", "offer:child", "offer:sibling"]


def test_it_parent_topic_matches_partially() -> None:
    need = doc("need:1", topics=frozenset({"wordpress"}))
    exact = doc("offer:a", topics=frozenset({"wordpress"}))
    parent = doc("offer:b", topics=frozenset({"web-development"}))
    grandparent = doc("offer:c", topics=frozenset({"tech"}))
    scores = {m.ref: m.score for m in rank(need, [exact, parent, grandparent], topics=TREE)}
    assert scores["offer:a"] > scores["offer:b"] > scores["offer:c"] > 0


def test_it_topic_value_is_the_share_of_the_query_topics_covered() -> None:
    # pricing and hosting are unrelated, so covering one of them is half the value
    need = doc("need:1", topics=frozenset({"pricing", "hosting"}))
    both = doc("offer:both", topics=frozenset({"pricing", "hosting"}))
    one = doc("offer:one", topics=frozenset({"pricing"}))
    assert only_factor(need, both, "topic") == pytest.approx(
        2 * only_factor(need, one, "topic"), abs=1e-3
    )
    # a sibling counts partly: acquisition is pricing's sibling
    sibling_need = doc("need:2", topics=frozenset({"pricing", "acquisition"}))
    assert only_factor(sibling_need, one, "topic") > only_factor(need, one, "topic")


def test_it_topic_reason_names_shared_and_related_topics_in_both_languages() -> None:
    need = doc("need:1", topics=frozenset({"pricing", "acquisition", "web-development"}))
    offer = doc("offer:1", topics=frozenset({"pricing", "acquisition", "wordpress"}))
    [match] = rank(need, [offer], topics=TREE)
    topic = next(r for r in match.reasons if r.factor == "topic")
    assert topic.text("en") == "Knows about “acquisition” and “pricing”, and related “WordPress”"
    assert topic.text("de") == (
        "Kennt sich mit „Akquise“ und „Preisgestaltung“ aus, auch mit Verwandtem: „WordPress“"
    )


# --- text factor ------------------------------------------------------------------------


def test_it_more_relevant_text_ranks_higher() -> None:
    need = doc("need:1", "Hilfe bei Preisgestaltung", "Wir brauchen Stundensatz und Kalkulation.")
    offers = [
        doc("offer:a", "Hosting", "Server und Datensicherung."),
        doc("offer:b", "Preise", "Beratung zum Stundensatz."),
        doc("offer:c", "Preisgestaltung", "Stundensatz, Kalkulation und Preise für Kollektive."),
    ]
    assert refs(need, offers) == ["offer:c", "offer:b"]


def test_it_german_need_finds_english_offer() -> None:
    need = doc(
        "need:1",
        "Unterstützung bei Akquise und Preisgestaltung",
        "Wir sind ein Kollektiv für Webentwicklung und suchen Hilfe bei der Kundengewinnung.",
    )
    offers = [
        doc("offer:en", "Pricing and acquisition", "I help collectives find clients."),
        doc("offer:off", "Bookkeeping", "Invoices, taxes and payroll."),
    ]
    matches = rank(need, offers, topics=TREE)
    assert [m.ref for m in matches] == ["offer:en"]
    text = next(r for r in matches[0].reasons if r.factor == "text")
    assert text.text("en").startswith("Writes about ")


def test_it_english_need_finds_german_offer() -> None:
    need = doc("need:1", "Help with contracts", "We need a contract for a public tender.")
    offers = [
        doc("offer:de", "Vertragsgestaltung", "Ich prüfe Verträge und Ausschreibungen."),
        doc("offer:off", "Barrierefreiheit", "Prüfung nach WCAG."),
    ]
    assert refs(need, offers) == ["offer:de"]


def test_it_compounds_match_their_parts_and_translations() -> None:
    need = doc("need:1", "Webentwicklung")
    offers = [
        doc("offer:a", "web development for co-ops"),
        doc("offer:b", "Web-Entwicklung"),
        doc("offer:c", "Buchhaltung"),
    ]
    assert sorted(refs(need, offers)) == ["offer:a", "offer:b"]


def test_it_text_reason_shows_query_words_as_written() -> None:
    need = doc("need:1", "Preisgestaltung")
    [match] = rank(need, [doc("offer:1", "pricing workshop")], topics=TREE)
    text = next(r for r in match.reasons if r.factor == "text")
    assert text.text("en") == "Writes about “Preisgestaltung”"
    assert text.text("de") == "Schreibt über „Preisgestaltung“"


# --- other factors ----------------------------------------------------------------------


def test_it_kind_fit() -> None:
    need = doc("need:1", "pricing", kinds=frozenset({"mentoring", "review"}))
    offers = [
        doc("offer:none", "pricing", kinds=frozenset({"hands-on"})),
        doc("offer:both", "pricing", kinds=frozenset({"mentoring", "review"})),
        doc("offer:one", "pricing", kinds=frozenset({"review"})),
    ]
    labels = {"review": Label("review", "Durchsicht")}
    matches = rank(need, offers, topics=TREE, kind_labels=labels)
    assert [m.ref for m in matches] == ["offer:both", "offer:one", "offer:none"]
    kind = next(r for r in matches[1].reasons if r.factor == "kind")
    assert kind.text("en") == "Offers what you asked for: review"
    assert kind.text("de") == "Bietet an, was ihr sucht: Durchsicht"
    assert not any(r.factor == "kind" for r in matches[2].reasons)


def test_it_language_compatibility() -> None:
    need = doc("need:1", "pricing", languages=frozenset({"de"}))
    offers = [
        doc("offer:en", "pricing", languages=frozenset({"en"})),
        doc("offer:de", "pricing", languages=frozenset({"de", "en"})),
        doc("offer:unknown", "pricing"),
    ]
    matches = rank(need, offers, topics=TREE)
    assert [m.ref for m in matches] == ["offer:de", "offer:unknown", "offer:en"]
    language = next(r for r in matches[0].reasons if r.factor == "language")
    assert language.text("en") == "Speaks German"
    assert language.text("de") == "Spricht Deutsch"


def test_it_region_prefers_nearby_and_explains_distance() -> None:
    need = doc("need:1", "pricing", region=LEIPZIG)
    offers = [
        doc("offer:berlin", "pricing", region=BERLIN),
        doc("offer:halle", "pricing", region=HALLE),
        doc("offer:vienna", "pricing", region=VIENNA),
    ]
    matches = rank(need, offers, topics=TREE)
    assert [m.ref for m in matches] == ["offer:halle", "offer:berlin", "offer:vienna"]
    region = next(r for r in matches[0].reasons if r.factor == "region")
    assert region.text("en") == "Based in Halle, 32 km away"
    assert region.text("de") == "Sitzt in Halle, 32 km entfernt"
    assert not any(r.factor == "region" for r in matches[2].reasons)


def test_it_region_without_coordinates_uses_nuts_and_country() -> None:
    need = doc("need:1", "pricing", region=Region(country="DE", nuts_code="DED51"))
    same_district = doc("offer:a", "pricing", region=Region("Leipzig", "DE", "DED51"))
    same_state = doc("offer:b", "pricing", region=Region("Dresden", "DE", "DED21"))
    same_country = doc("offer:c", "pricing", region=Region("Köln", "DE", "DEA23"))
    matches = rank(need, [same_country, same_state, same_district], topics=TREE)
    assert [m.ref for m in matches] == ["offer:a", "offer:b", "offer:c"]
    texts = [next(r for r in m.reasons if r.factor == "region").text("de") for m in matches]
    assert texts == [
        "Sitzt in eurer Region: Leipzig",
        "Sitzt in eurer Region: Dresden",
        "Sitzt auch in Deutschland",
    ]


def test_it_remote_on_both_sides_counts_as_a_region_fit() -> None:
    need = doc("need:1", "pricing", region=LEIPZIG, remote=True)
    far_remote = doc("offer:remote", "pricing", region=VIENNA, remote=True)
    far_local = doc("offer:local", "pricing", region=VIENNA)
    matches = rank(need, [far_local, far_remote], topics=TREE)
    assert [m.ref for m in matches] == ["offer:remote", "offer:local"]
    region = next(r for r in matches[0].reasons if r.factor == "region")
    assert (region.text("en"), region.text("de")) == (
        "Works remotely, as you do",
        "Arbeitet wie ihr auch aus der Ferne",
    )


def test_it_availability() -> None:
    need = doc("need:1", "pricing")
    offers = [
        doc("offer:none", "pricing", capacity_hours=0),
        doc("offer:some", "pricing", capacity_hours=4),
        doc("offer:many", "pricing", capacity_hours=16),
    ]
    matches = rank(need, offers, topics=TREE)
    assert [m.ref for m in matches] == ["offer:many", "offer:some", "offer:none"]
    avail = next(r for r in matches[1].reasons if r.factor == "availability")
    assert avail.text("en") == "Has 4 hours a month free"
    assert avail.text("de") == "Hat 4 Stunden im Monat frei"


def test_it_availability_relative_to_hours_needed() -> None:
    need = doc("need:1", "pricing", capacity_hours=4)
    enough = doc("offer:a", "pricing", capacity_hours=4)
    more = doc("offer:b", "pricing", capacity_hours=40)
    # both cover the need fully, so availability does not separate them
    assert only_factor(need, enough, "availability") == only_factor(need, more, "availability")


def test_it_fairness_spreads_introductions() -> None:
    need = doc("need:1", "pricing")
    offers = [
        doc("offer:busy", "pricing", open_introductions=6),
        doc("offer:free", "pricing", open_introductions=0),
        doc("offer:some", "pricing", open_introductions=1),
    ]
    matches = rank(need, offers, topics=TREE)
    assert [m.ref for m in matches] == ["offer:free", "offer:some", "offer:busy"]
    texts = [next(r for r in m.reasons if r.factor == "fairness") for m in matches]
    assert texts[0].text("en") == "Has no open introductions right now"
    assert texts[1].text("de") == "Hat 1 offene Vermittlung"
    assert texts[2].text("en") == "Has 6 open introductions"


# --- scores, determinism, limits --------------------------------------------------------


def _network(n: int, seed: int = 3) -> list[MatchDocument]:
    rng = random.Random(seed)
    words = [
        "pricing",
        "Preis",
        "contracts",
        "Verträge",
        "hosting",
        "Webentwicklung",
        "tender",
        "Akquise",
    ]
    topics = list(TREE.topics)
    return [
        doc(
            f"offer:{i:03d}",
            rng.choice(words),
            " ".join(rng.choices(words, k=6)),
            topics=frozenset(rng.sample(topics, 2)),
            languages=frozenset(rng.sample(["de", "en"], rng.randint(1, 2))),
            region=rng.choice([LEIPZIG, HALLE, BERLIN, VIENNA, None]),
            capacity_hours=rng.choice([None, 2, 8]),
            open_introductions=rng.randint(0, 3),
            kinds=frozenset(rng.sample(["advice", "review"], 1)),
            remote=rng.random() < 0.5,
        )
        for i in range(n)
    ]


NEED = doc(
    "need:x",
    "Preisgestaltung",
    "contracts and pricing",
    topics=frozenset({"pricing"}),
    languages=frozenset({"de"}),
    region=LEIPZIG,
    kinds=frozenset({"advice"}),
)


def test_it_scores_are_bounded_rounded_and_sum_of_reasons() -> None:
    matches = rank(NEED, _network(60), topics=TREE, limit=60)
    assert matches
    for m in matches:
        assert 0.0 <= m.score <= 1.0
        assert m.score == round(m.score, SCORE_DIGITS)
        # reasons below reason_min are left out, so they add up to at most the score
        assert sum(r.score for r in m.reasons) <= m.score + 1e-3
        assert [r.score for r in m.reasons] == sorted((r.score for r in m.reasons), reverse=True)


def test_it_results_are_sorted_with_ties_broken_by_ref() -> None:
    twins = [doc(f"offer:{c}", "pricing") for c in "dbca"]
    assert refs(NEED, twins) == ["offer:a", "offer:b", "offer:c", "offer:d"]
    matches = rank(NEED, _network(80), topics=TREE, limit=80)
    keys = [(-m.score, m.ref) for m in matches]
    assert keys == sorted(keys)


def test_it_deterministic_regardless_of_input_order() -> None:
    offers = _network(80)
    expected = rank(NEED, offers, topics=TREE, limit=15)
    for seed in range(3):
        shuffled = offers[:]
        random.Random(seed).shuffle(shuffled)
        assert rank(NEED, shuffled, topics=TREE, limit=15) == expected


def test_it_prebuilt_index_gives_the_same_result_as_a_sequence() -> None:
    offers = _network(50)
    index = MatchIndex.build(offers)
    assert rank(NEED, index, topics=TREE) == rank(NEED, offers, topics=TREE)
    assert len(index) == 50
    assert index.document("offer:007") == next(o for o in offers if o.ref == "offer:007")
    assert index.document("nope") is None


def test_it_small_candidate_pool_still_finds_the_exhaustive_top() -> None:
    offers = _network(300, seed=11)
    index = MatchIndex.build(offers)
    exhaustive = replace(DEFAULT_WEIGHTS, candidate_pool=10**9)
    tight = replace(DEFAULT_WEIGHTS, candidate_pool=60)
    assert rank(NEED, index, topics=TREE, weights=tight) == rank(
        NEED, index, topics=TREE, weights=exhaustive
    )


def test_it_limit() -> None:
    offers = _network(40)
    assert len(rank(NEED, offers, topics=TREE, limit=5)) == 5
    assert rank(NEED, offers, topics=TREE, limit=0) == []
    top3 = rank(NEED, offers, topics=TREE, limit=3)
    assert top3 == rank(NEED, offers, topics=TREE, limit=10)[:3]


def test_it_empty_inputs() -> None:
    assert rank(NEED, [], topics=TREE) == []
    assert rank(NEED, MatchIndex.build([]), topics=TREE) == []
    # a query sharing nothing, and an empty query, match nothing
    assert rank(doc("need:2", "Rüstung"), _network(20), topics=TREE) == []
    assert rank(doc("need:3"), _network(20), topics=TREE) == []
    assert rank(doc("need:4", "und der the"), _network(20), topics=TREE) == []


def test_it_query_itself_is_never_returned() -> None:
    same = replace(NEED, type="offer")
    other = doc("offer:1", "Preisgestaltung")
    assert refs(NEED, [same, other]) == ["offer:1"]


def test_it_duplicate_refs_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        MatchIndex.build([doc("offer:1"), doc("offer:1")])


def test_it_weights_change_the_ranking() -> None:
    need = doc("need:1", "pricing", topics=frozenset({"pricing"}))
    by_topic = doc("offer:topic", "hosting", topics=frozenset({"pricing"}))
    by_text = doc("offer:text", "pricing pricing", topics=frozenset({"hosting"}))
    text_heavy = Weights(topic=0.05, text=0.9)
    topic_heavy = Weights(topic=0.9, text=0.05)
    assert refs(need, [by_topic, by_text], weights=text_heavy)[0] == "offer:text"
    assert refs(need, [by_topic, by_text], weights=topic_heavy)[0] == "offer:topic"


def test_it_haversine() -> None:
    assert haversine_km(51.34, 12.37, 51.34, 12.37) == 0
    assert haversine_km(51.34, 12.37, 52.52, 13.40) == pytest.approx(148.5, abs=1.5)


def test_it_reason_as_dict_carries_both_languages() -> None:
    [match] = rank(NEED, [doc("offer:1", "Preisgestaltung", region=HALLE)], topics=TREE)
    data = [r.as_dict() for r in match.reasons]
    region = next(d for d in data if d["factor"] == "region")
    assert region["text"] == {
        "en": "Based in Halle, 32 km away",
        "de": "Sitzt in Halle, 32 km entfernt",
    }
    assert region["distance_km"] == pytest.approx(32, abs=1)


def test_it_explains_a_match_only_when_its_reasons_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from klinke.matching import engine

    offers = [doc(f"offer:{n}", "Preisgestaltung", region=HALLE) for n in range(5)]
    eager = rank(NEED, offers, topics=TREE)
    explained: list[int] = []

    def counting(*args: object) -> object:
        explained.append(1)
        return real(*args)

    real = engine._reasons
    monkeypatch.setattr(engine, "_reasons", counting)
    matches = rank(NEED, offers, topics=TREE)
    assert len(matches) == 5 and not explained
    assert matches[0].reasons[0] == eager[0].reasons[0]
    assert len(explained) == 1
    assert list(matches[0].reasons) == list(eager[0].reasons)
    assert len(explained) == 1  # worked out once
    assert matches == eager  # equal, reasons included


def test_it_measures_a_shared_place_once_with_the_same_scores() -> None:
    # Candidates at one place share their region value; it must be each one's own.
    offers = [
        doc(f"offer:{n}", "Preisgestaltung", region=region, remote=n % 2 == 0)
        for n, region in enumerate([HALLE, BERLIN, HALLE, VIENNA, BERLIN, None, HALLE])
    ]
    need = replace(NEED, remote=True)
    index = MatchIndex.build(offers)
    matches = rank(need, index, topics=TREE, limit=10)
    assert len(matches) == len(offers)
    for match in matches:
        one = [o for o in offers if o.ref == match.ref]
        alone = rank(need, MatchIndex.build(one, statistics=index.statistics), topics=TREE)
        assert [(m.ref, m.score, list(m.reasons)) for m in alone] == [
            (match.ref, match.score, list(match.reasons))
        ]
