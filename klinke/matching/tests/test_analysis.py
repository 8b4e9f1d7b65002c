"""Tests for klinke.matching.analysis: tokenising, stemming, compounds, lexicon."""

from __future__ import annotations

import random
import time

import pytest

from klinke.matching.analysis import (
    fold,
    guess_language,
    index_terms,
    query_terms,
    search_document,
    split_compound,
)


def matches(document: str, query: str) -> bool:
    """The contract of the module: every query term is among the document's terms."""
    terms = query_terms(query)
    assert terms, f"query {query!r} produced no terms"
    return set(terms) <= set(index_terms(document))


def contains_lookup(document: str, query: str) -> bool:
    """How the directory queries the stored column: ``contains " term "`` per term."""
    stored = search_document(document)
    return all(f" {term} " in stored for term in query_terms(query))


WEB_DEV = ["Webentwicklung", "Web-Entwicklung", "web developers", "web development"]


@pytest.mark.parametrize("document", WEB_DEV)
@pytest.mark.parametrize("query", WEB_DEV)
def test_it_web_development_variants_match_each_other(document: str, query: str) -> None:
    assert matches(document, query)
    assert contains_lookup(document, query)


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("Preisgestaltung", "Preis"),
        ("Preisgestaltung", "pricing"),
        ("pricing", "Preisgestaltung"),
        ("Akquisestrategie", "Akquise"),
        ("Akquisestrategie", "acquisition"),
        ("acquisition strategy", "Akquisestrategie"),
        ("Überwachungssoftware", "Überwachung"),
        ("Überwachungssoftware", "surveillance"),
        ("surveillance software", "Überwachungssoftware"),
        ("tracking pixels", "tracking"),
        ("Tracking-Pixel auf Webseiten", "tracking"),
        ("Wir suchen Hilfe bei der Kostenschätzung", "estimate"),
        ("We need a cost estimate", "Kostenschätzung"),
        ("Vertragsgestaltung für Genossenschaften", "contract"),
        ("contracts for cooperatives", "Genossenschaft"),
        ("Barrierefreiheit nach WCAG", "accessibility"),
        ("Ausschreibung der Stadt Leipzig", "tender"),
        ("public tenders", "Ausschreibung"),
        ("Datenschutz und Sicherheit", "privacy"),
        ("legal form for our collective", "Rechtsform"),
        ("Rechtsform", "legal form"),
        ("Terms and conditions", "AGB"),
    ],
)
def test_it_acceptance_matches(document: str, query: str) -> None:
    assert matches(document, query)
    assert contains_lookup(document, query)


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("Webentwicklung", "Buchhaltung"),
        ("Webentwicklung", "bookkeeping"),
        ("Preisgestaltung", "Akquise"),
        ("tracking pixels", "Rüstung"),
        ("Buchhaltung", "Web"),
        ("Überwachungssoftware", "Buchhaltung"),
    ],
)
def test_it_unrelated_texts_do_not_match(document: str, query: str) -> None:
    assert not matches(document, query)
    assert not contains_lookup(document, query)


def test_it_folding_handles_sharp_s_umlauts_and_accents() -> None:
    assert fold("Maßnahme") == "massnahme"
    assert fold("Überwachung") == fold("Ueberwachung") == "ueberwachung"
    assert fold("Café Éclair") == "cafe eclair"


def test_it_umlaut_and_transliteration_are_equivalent() -> None:
    assert query_terms("Überwachung") == query_terms("Ueberwachung")
    assert matches("Ueberwachung", "Überwachung")
    assert matches("Überwachung", "Ueberwachung")
    assert matches("Straße", "Strasse")


def test_it_stop_words_of_both_languages_are_dropped() -> None:
    assert query_terms("der die das und the and of for with") == []
    terms = set(index_terms("Die Buchhaltung und the bookkeeping"))
    assert not terms & {"die", "und", "the", "and", "der"}
    assert "buchhalt" in terms


def test_it_acronyms_survive_stop_word_filter() -> None:
    # "IT" is an English stop word when lower case, but an acronym in "IT-Beratung".
    assert "it" in query_terms("IT-Beratung")
    assert matches("IT consulting for co-ops", "IT-Beratung")
    assert "it" not in index_terms("it is what it is")


def test_it_all_caps_text_does_not_turn_stop_words_into_acronyms() -> None:
    assert query_terms("WEB UND DESIGN") == query_terms("web und design")


def test_it_hyphenated_words_index_parts_and_joined_form() -> None:
    terms = set(index_terms("Web-Entwicklung"))
    assert {"web", "entwickl", "webentwicklung"} <= terms
    assert matches("E-Mail-Verschlüsselung", "Verschlüsselung")
    assert matches("E-Mail", "email")


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("preisgestaltung", ("preis", "gestaltung")),
        ("akquisestrategie", ("akquise", "strategie")),
        ("webentwicklung", ("web", "entwicklung")),
        ("ueberwachungssoftware", ("ueberwachung", "software")),
        ("vertragsgestaltung", ("vertrag", "gestaltung")),
        ("datenschutzerklaerung", ("datenschutz", "erklaerung")),
        ("webseiten", ("web", "seiten")),
        # the linking "n" is dropped from the part: Kunde + n + Akquise
        ("kundenakquise", ("kunde", "akquise")),
        ("betriebssystem", ("betrieb", "system")),
    ],
)
def test_it_compound_splitting(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    "word",
    ["buchhaltung", "genossenschaft", "entwicklung", "beratung", "planet", "software"],
)
def test_it_non_compounds_are_not_split(word: str) -> None:
    assert split_compound(word) == ()


def test_it_splitting_never_produces_short_parts() -> None:
    words = ["abschiebung", "inhaltsverzeichnis", "anfrage", "umsetzung", "einladung"]
    words += ["aufwandsschaetzung", "betriebssystem", "internetseite", "webserver"]
    for word in words:
        for part in split_compound(word):
            assert len(part) >= 3, (word, part)
            assert part not in {"ab", "in", "an", "um", "ein", "auf"}


def test_it_compound_query_is_replaced_by_parts() -> None:
    assert query_terms("Webentwicklung") == ["web", "entwickl"]
    # the compound itself is indexed too, so exact-compound lookups still work
    assert "webentwicklung" in index_terms("Webentwicklung")


def test_it_inflected_forms_match() -> None:
    assert matches("Entwicklungen von Webseiten", "Webseite")
    assert matches("Preise und Verträge", "Vertrag")
    assert matches("developing websites", "development")
    assert matches("Genossenschaften", "Genossenschaft")


def test_it_both_stemmers_are_indexed() -> None:
    terms = set(index_terms("hosting"))
    assert {"host", "hosting"} <= terms


def test_it_index_terms_keeps_repeats_as_term_frequency() -> None:
    terms = index_terms("Buchhaltung, Buchhaltung, Buchhaltung")
    assert terms.count("buchhalt") == 3
    # a hyphenated word is one occurrence, not one per part plus the joined form
    assert index_terms("Web-Entwicklung").count("web") == 1
    assert index_terms("Web-Entwicklung und Webentwicklung").count("entwickl") == 2


def test_it_query_terms_are_deduplicated_and_deterministic() -> None:
    query = "Web Web-Entwicklung Webentwicklung Entwicklung"
    assert query_terms(query) == ["web", "entwickl"]
    assert query_terms(query) == query_terms(query)


def test_it_search_document_is_space_padded_sorted_and_unique() -> None:
    doc = search_document("Webentwicklung", "web development")
    assert doc.startswith(" ") and doc.endswith(" ")
    terms = doc.strip().split(" ")
    assert terms == sorted(set(terms))
    assert " web " in doc and " entwickl " in doc
    assert search_document() == "  "
    assert search_document("und the") == "  "


def test_it_guess_language() -> None:
    assert guess_language("Wir suchen Unterstützung bei der Preisgestaltung") == "de"
    assert guess_language("We are looking for help with pricing") == "en"
    assert guess_language("xyz") is None


def test_it_query_word_language_follows_the_text() -> None:
    # "Methoden" alone has an English-looking "th"; in German text it stems German.
    assert query_terms("Wir suchen neue Methoden")[-1] == "method"


def test_it_numbers_and_unicode_are_tokenised() -> None:
    terms = set(index_terms("WCAG 2.1 Audit 2024 für Łódź"))
    assert {"wcag", "2024", "lodz"} <= terms
    assert "2" not in terms


def test_it_analysis_is_fast_with_warm_caches() -> None:
    sample = (
        "Wir suchen Unterstützung bei Preisgestaltung Akquise und Webentwicklung für "
        "unsere Genossenschaft in Leipzig. We offer consulting on contracts, pricing, "
        "accessibility, hosting, privacy and tracking pixels for cooperatives."
    )
    pool = sample.split()
    rng = random.Random(7)
    texts = [" ".join(rng.choice(pool) for _ in range(100)) for _ in range(200)]
    for text in texts:  # warm the per-word caches, as a long-running process would
        index_terms(text)
        query_terms(text)
    start = time.perf_counter()
    for text in texts:
        index_terms(text)
    per_text = (time.perf_counter() - start) / len(texts)
    assert per_text < 1e-3, f"{per_text * 1e3:.3f} ms per 100-word text"


def test_it_splits_a_long_real_compound_but_leaves_overlong_tokens_whole() -> None:
    # A real compound is still split; a token longer than any German word is not
    # split at all, since splitting costs time with the square of its length.
    assert split_compound(fold("Datenschutzberatungsunternehmen")) == (
        "datenschutz",
        "beratung",
        "unternehmen",
    )
    assert split_compound("ueberwachung" * 10) == ()


@pytest.mark.parametrize("length", [1_000, 20_000, 200_000])
def test_it_analyses_a_single_huge_word_in_linear_work(length: int) -> None:
    # Splitting used to try every substring of a word: a 10,000-letter "word" in a contact note
    # or a network file held the request for over a minute. The work per letter must stay flat,
    # so a 200-fold longer word costs far less than 200² times as much.
    word = "webentwicklung" * (length // 14)
    started = time.perf_counter()
    document = search_document(word, "Webentwicklung")
    elapsed = time.perf_counter() - started
    assert " webentwickl " in document or " web " in document
    assert elapsed < 30
