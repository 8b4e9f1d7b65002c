"""Document sets as Python integers, and bit-sliced integer sums over them.

Why: selecting candidates out of 100k documents touches every posting of every
common query term. Done per posting in Python that costs tens of milliseconds; done
with integers used as bitsets (bit ``i`` = document ``i``) the work runs in C, 64
documents per machine word. A *bit-sliced* sum keeps one such integer per binary
digit of a per-document counter, so adding "weight w to every document in set B" is
a handful of big-integer AND/XOR operations, and the documents with the largest sums
can be found without looking at documents one by one (O'Neil & Quass's bit-sliced
index top-k).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

_NONZERO: Final = re.compile(rb"[^\x00]+")


def from_ids(ids: Iterable[int], size: int) -> int:
    """Bitset with the bits of ``ids`` set; ``size`` is the number of documents."""
    buf = bytearray((size + 7) >> 3)
    for i in ids:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def to_ids(bits: int, limit: int | None = None) -> list[int]:
    """Set bits in ascending order, at most ``limit`` of them."""
    if bits <= 0:
        return []
    data = bits.to_bytes((bits.bit_length() + 7) >> 3, "little")
    out: list[int] = []
    for run in _NONZERO.finditer(data):
        base = run.start()
        for offset, byte in enumerate(run.group()):
            while byte:
                low = byte & -byte
                out.append(((base + offset) << 3) + low.bit_length() - 1)
                if limit is not None and len(out) >= limit:
                    return out
                byte ^= low
    return out


class BitSlicedSum:
    """Per-document non-negative integer sums, stored as one bitset per binary digit."""

    __slots__ = ("slices",)

    def __init__(self, digits: int) -> None:
        self.slices: list[int] = [0] * max(1, digits)

    def add(self, bits: int, weight: int) -> None:
        """Add ``weight`` to the sum of every document in ``bits``."""
        slices = self.slices
        digit = 0
        while weight:
            if weight & 1:
                carry = bits
                j = digit
                while carry:  # ripple-carry addition, all documents at once
                    while j >= len(slices):
                        slices.append(0)
                    s = slices[j]
                    slices[j] = s ^ carry
                    carry = s & carry
                    j += 1
            weight >>= 1
            digit += 1

    def nonzero(self) -> int:
        """Documents whose sum is positive."""
        result = 0
        for s in self.slices:
            result |= s
        return result

    def value(self, doc: int) -> int:
        """One document's sum (for tests and debugging; slow for large sets)."""
        return sum(((s >> doc) & 1) << k for k, s in enumerate(self.slices))

    def top(self, k: int, within: int | None = None) -> int:
        """The ``k`` documents with the largest positive sums (ties: lowest ids).

        Only documents in ``within`` are considered, if given. Walks the digits from
        the most significant down, keeping the documents that are certainly in
        (``sure``) and those still tied (``tied``).
        """
        if k <= 0:
            return 0
        sure = 0
        tied = self.nonzero()
        if within is not None:
            tied &= within
        if tied.bit_count() <= k:
            return tied
        for s in reversed(self.slices):
            candidate = sure | (tied & s)
            n = candidate.bit_count()
            if n > k:
                tied &= s
            elif n < k:
                sure = candidate
                tied &= ~s
            else:
                return candidate
        # the rest are tied on every digit: fill up with the lowest ids, i.e. by ref
        missing = k - sure.bit_count()
        return sure | from_ids(to_ids(tied, missing), tied.bit_length())
