"""Tests for the topic tree and reason texts."""

from __future__ import annotations

from klinke.matching.documents import Label, Region, Topic, TopicTree
from klinke.matching.reasons import Reason

TREE = TopicTree.from_parents(
    {"tech": None, "web": "tech", "wordpress": "web", "django": "web", "hosting": "tech"},
    {"web": ("web development", "Webentwicklung")},
)


def test_it_related_topics_by_hierarchy() -> None:
    related = TREE.related("wordpress", parent_step=0.6, sibling=0.3)
    assert related["wordpress"] == 1.0
    assert related["web"] == 0.6
    assert related["tech"] == 0.6**2
    assert related["django"] == 0.3
    assert "hosting" not in related
    down = TREE.related("tech", parent_step=0.6, sibling=0.3)
    assert down["wordpress"] == 0.6**2


def test_it_unknown_slugs_and_labels() -> None:
    assert TREE.related("unknown", 0.6, 0.3) == {"unknown": 1.0}
    assert TREE.label("web") == Label("web development", "Webentwicklung")
    assert TREE.label("hosting").get("de") == "hosting"
    assert TREE.label("nope") == Label.plain("nope")


def test_it_cycles_in_bad_data_terminate() -> None:
    tree = TopicTree.from_topics([Topic("a", "A", "A", "b"), Topic("b", "B", "B", "a")])
    assert tree.ancestors("a") == ["b"]
    assert set(tree.related("a", 0.5, 0.2)) == {"a", "b"}


def test_it_region_coordinates() -> None:
    assert Region(lat=1.0, lon=2.0).has_coordinates
    assert not Region(lat=1.0).has_coordinates


def test_it_reason_numbers_use_a_decimal_comma_in_german() -> None:
    reason = Reason("availability", 0.1, hours=2.5)
    assert reason.text("en") == "Has 2.5 hours a month free"
    assert reason.text("de") == "Hat 2,5 Stunden im Monat frei"
    near = Reason("region", 0.1, place="Leipzig", distance_km=0.4)
    assert near.text("en") == "Also based in Leipzig"
    assert Reason("region", 0.1, country="AT").text("de") == "Sitzt auch in Österreich"
    assert Reason("language", 0.1, labels=(Label("German", "Deutsch"),)).text("fr") == (
        "Speaks German"
    )
