"""Red-line screening in German and English: stems, compounds, sectors, organisations, spans."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klinke.screening import SECTORS, Hit, Keyword, RedLineRule, screen, sector_choices
from klinke.screening.screener import _typo_span, snippet

SURVEILLANCE = RedLineRule("1", "Keine Überwachung", sectors=("surveillance",))
ADTECH = RedLineRule("2", "No ad tracking", sectors=("adtech",))
MILITARY = RedLineRule("3", "Kein Militär", sectors=("military",))


def kinds(hits: list[Hit]) -> list[tuple[str, str, str]]:
    return [(h.kind, h.criterion, h.matched) for h in hits]


def test_it_finds_a_german_keyword_inside_a_compound():
    red_line = RedLineRule("k", "Überwachung", keywords=(Keyword("Überwachung", "de"),))
    hits = screen({"title": "Wir suchen Hilfe bei Überwachungssoftware"}, [red_line])
    assert kinds(hits) == [("keyword", "Überwachung", "Überwachungssoftware")]
    assert (hits[0].start, hits[0].end) == (21, 41)
    assert hits[0].field == "title"


def test_it_finds_inflected_and_verb_forms_by_stem():
    red_line = RedLineRule("k", "Überwachung", keywords=(Keyword("Überwachung", "de"),))
    hits = screen({"description": "Ein System, das Mitarbeitende überwachen soll."}, [red_line])
    assert kinds(hits) == [("keyword", "Überwachung", "überwachen")]


def test_it_does_not_confuse_ueberweisung_with_ueberwachung():
    red_line = RedLineRule(
        "k", "Überwachung", sectors=("surveillance",), keywords=(Keyword("Überwachung"),)
    )
    text = "Überweisungen und Überweisungsvorlagen für die Vereinskasse"
    assert screen({"description": text}, [red_line]) == []


def test_it_finds_an_english_keyword_in_a_longer_phrase():
    red_line = RedLineRule("k", "Tracking", keywords=(Keyword("tracking", "en"),))
    hits = screen({"description": "A shop with tracking pixels on every page."}, [red_line])
    assert kinds(hits) == [("keyword", "tracking", "tracking")]


def test_it_finds_multi_word_keywords_across_hyphens_and_plurals():
    assert kinds(screen({"t": "We need tracking pixels"}, [ADTECH])) == [
        ("sector", "adtech", "tracking pixels")
    ]
    assert kinds(screen({"t": "Einbau von Tracking-Pixeln"}, [ADTECH])) == [
        ("sector", "adtech", "Tracking-Pixeln")
    ]


def test_it_requires_multi_word_keywords_within_one_sentence():
    red_line = RedLineRule("k", "Ads", keywords=(Keyword("ad network", "en"),))
    assert screen({"t": "We build an ad. Network engineers welcome."}, [red_line]) == []
    assert len(screen({"t": "We build an ad network."}, [red_line])) == 1


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Videoanalyse-Plattform für Ordnungsamt", "Videoanalyse-Plattform"),
        ("Gesichtserkennung am Bahnhof", "Gesichtserkennung"),
        ("Software für die Bundespolizei", "Bundespolizei"),
        ("Dashboard for predictive policing", "predictive policing"),
        ("Facial recognition for shopping malls", "Facial recognition"),
        ("Ausbau der Videoüberwachung in der Innenstadt", "Videoüberwachung"),
    ],
)
def test_it_flags_the_surveillance_sector_in_both_languages(text, matched):
    hits = screen({"title": text}, [SURVEILLANCE])
    assert hits, text
    assert hits[0].kind == "sector" and hits[0].criterion == "surveillance"
    assert hits[0].matched == matched


def test_it_shows_every_piece_of_evidence_with_its_field():
    hits = screen(
        {"title": "Videoanalyse-Plattform", "client": "Ordnungsamt Leipzig"}, [SURVEILLANCE]
    )
    assert [(h.field, h.keyword, h.matched) for h in hits] == [
        ("title", "Videoanalyse", "Videoanalyse-Plattform"),
        ("client", "Ordnungsamt", "Ordnungsamt"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Server-Überwachung mit Prometheus und Alertmanager",
        "Überwachung der Server und tägliche Backups",
        "Verfügbarkeitsüberwachung für die Vereinswebsite",
    ],
)
def test_it_lets_server_monitoring_pass_the_surveillance_sector(text):
    assert screen({"description": text}, [SURVEILLANCE]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Time tracking app for our team",
        "Issue tracking with GitLab",
        "Backtracking-Algorithmus für den Stundenplan",
    ],
)
def test_it_lets_harmless_tracking_pass_the_adtech_sector(text):
    assert screen({"description": text}, [ADTECH]) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Webshop für einen Waffenhändler", True),
        ("Intranet for an arms manufacturer", True),
        ("Militärische Logistiksoftware", True),
        ("Café-Website mit Waffeleisen-Rezepten", False),
        ("Kampagne für einen Waffenstillstand", False),
        ("Plattform für arme Familien", False),
    ],
)
def test_it_flags_the_military_sector_without_waffles(text, flagged):
    assert bool(screen({"description": text}, [MILITARY])) is flagged


def test_it_finds_organisations_fuzzily_and_case_insensitively():
    red_line = RedLineRule("o", "Named", organisations=("Palantir Technologies",))
    hits = screen({"client": "Anfrage der PALANTIR Technologie GmbH"}, [red_line])
    assert len(hits) == 1
    assert hits[0].kind == "organisation"
    assert hits[0].matched == "PALANTIR Technologie"
    assert 90 <= hits[0].score < 100


def test_it_folds_umlauts_when_matching_organisations():
    red_line = RedLineRule("o", "Named", organisations=("Rüstungswerke Süd AG",))
    hits = screen({"client": "Ruestungswerke Sued AG, Einkauf"}, [red_line])
    assert [h.matched for h in hits] == ["Ruestungswerke Sued AG"]


def test_it_needs_short_organisation_names_as_whole_words():
    red_line = RedLineRule("o", "Named", organisations=("BND",))
    assert [h.matched for h in screen({"client": "Auftrag vom BND"}, [red_line])] == ["BND"]
    assert screen({"client": "Der Bundesverband ist ein Verbund"}, [red_line]) == []


def test_it_does_not_find_an_organisation_in_a_short_unrelated_text():
    red_line = RedLineRule("o", "Named", organisations=("Bundeswehr Beschaffungsamt",))
    assert screen({"client": "Bund"}, [red_line]) == []
    assert screen({"client": "Stadtwerke Leipzig, Abteilung Bund"}, [red_line]) == []


def test_it_names_the_red_line_and_explains_in_both_languages():
    hits = screen({"title": "Gesichtserkennung"}, [SURVEILLANCE])
    assert hits[0].red_line == "1"
    assert hits[0].text("de") == (
        "Keine Überwachung: Branche „Überwachungs- und Polizeitechnik“ – "
        "„Gesichtserkennung“ in title"
    )
    assert "surveillance and policing technology" in hits[0].text("en")


def test_it_survives_a_round_trip_through_json_shapes():
    hit = screen({"title": "Gesichtserkennung"}, [SURVEILLANCE])[0]
    assert Hit.from_dict(hit.as_dict()) == hit


def test_it_keys_evidence_independently_of_its_position():
    first = screen({"title": "Gesichtserkennung"}, [SURVEILLANCE])[0]
    moved = screen({"title": "Neu: Gesichtserkennung"}, [SURVEILLANCE])[0]
    assert first.start != moved.start
    assert first.key() == moved.key()


def test_it_cuts_a_snippet_around_the_evidence():
    text = "Wir sind ein kleines Kollektiv und sollen eine Videoanalyse bauen, die sehr groß wird."
    hit = screen({"d": text}, [SURVEILLANCE])[0]
    before, match, after = snippet(text, hit, width=20)
    assert match == "Videoanalyse"
    assert before.startswith("…") and after.endswith("…")


def test_it_ignores_empty_fields_and_unknown_sectors():
    red_line = RedLineRule("x", "Old", sectors=("retired-sector",))
    assert screen({"title": "", "description": "   "}, [SURVEILLANCE]) == []
    assert screen({"title": "Gesichtserkennung"}, [red_line]) == []


def test_it_labels_every_sector_and_lists_keywords_in_both_languages():
    for sector in SECTORS.values():
        assert sector.label.en and sector.label.de
        languages = {k.language for k in sector.keywords}
        assert languages == {"de", "en"}, sector.code
    assert dict(sector_choices("de"))["gambling"] == "Glücksspiel"


def test_it_finds_every_sectors_own_keywords():
    for sector in SECTORS.values():
        red_line = RedLineRule("s", "s", sectors=(sector.code,))
        for keyword in sector.keywords:
            hits = screen({"t": keyword.text}, [red_line])
            assert hits, (sector.code, keyword.text)


ARMS = RedLineRule("r", "Keine Rüstung", organisations=("Rheinmetall AG", "Hensoldt AG"))


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Rheinmetal Electronics GmbH", "Rheinmetal ≈ Rheinmetall"),  # a letter dropped
        ("Anfrage der Rheinmetalll Digital GmbH", "Rheinmetalll ≈ Rheinmetall"),  # added
        ("Rheinmetsll Waffe Munition", "Rheinmetsll ≈ Rheinmetall"),  # changed
        # A close spelling of the whole name shows the whole name.
        ("Rheinmetsll AG, Düsseldorf", "Rheinmetsll AG ≈ Rheinmetall AG"),
        ("Sensorik von HENSOLD", "HENSOLD ≈ Hensoldt"),
    ],
)
def test_it_finds_an_organisation_name_with_one_typo(text, evidence):
    hits = screen({"client": text}, [ARMS])

    assert [hit.evidence for hit in hits] == [evidence]
    assert hits[0].kind == "organisation"
    assert hits[0].score < 100
    assert evidence in hits[0].text("de")
    assert evidence in hits[0].text("en")


@pytest.mark.parametrize(
    ("organisation", "text"),
    [
        ("Thales", "tables and chairs for the office"),  # six letters: exact spelling only
        ("Airbus SE", "Airbag repairs"),
        ("Rheinmetall AG", "Rheinmetropole Köln"),  # more than one letter apart
        ("Rheinmetall AG", "Rhein Metall Werkstatt"),  # the core must be one word as listed
        ("Deutsche Bahn AG", "Deutsche Bühne"),  # the typo must be in a long word
    ],
)
def test_it_does_not_take_other_words_for_a_name_with_a_typo(organisation, text):
    red_line = RedLineRule("o", "Named", organisations=(organisation,))
    assert screen({"client": text}, [red_line]) == []


def test_it_shows_an_exactly_spelled_name_without_a_resemblance():
    red_line = RedLineRule("o", "Named", organisations=("Rheinmetall",))
    hits = screen({"client": "Rheinmetall Digital GmbH"}, [red_line])
    assert [hit.evidence for hit in hits] == ["Rheinmetall"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(max_size=30), max_size=3),
    st.lists(st.tuples(st.text(max_size=20), st.sampled_from([None, "de", "en"])), max_size=3),
    st.dictionaries(st.sampled_from(["title", "client"]), st.text(max_size=200), max_size=2),
)
def test_it_screens_any_text_against_any_listed_names_and_words(
    organisations: list[str], keywords: list[tuple[str, Any]], fields: dict[str, str]
) -> None:
    """A collective writes its red lines' names and words itself: whatever they hold (no
    letters at all, punctuation, spaces, other scripts), screening answers, and every hit
    points into the text it names."""
    red_line = RedLineRule(
        "x",
        "Any",
        sectors=("surveillance",),
        keywords=tuple(Keyword(text, language) for text, language in keywords),
        organisations=tuple(organisations),
    )
    for hit in screen(fields, [red_line]):
        assert 0 <= hit.start < hit.end <= len(fields[hit.field])


@pytest.mark.parametrize("name", ["--", "§ §", "   ", "…!"])
def test_it_finds_no_misspelt_name_in_a_name_of_no_words(name: str) -> None:
    assert _typo_span(name, "Auftrag der Bundeswehr, Beschaffungsamt") is None
    red_line = RedLineRule("o", "Named", organisations=(name,))
    assert screen({"client": "Auftrag der Bundeswehr, Beschaffungsamt"}, [red_line]) == []
