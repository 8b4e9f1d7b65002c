"""Finding contacts that are already there: by email, by phone in E.164, by name and organisation.

Pure Python: plain candidates in, matches out. Exact keys go through dictionaries; the fuzzy
comparison (rapidfuzz's token_sort_ratio) only runs inside small blocks of candidates that
share a folded name token and the start of the organisation's name, so checking 100,000
incoming records against 100,000 contacts takes seconds, not hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from klinke.contacts.parsers import fold_text

NAME_THRESHOLD = 90
ORGANISATION_THRESHOLD = 80
# Words that say little about which organisation it is.
ORGANISATION_NOISE = {
    "der", "die", "das", "the", "and", "und", "e", "v", "ev", "eg", "gmbh", "ggmbh", "ug", "ag",
    "kg", "gbr", "mbh", "ltd", "inc", "co", "stadt", "verein",
}  # fmt: skip
NAME_NOISE = {"mr", "mrs", "ms", "dr", "prof", "herr", "frau", "jr", "sr", "von", "van", "de"}


class Reason:
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


@dataclass
class Candidate:
    """An existing contact (or an earlier record of the same file), reduced to what matters."""

    key: int | str
    """A contact's primary key, or "line:<n>" for an earlier record in the same file."""
    name: str
    organisation: str = ""
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    """Numbers in E.164."""


@dataclass
class Match:
    key: int | str
    reason: str
    score: float
    detail: str = ""


@dataclass
class Incoming:
    name: str
    organisation: str = ""
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()


@dataclass
class _Folded:
    key: int | str
    name: str
    organisation: str


def _name_tokens(folded_name: str) -> list[str]:
    return [t for t in folded_name.split() if len(t) > 1 and t not in NAME_NOISE]


def _organisation_key(folded_organisation: str) -> str:
    for token in folded_organisation.split():
        if token not in ORGANISATION_NOISE and len(token) > 1:
            return token[:4]
    return folded_organisation[:4]


def _clean_name(folded_name: str) -> str:
    return " ".join(_name_tokens(folded_name))


@dataclass
class DuplicateIndex:
    """Index of known contacts; `find` returns likely duplicates of an incoming record."""

    by_email: dict[str, list[int | str]] = field(default_factory=lambda: defaultdict(list))
    by_phone: dict[str, list[int | str]] = field(default_factory=lambda: defaultdict(list))
    by_block: dict[tuple[str, str], list[_Folded]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def build(cls, candidates: Iterable[Candidate]) -> DuplicateIndex:
        index = cls()
        for candidate in candidates:
            index.add(candidate)
        return index

    def add(self, candidate: Candidate) -> None:
        for email in candidate.emails:
            self.by_email[email.lower()].append(candidate.key)
        for phone in candidate.phones:
            if phone:
                self.by_phone[phone].append(candidate.key)
        folded_name = _clean_name(fold_text(candidate.name))
        if not folded_name:
            return
        folded_organisation = fold_text(candidate.organisation)
        entry = _Folded(candidate.key, folded_name, folded_organisation)
        organisation_key = _organisation_key(folded_organisation)
        for token in set(folded_name.split()):
            self.by_block[(token, organisation_key)].append(entry)

    def find(self, incoming: Incoming) -> list[Match]:
        """Matches, best reason first: same email, same phone, then similar name at a similar
        organisation (both without an organisation counts as similar)."""
        matches: dict[int | str, Match] = {}
        for email in incoming.emails:
            for key in self.by_email.get(email.lower(), ()):
                matches.setdefault(key, Match(key, Reason.EMAIL, 100.0, email.lower()))
        for phone in incoming.phones:
            for key in self.by_phone.get(phone, ()) if phone else ():
                matches.setdefault(key, Match(key, Reason.PHONE, 100.0, phone))
        folded_name = _clean_name(fold_text(incoming.name))
        if folded_name:
            folded_organisation = fold_text(incoming.organisation)
            organisation_key = _organisation_key(folded_organisation)
            seen: set[int | str] = set(matches)
            for token in set(folded_name.split()):
                for entry in self.by_block.get((token, organisation_key), ()):
                    if entry.key in seen:
                        continue
                    seen.add(entry.key)
                    name_score = fuzz.token_sort_ratio(
                        folded_name, entry.name, score_cutoff=NAME_THRESHOLD
                    )
                    if not name_score:
                        continue
                    if folded_organisation or entry.organisation:
                        organisation_score = fuzz.token_sort_ratio(
                            folded_organisation,
                            entry.organisation,
                            score_cutoff=ORGANISATION_THRESHOLD,
                        )
                        if not organisation_score:
                            continue
                    matches[entry.key] = Match(entry.key, Reason.NAME, round(name_score, 1))
        order = {Reason.EMAIL: 0, Reason.PHONE: 1, Reason.NAME: 2}
        return sorted(matches.values(), key=lambda m: (order[m.reason], -m.score, str(m.key)))


def is_exact(matches: Sequence[Match]) -> bool:
    return any(m.reason in (Reason.EMAIL, Reason.PHONE) for m in matches)
