"""Duplicate detection: exact keys by dictionary, fuzzy names only within blocks."""

from __future__ import annotations

import time
from typing import Any

from rapidfuzz import fuzz

from klinke.contacts import duplicates
from klinke.contacts.duplicates import Candidate, DuplicateIndex, Incoming

BOOK = [
    Candidate(
        1,
        "Anna Müller",
        "Mieterverein Leipzig e.V.",
        ["anna@mieterverein.example"],
        ["+493419876543"],
    ),
    Candidate(2, "Ben Okafor", "Kulturzentrum Werk 2", ["ben@werk2.example"], []),
    Candidate(3, "Carla Schmidt", "", [], ["+49301234567"]),
    Candidate(4, "Anna Müller", "Backkollektiv Sauerteig eG", [], []),
]


def find(**incoming: Any) -> list[duplicates.DuplicateCandidate]:
    return DuplicateIndex.build(BOOK).find(Incoming(**incoming))


def test_it_finds_the_same_email_regardless_of_case():
    (match,) = find(name="Someone Else", emails=["ANNA@Mieterverein.example"])
    assert (match.key, match.reason, match.score) == (1, "email", 100.0)


def test_it_finds_the_same_phone_in_e164():
    (match,) = find(name="C. S.", phones=["+49301234567"])
    assert (match.key, match.reason) == (3, "phone")


def test_it_finds_similar_names_at_similar_organisations():
    # Umlauts spelled out, the family name first, a legal form missing: still the same person.
    (match,) = find(name="Mueller, Anna", organisation="Mieterverein Leipzig")
    assert (match.key, match.reason) == (1, "name")
    assert match.score >= duplicates.NAME_THRESHOLD
    # A typo in the name still matches.
    assert [m.key for m in find(name="Ana Müller", organisation="Mieterverein Leipzig e.V.")] == [1]


def test_it_keeps_people_of_the_same_name_at_different_organisations_apart():
    keys = [m.key for m in find(name="Anna Müller", organisation="Stadtwerke Leipzig")]
    assert keys == []
    assert [m.key for m in find(name="Anna Müller", organisation="Backkollektiv Sauerteig")] == [4]


def test_it_treats_two_missing_organisations_as_the_same_but_one_missing_as_different():
    assert [m.key for m in find(name="Carla Schmid")] == [3]
    assert [m.key for m in find(name="Ben Okafor")] == []


def test_it_orders_exact_matches_before_fuzzy_ones_and_reports_each_contact_once():
    matches = find(
        name="Anna Müller",
        organisation="Backkollektiv Sauerteig",
        emails=["anna@mieterverein.example"],
        phones=["+493419876543"],
    )
    assert [(m.key, m.reason) for m in matches] == [(1, "email"), (4, "name")]
    assert duplicates.is_exact(matches)
    assert not duplicates.is_exact(matches[1:])


def test_it_compares_only_within_blocks_not_every_pair(monkeypatch):
    calls = 0
    real = fuzz.token_sort_ratio

    def counting(*args: Any, **kwargs: Any) -> float:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(fuzz, "token_sort_ratio", counting)
    book = [Candidate(i, f"Person{i} Family{i}", f"Org{i % 500}") for i in range(20_000)]
    index = DuplicateIndex.build(book)
    started = time.perf_counter()
    for i in range(2_000):
        index.find(Incoming(name=f"Person{i} Family{i}", organisation=f"Org{i % 500}"))
    elapsed = time.perf_counter() - started
    # 2,000 x 20,000 pairs would be 40 million comparisons; blocking needs about one each.
    assert calls <= 2 * 2_000 * 2
    assert elapsed < 5
