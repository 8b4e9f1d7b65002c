"""The Common Procurement Vocabulary: labels in German and English, the tree, a search.

Pure Python, no ORM. The 9,454 codes ship in ``reference/cpv_de_en.csv`` (see its README for
the source and licence) and are read once, on first use, into module-level maps. The hierarchy
follows from the trailing zeros of a code: ``72230000`` lies under ``72200000``, which lies
under ``72000000`` (a division, a root of the tree).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from klinke.matching.analysis import fold, query_terms
from klinke.matching.documents import Topic, TopicTree

CSV_PATH: Final = Path(__file__).resolve().parent / "reference" / "cpv_de_en.csv"
CODE_LENGTH: Final = 8
DIVISION_DIGITS: Final = 2
_PREFIX: Final = re.compile(r"^\d{2,8}$")
SHORT_TERM: Final = 3


@dataclass(frozen=True, slots=True)
class CpvCode:
    code: str
    en: str
    de: str

    def label(self, lang: str) -> str:
        return self.de if lang.startswith("de") else self.en


@cache
def codes() -> dict[str, CpvCode]:
    """Every CPV code by its 8 digits, in the order of the file."""
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: CpvCode(row["code"], row["en"], row["de"])
            for row in csv.DictReader(handle)
        }


def significant(code: str) -> str:
    """The code without its trailing zeros, but at least the two digits of the division."""
    stripped = code.rstrip("0")
    return stripped if len(stripped) >= DIVISION_DIGITS else code[:DIVISION_DIGITS]


def pad(prefix: str) -> str:
    """A prefix as a full code: "722" → "72200000"."""
    return prefix[:CODE_LENGTH].ljust(CODE_LENGTH, "0")


def normalise(value: str) -> str | None:
    """A code or prefix as typed ("72230000-7", "722", "72 2") → its 2–8 significant digits.

    None when it is not a CPV code or prefix at all.
    """
    digits = re.sub(r"[\s.]", "", value).split("-", 1)[0]
    if not _PREFIX.match(digits):
        return None
    return significant(pad(digits))


def parent(code: str) -> str | None:
    """The nearest known ancestor of a code (None for a division)."""
    known = codes()
    digits = significant(code)
    while len(digits) > DIVISION_DIGITS:
        digits = digits[:-1]
        candidate = pad(digits)
        if candidate in known and candidate != code:
            return candidate
    return None


def label(code: str, lang: str) -> str:
    found = codes().get(pad(code))
    return found.label(lang) if found else ""


@cache
def tree() -> TopicTree:
    """The CPV hierarchy as a topic tree of the matching engine (slugs are the 8 digits)."""
    return TopicTree.from_topics(
        Topic(
            slug=c.code,
            name_en=f"{c.code} {c.en}",
            name_de=f"{c.code} {c.de}",
            parent=parent(c.code),
        )
        for c in codes().values()
    )


def covers(prefix: str, code: str) -> bool:
    """Whether a profile's code or prefix covers a tender's code."""
    return code.startswith(significant(pad(prefix)))


@cache
def _label_texts() -> dict[str, str]:
    """Both labels of each code, folded like the search (case, umlauts, ß)."""
    return {c.code: fold(f"{c.en} {c.de}") for c in codes().values()}


def _finds(term: str, text: str) -> bool:
    """A stem of three letters or more anywhere (compounds); shorter ones as whole words."""
    if len(term) >= SHORT_TERM:
        return term in text
    return re.search(rf"\b{re.escape(term)}\b", text) is not None


def search(query: str, *, limit: int = 20) -> list[CpvCode]:
    """Codes whose code starts with the query's digits, or whose labels hold all its words.

    Broader codes come first, so "Software" shows the division before its many leaves.
    """
    text = query.strip()
    if not text:
        return []
    known = codes()
    digits = re.sub(r"\s", "", text)
    if digits.isdigit():
        found = [c for code, c in known.items() if code.startswith(digits)]
    else:
        # The query's Snowball stems, found inside the folded labels: "Webentwicklung" gives
        # "web" and "entwickl", which "Entwicklung von Webserversoftware" holds. Stemming
        # every label instead would cost seconds on first use.
        terms = set(query_terms(text))
        if not terms:
            return []
        found = [
            known[code]
            for code, label_text in _label_texts().items()
            if all(_finds(term, label_text) for term in terms)
        ]
    found.sort(key=lambda c: (len(significant(c.code)), c.code))
    return found[:limit]


def for_words(*texts: str, per_text: int = 3) -> list[str]:
    """The broadest CPV codes whose labels hold all the words of each text (topic → CPV)."""
    chosen: list[str] = []
    for text in texts:
        for found in search(text, limit=per_text):
            if found.code not in chosen:
                chosen.append(found.code)
    return chosen
