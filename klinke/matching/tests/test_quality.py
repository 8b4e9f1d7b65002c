"""The faults of issue 15 that live in the engine: each test failed before its fix.

Long needs keep their core words, typos and compounds are understood, exclusions rank down,
filler words and gendered fragments never become terms, helpful introductions lift a
counterpart openly, and a factor weight of 0 is allowed.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from klinke.matching.analysis import (
    negated_words,
    query_terms_with_words,
    ranking_terms,
    spelling_candidates,
)
from klinke.matching.documents import MatchDocument, Topic, TopicTree
from klinke.matching.engine import MatchIndex, rank
from klinke.matching.reasons import FACTORS, Reason
from klinke.matching.weights import DEFAULT_WEIGHTS

TREE = TopicTree.from_topics(
    [
        Topic("business", "Business", "Geschäft"),
        Topic(
            "pricing", "Pricing and estimates", "Preisgestaltung und Kostenschätzung", "business"
        ),
        Topic("acquisition", "Acquisition and sales", "Akquise und Vertrieb", "business"),
        Topic("data", "Data and analytics", "Daten und Analyse"),
        Topic("marketing", "Marketing", "Marketing"),
    ]
)


def doc(ref: str, title: str = "", text: str = "", **fields: object) -> MatchDocument:
    kind = "need" if ref.startswith("need") else "offer"
    return MatchDocument(ref, kind, title, text, **fields)  # type: ignore[arg-type]


def refs(query: MatchDocument, candidates: list[MatchDocument], **kw: object) -> list[str]:
    return [m.ref for m in rank(query, candidates, topics=TREE, **kw)]  # type: ignore[arg-type]


# --- 3. long needs keep their core words -------------------------------------------------

# Forty rare words, each in one filler offer, so that all are rarer than "Preisgestaltung".
RARE = [f"{a}{b}" for a in ("zorb", "quix", "plim", "vrak", "gnop") for b in "abcdefgh"]


def test_it_keeps_title_and_topic_words_of_a_long_need() -> None:
    pricing = [doc(f"offer:pricing{i}", "Preisgestaltung", "Preisgestaltung.") for i in range(3)]
    fillers = [doc(f"offer:filler{i}", word, word) for i, word in enumerate(RARE)]
    need = doc(
        "need:1",
        "Preisgestaltung",
        "Wir schreiben lange. " + " ".join(RARE),
        topics=frozenset({"pricing"}),
    )

    ranked = refs(need, [*pricing, *fillers], limit=3)

    assert ranked == ["offer:pricing0", "offer:pricing1", "offer:pricing2"]


# --- 5. words the engine missed ------------------------------------------------------------


def test_it_understands_a_typo_of_a_lexicon_word() -> None:
    offers = [doc("offer:akquise", "Akquise-Coaching"), doc("offer:other", "Hosting")]

    assert spelling_candidates("aquise") == ("akquise",)
    assert refs(doc("need:1", "Aquise für unser Kollektiv"), offers) == ["offer:akquise"]


def test_it_splits_compound_parts_down_to_their_words() -> None:
    offers = [
        doc("offer:kunden", "Wie ihr neue Kunden findet"),
        doc("offer:hosting", "Hosting"),
    ]

    assert {"kund", "gewinn"} <= {t.term for t in ranking_terms("Neukundengewinnung")}
    assert refs(doc("need:1", "Neukundengewinnung"), offers) == ["offer:kunden"]


@pytest.mark.parametrize(
    ("need", "offer"),
    [
        ("Akquise", "Sales coaching for co-ops"),
        ("Business Development", "Akquise für Kollektive"),
        ("Hilfe bei Akquise", "business development for small firms"),
    ],
)
def test_it_bridges_akquise_sales_and_business_development(need: str, offer: str) -> None:
    offers = [doc("offer:match", offer), doc("offer:other", "Hosting und Backups")]

    assert refs(doc("need:1", need), offers) == ["offer:match"]


def test_it_reads_what_a_need_rules_out() -> None:
    assert negated_words("Aber kein Tracking, keine Cookies und kein Google Analytics!") >= {
        "tracking",
        "cookies",
        "google",
        "analytics",
    }
    assert negated_words("No agencies please") >= {"agencies"}
    assert negated_words("keine Ahnung von DSGVO") == {"ahnung"}
    assert negated_words("nicht nur Webseiten") == frozenset()


def test_it_does_not_rank_first_what_a_need_rules_out() -> None:
    offers = [
        doc(
            "offer:tracking", "Google Analytics und Tracking einrichten", "Tracking für Webseiten."
        ),
        doc("offer:plain", "Besucherstatistik", "Statistik für Webseiten, datensparsam."),
    ]
    need = doc("need:1", "Besucherstatistik für Webseiten", "Aber kein Tracking und kein Google!")

    assert refs(need, offers)[0] == "offer:plain"


def test_it_does_not_rank_down_an_offer_that_rules_out_the_same() -> None:
    offers = [
        doc("offer:with", "Statistik mit Tracking", "Webseiten mit Tracking und Cookies."),
        doc("offer:without", "Statistik ohne Tracking", "Webseiten ohne Tracking und Cookies."),
    ]
    need = doc("need:1", "Statistik für Webseiten", "Kein Tracking, keine Cookies!")

    assert refs(need, offers)[0] == "offer:without"


def test_it_ranks_an_agency_below_a_coach_when_a_need_says_no_agencies() -> None:
    offers = [
        doc("offer:agency", "Marketing agency", "Our agency runs your marketing."),
        doc("offer:coach", "Marketing coaching", "I coach teams in marketing."),
    ]
    need = doc("need:1", "Marketing help", "Coach us in marketing. No agencies please.")

    assert refs(need, offers)[0] == "offer:coach"


# --- 6. words a person can read --------------------------------------------------------------


def test_it_never_uses_filler_words_as_terms() -> None:
    words = {t.word.casefold() for t in ranking_terms("Wir brauchen Hilfe, suchen seit Jahren")}

    assert words == {"jahren"}


@pytest.mark.parametrize("written", ["Kund*innen", "Kund:innen", "KundInnen", "Kund_innen"])
def test_it_keeps_gendered_forms_whole(written: str) -> None:
    pairs = query_terms_with_words(f"neue {written} finden")

    assert (written in dict(pairs).values()) and "innen" not in dict(pairs).values()
    assert dict(pairs)["kund"] == written


def test_it_finds_kunden_for_a_gendered_form() -> None:
    offers = [doc("offer:kunden", "Kunden finden"), doc("offer:other", "Hosting")]

    [match] = rank(doc("need:1", "Kund*innen gewinnen"), offers, topics=TREE)

    assert match.ref == "offer:kunden"
    assert any("Kund*innen" in r.text("de") for r in match.reasons)


# --- 7. helpful introductions, openly ---------------------------------------------------------


def offers_alike() -> list[MatchDocument]:
    return [
        doc("offer:a", "Akquise-Coaching", topics=frozenset({"acquisition"})),
        doc("offer:b", "Akquise-Coaching", topics=frozenset({"acquisition"})),
    ]


def test_it_lifts_a_counterpart_with_helpful_introductions_and_says_why() -> None:
    need = doc("need:1", "Akquise", topics=frozenset({"acquisition"}))

    plain = rank(need, offers_alike(), topics=TREE)
    lifted = rank(need, offers_alike(), topics=TREE, feedback={"offer:b": {"acquisition": 3}})

    assert [m.ref for m in plain] == ["offer:a", "offer:b"]
    assert [m.ref for m in lifted] == ["offer:b", "offer:a"]
    reason = next(r for r in lifted[0].reasons if r.factor == "feedback")
    assert reason.text("de") == "3 hilfreiche Vermittlungen zu Akquise und Vertrieb"
    assert reason.text("en") == "3 helpful introductions on Acquisition and sales"
    # a little higher, not a different league
    assert lifted[0].score - lifted[1].score < 0.05


def test_it_counts_feedback_only_for_similar_needs() -> None:
    need = doc("need:1", "Akquise", topics=frozenset({"acquisition"}))

    lifted = rank(need, offers_alike(), topics=TREE, feedback={"offer:b": {"data": 5}})

    assert [m.ref for m in lifted] == ["offer:a", "offer:b"]
    assert not any(r.factor == "feedback" for m in lifted for r in m.reasons)


def test_it_never_hides_or_lowers_anyone_without_helpful_feedback() -> None:
    need = doc("need:1", "Akquise", topics=frozenset({"acquisition"}))
    offers = offers_alike()

    # offer:b has only an unhelpful rating: the caller passes nothing for it
    lifted = rank(need, offers, topics=TREE, feedback={"offer:a": {"acquisition": 1}})

    assert {m.ref for m in lifted} == {"offer:a", "offer:b"}


def test_it_reads_feedback_per_query_not_from_the_index() -> None:
    index = MatchIndex.build(offers_alike())
    need = doc("need:1", "Akquise", topics=frozenset({"acquisition"}))

    first = rank(need, index, topics=TREE, feedback={"offer:b": {"acquisition": 2}})
    second = rank(need, index, topics=TREE)

    assert first[0].ref == "offer:b"
    assert second[0].ref == "offer:a"


# --- 8. a factor weight of 0 -------------------------------------------------------------------


@pytest.mark.parametrize("factor", FACTORS)
def test_it_accepts_a_weight_of_zero_for_any_factor(factor: str) -> None:
    weights = replace(DEFAULT_WEIGHTS, **{factor: 0.0})
    need = doc("need:1", "Akquise", topics=frozenset({"acquisition"}), languages=frozenset({"de"}))
    offers = [*offers_alike(), doc("offer:c", "Hosting", topics=frozenset({"pricing"}))]

    matches = rank(
        need, offers, topics=TREE, weights=weights, feedback={"offer:a": {"acquisition": 1}}
    )

    assert matches
    assert all(r.factor != factor for m in matches for r in m.reasons)


def test_it_accepts_all_but_one_weight_at_zero() -> None:
    zero: dict[str, float] = {str(f): 0.0 for f in FACTORS if f != "text"}
    need = doc("need:1", "Akquise")
    weights = replace(DEFAULT_WEIGHTS, **zero)

    [match] = rank(need, [doc("offer:a", "Akquise")], topics=TREE, weights=weights)

    assert match.score > 0
    assert [r.factor for r in match.reasons] == ["text"]


def test_it_words_feedback_without_topics() -> None:
    assert Reason("feedback", 0.01, count=1).text("de") == "1 hilfreiche Vermittlung"
