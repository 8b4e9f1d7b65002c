"""Tests for klinke.matching.bitsets against brute force."""

from __future__ import annotations

import random

import pytest

from klinke.matching.bitsets import BitSlicedSum, from_ids, to_ids


def test_it_ids_round_trip() -> None:
    ids = [0, 1, 7, 8, 9, 63, 64, 1000, 4095]
    bits = from_ids(ids, 5000)
    assert bits.bit_count() == len(ids)
    assert to_ids(bits) == ids
    assert to_ids(bits, limit=3) == [0, 1, 7]
    assert to_ids(0) == []
    assert from_ids([], 10) == 0


@pytest.mark.parametrize("seed", range(5))
def test_it_bit_sliced_sums_and_top_k_match_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    n = 500
    sums = BitSlicedSum(4)  # too few digits on purpose: it must grow
    expected = [0] * n
    for _ in range(12):
        ids = rng.sample(range(n), rng.randint(0, 200))
        weight = rng.randint(1, 40)
        sums.add(from_ids(ids, n), weight)
        for i in ids:
            expected[i] += weight
    assert [sums.value(i) for i in range(n)] == expected
    assert to_ids(sums.nonzero()) == [i for i in range(n) if expected[i]]
    within = from_ids(rng.sample(range(n), 300), n)
    allowed = set(to_ids(within))
    for k in (1, 10, 37, 1000):
        best = sorted(
            (i for i in range(n) if expected[i] and i in allowed), key=lambda i: (-expected[i], i)
        )[:k]
        assert to_ids(sums.top(k, within=within)) == sorted(best)


def test_it_top_breaks_ties_by_lowest_id() -> None:
    sums = BitSlicedSum(2)
    sums.add(from_ids(range(10), 10), 3)
    assert to_ids(sums.top(4)) == [0, 1, 2, 3]
    assert sums.top(0) == 0
