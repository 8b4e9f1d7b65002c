"""Screening hits as evidence: the one builder behind the lead page and the tender inbox."""

from __future__ import annotations

from klinke.screening import Keyword, RedLineRule, screen
from klinke.screening.evidence import Evidence, build_evidence

MILITARY = RedLineRule("3", "Kein Militär", sectors=("military",))
SURVEILLANCE = RedLineRule("k", "Überwachung", keywords=(Keyword("Überwachung", "de"),))


def test_it_shows_each_hit_in_its_text_with_the_words_around_it():
    texts = {
        "title": "Webportal",
        "description": "Wir suchen Hilfe bei Überwachungssoftware für unsere Kunden im Land.",
    }
    hits = screen(texts, [SURVEILLANCE])

    [item] = build_evidence(hits, texts, "de")

    assert item == Evidence(
        hit=hits[0],
        criterion="Überwachung",
        field="description",
        before="Wir suchen Hilfe bei ",
        match="Überwachungssoftware",
        after=" für unsere Kunden im Land.",
    )


def test_it_cuts_a_long_text_at_word_boundaries():
    text = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do " * 2
    text += "Überwachungssoftware " + "und noch viel mehr Text danach, der nicht gezeigt wird " * 2
    hits = screen({"description": text}, [SURVEILLANCE])

    [item] = build_evidence(hits, {"description": text}, "en")

    assert item.before.startswith("…")
    assert item.after.endswith("…")
    assert item.match == "Überwachungssoftware"
    assert len(item.before) <= 42


def test_it_names_a_hit_sector_in_the_page_language():
    texts = {"title": "Software für die Rüstungsindustrie"}
    hits = screen(texts, [MILITARY])
    assert hits

    german = build_evidence(hits, texts, "de")[0].criterion
    english = build_evidence(hits, texts, "en")[0].criterion

    assert german != english
    assert hits[0].criterion not in (german, english)


def test_it_shows_the_match_alone_when_the_text_changed():
    hits = screen({"title": "Überwachung der Kundschaft"}, [SURVEILLANCE])

    [item] = build_evidence(hits, {"title": "Ein ganz anderer Titel"}, "de")

    assert (item.before, item.match, item.after) == ("", hits[0].matched, "")


def test_it_names_fields_for_people_where_a_label_is_given():
    texts = {"title": "Überwachung", "client": "Überwachung GmbH"}
    hits = screen(texts, [SURVEILLANCE])

    fields = [item.field for item in build_evidence(hits, texts, "en", {"title": "Titel"})]

    assert sorted(fields) == ["Titel", "client"]


def test_it_builds_no_evidence_without_hits():
    assert build_evidence([], {"title": "anything"}, "de") == []
