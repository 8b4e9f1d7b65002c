"""Finding contacts that are already there: by email, by phone in E.164, by name and organisation.

Pure Python: plain candidates in, matches out. Exact keys go through dictionaries; the fuzzy
comparison (rapidfuzz's ratio on sorted name tokens, i.e. token_sort_ratio) only runs inside
small blocks of candidates that share a folded name token, the initial of another name token
and the start of the organisation's name, so checking 100,000 incoming records against
100,000 contacts takes seconds, not hours.
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
    PHONE_GUESSED = "phone-guessed"
    """The same E.164 number, but one side was written without a country code, so its country
    was inferred: a suggestion, never a sure duplicate."""
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
    """Numbers in E.164 that were written with their country code."""
    guessed_phones: Sequence[str] = ()
    """Numbers in E.164 whose country was inferred (written without a country code)."""


@dataclass
class DuplicateCandidate:
    """A likely duplicate of an incoming record: which contact, why, and how sure."""

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
    guessed_phones: Sequence[str] = ()


@dataclass
class _Folded:
    key: int | str
    name: str
    """Folded name tokens, sorted and joined: token_sort_ratio becomes a plain ratio."""
    organisation: str


def _name_tokens(folded_name: str) -> list[str]:
    return [t for t in folded_name.split() if len(t) > 1 and t not in NAME_NOISE]


def _organisation_key(folded_organisation: str) -> str:
    """The start of the organisation's first two significant words: "Mieterverein Leipzig
    e.V." and "Mieterverein Leipzig" share it, other Mietervereine mostly do not."""
    words = [t for t in folded_organisation.split() if t not in ORGANISATION_NOISE and len(t) > 1]
    if not words:
        return folded_organisation[:4]
    return words[0][:4] + (":" + words[1][:2] if len(words) > 1 else "")


def _block_keys(tokens: list[str], organisation_key: str) -> set[tuple[str, str, str]]:
    """One key per name token, paired with the initial of each other token, so that a typo in
    one word still meets the other word's block."""
    if len(tokens) == 1:
        return {(tokens[0], "", organisation_key)}
    return {
        (token, other[0], organisation_key)
        for i, token in enumerate(tokens)
        for j, other in enumerate(tokens)
        if i != j
    }


@dataclass
class DuplicateIndex:
    """Index of known contacts; `find` returns likely duplicates of an incoming record."""

    by_email: dict[str, list[int | str]] = field(default_factory=lambda: defaultdict(list))
    by_phone: dict[str, list[int | str]] = field(default_factory=lambda: defaultdict(list))
    """Keys by number; a key in `guessed` means the number's country was inferred there."""
    guessed: set[tuple[str, int | str]] = field(default_factory=set)
    by_block: dict[tuple[str, str, str], list[_Folded]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def build(cls, candidates: Iterable[Candidate]) -> DuplicateIndex:
        index = cls()
        for candidate in candidates:
            index.add(candidate)
        return index

    def add(self, candidate: Candidate, *, fuzzy: bool = True) -> None:
        """Index a candidate by email and phone, and (unless `fuzzy` is off) by name."""
        for email in candidate.emails:
            self.by_email[email.lower()].append(candidate.key)
        for phone in candidate.phones:
            if phone:
                self.by_phone[phone].append(candidate.key)
        for phone in candidate.guessed_phones:
            if phone:
                self.by_phone[phone].append(candidate.key)
                self.guessed.add((phone, candidate.key))
        if not fuzzy:
            return
        tokens = sorted(set(_name_tokens(fold_text(candidate.name))))
        if not tokens:
            return
        folded_organisation = fold_text(candidate.organisation)
        entry = _Folded(candidate.key, " ".join(tokens), folded_organisation)
        for block in _block_keys(tokens, _organisation_key(folded_organisation)):
            self.by_block[block].append(entry)

    def find(self, incoming: Incoming) -> list[DuplicateCandidate]:
        """Matches, best reason first: same email, same phone, then similar name at a similar
        organisation (both without an organisation counts as similar)."""
        matches: dict[int | str, DuplicateCandidate] = {}
        for email in incoming.emails:
            for key in self.by_email.get(email.lower(), ()):
                if key not in matches:
                    matches[key] = DuplicateCandidate(key, Reason.EMAIL, 100.0, email.lower())
        phones = [(p, False) for p in incoming.phones]
        phones += [(p, True) for p in incoming.guessed_phones]
        for phone, incoming_guessed in phones:
            for key in self.by_phone.get(phone, ()) if phone else ():
                guessed = incoming_guessed or (phone, key) in self.guessed
                current = matches.get(key)
                if current is None or (current.reason == Reason.PHONE_GUESSED and not guessed):
                    reason = Reason.PHONE_GUESSED if guessed else Reason.PHONE
                    matches[key] = DuplicateCandidate(key, reason, 100.0, phone)
        tokens = sorted(set(_name_tokens(fold_text(incoming.name))))
        if tokens:
            name = " ".join(tokens)
            folded_organisation = fold_text(incoming.organisation)
            organisation_key = _organisation_key(folded_organisation)
            ratio = fuzz.ratio
            seen: set[int | str] = set(matches)
            for block in _block_keys(tokens, organisation_key):
                for entry in self.by_block.get(block, ()):
                    if entry.key in seen:
                        continue
                    seen.add(entry.key)
                    name_score = ratio(name, entry.name, score_cutoff=NAME_THRESHOLD)
                    if not name_score:
                        continue
                    if (folded_organisation or entry.organisation) and not fuzz.token_sort_ratio(
                        folded_organisation, entry.organisation, score_cutoff=ORGANISATION_THRESHOLD
                    ):
                        continue
                    matches[entry.key] = DuplicateCandidate(
                        entry.key, Reason.NAME, round(name_score, 1)
                    )
        order = {Reason.EMAIL: 0, Reason.PHONE: 1, Reason.PHONE_GUESSED: 2, Reason.NAME: 3}
        return sorted(matches.values(), key=lambda m: (order[m.reason], -m.score, str(m.key)))


def is_exact(matches: Sequence[DuplicateCandidate]) -> bool:
    """A sure duplicate: the same email address, or the same number written with its country
    code on both sides. Guessed numbers and similar names are only suggestions."""
    return any(m.reason in (Reason.EMAIL, Reason.PHONE) for m in matches)
