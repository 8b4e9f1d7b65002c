"""Find red-line criteria in text fields, with evidence.

How a keyword is found:

* Text and keywords are folded like the search (:func:`klinke.matching.analysis.fold`: case,
  umlauts, ``ß``), split into words, and stop words are skipped, so "Überwachung der Server"
  is the two-word sequence "überwachung server".
* A keyword word meets a text word when their Snowball stems agree in the keyword's language
  ("tracking" meets "tracking pixels"; "Überwachung" meets "überwachen"), or when the text word
  is a German compound with the keyword as one of its parts: the compound splitter of
  :mod:`klinke.matching.analysis` ("Überwachungssoftware" = Überwachung + Software), and, for
  German keywords of five letters or more, the keyword as the head or the tail of the word
  ("Waffenhandel", "Bundespolizei"), which catches compounds the splitter's vocabulary does
  not know.
* Multi-word keywords ("facial recognition") must appear as consecutive words within one
  sentence; hyphenated words count as their parts ("Tracking-Pixel") and as the joined word.
* The cross-language lexicon of the search is *not* used: it bridges "Überwachung" to
  "monitoring", which would flag every hosting job. The sector catalogue lists both languages
  itself.

Organisations are compared case- and umlaut-insensitively with rapidfuzz's ``partial_ratio``
(a score of 90 or more), so "Palantir Technologies GmbH" and "palantir technologies" meet;
names of four letters or fewer must appear as a whole word. A name's core (without legal forms
such as "AG" or "GmbH") of seven letters or more is also found with one typo, as whole words
("Rheinmetal Electronics" for "Rheinmetall AG"); the evidence then reads "Rheinmetal ≈
Rheinmetall". Shorter names need their exact spelling: "Thales" is one letter from "tables".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, NotRequired, TypedDict

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from klinke.matching.analysis import fold, query_terms, split_compound, stem
from klinke.screening.criteria import Keyword, Language, RedLineRule
from klinke.screening.sectors import SECTORS

HitKind = Literal["sector", "keyword", "organisation"]

ORGANISATION_MIN_SCORE: Final = 90.0
"""rapidfuzz partial_ratio from which an organisation name counts as found."""

MIN_CONSTITUENT_LENGTH: Final = 5
"""German keywords this long may be found as the head or tail of a compound."""

MIN_REST_LENGTH: Final = 3
"""The other part of such a compound must have at least this many letters."""

EXACT_NAME_LENGTH: Final = 4
"""Organisation names this short must appear as a whole word (fuzzy matching is noise)."""

TYPO_MIN_LENGTH: Final = 7
"""A name's core this long is also found with one letter added, dropped or changed."""

LEGAL_FORMS: Final = frozenset(
    [
        "ag",
        "gmbh",
        "mbh",
        "kg",
        "kgaa",
        "ohg",
        "ug",
        "se",
        "ev",
        "eg",
        "co",
        "inc",
        "ltd",
        "llc",
        "plc",
        "corp",
        "sa",
        "sas",
        "nv",
        "bv",
        "ab",
        "spa",
        "srl",
    ]
)
"""Words of a name that say what kind of company, not which one."""

_WORD_RE: Final = re.compile(r"[^\W_]+")
_HYPHENS: Final = frozenset("-\u2010\u2011")
_SENTENCE_END: Final = re.compile(r"[.!?;:\n]")
_LINKS: Final = ("", "s", "es", "n", "en", "er", "e")
_INFLECTIONS: Final = ("", "e", "en", "n", "s", "es", "er", "ern")
_LANGUAGES: Final[tuple[Language, ...]] = ("de", "en")


class HitDict(TypedDict):
    """A Hit as stored in JSON (the workbench keeps an item's hits this way)."""

    red_line: str
    red_line_name: str
    kind: HitKind
    criterion: str
    keyword: str
    field: str
    matched: str
    start: int
    end: int
    score: NotRequired[float]


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence that a text touches a red line.

    ``criterion`` is the sector code, the keyword or the organisation as the red line names
    it; ``keyword`` is the catalogue keyword that matched for sector hits (else equal to
    ``criterion``); ``matched`` is the text exactly as written in ``field`` at
    ``start:end``; ``score`` is 100 for words and the similarity for organisations.
    """

    red_line: str
    red_line_name: str
    kind: HitKind
    criterion: str
    keyword: str
    field: str
    matched: str
    start: int
    end: int
    score: float = 100.0

    @property
    def evidence(self) -> str:
        """The text found, and for a similar name what it resembles: "Rheinmetal ≈ Rheinmetall"."""
        if self.kind == "organisation" and self.score < 100:
            return f"{self.matched} ≈ {self.keyword}"
        return self.matched

    def criterion_label(self, lang: str) -> str:
        """What the red line names, for people: the sector's label, the keyword, the name."""
        if self.kind == "sector":
            sector = SECTORS.get(self.criterion)
            return sector.label.get(lang) if sector else self.criterion
        return self.criterion

    def text(self, lang: str) -> str:
        """A one-line explanation in English or German, e.g. for an API or an email."""
        label = self.criterion_label(lang)
        if lang.startswith("de"):
            kinds = {"sector": "Branche", "keyword": "Stichwort", "organisation": "Organisation"}
            return (
                f"{self.red_line_name}: {kinds[self.kind]} „{label}“ – "
                f"„{self.evidence}“ in {self.field}"
            )
        return f"{self.red_line_name}: {self.kind} “{label}” – “{self.evidence}” in {self.field}"

    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies the evidence regardless of where in the text it moved."""
        return (self.red_line, self.kind, self.criterion, self.field, fold(self.matched))

    def as_dict(self) -> HitDict:
        return HitDict(
            red_line=self.red_line,
            red_line_name=self.red_line_name,
            kind=self.kind,
            criterion=self.criterion,
            keyword=self.keyword,
            field=self.field,
            matched=self.matched,
            start=self.start,
            end=self.end,
            score=self.score,
        )

    @classmethod
    def from_dict(cls, data: HitDict) -> Hit:
        return cls(
            red_line=data["red_line"],
            red_line_name=data["red_line_name"],
            kind=data["kind"],
            criterion=data["criterion"],
            keyword=data["keyword"],
            field=data["field"],
            matched=data["matched"],
            start=data["start"],
            end=data["end"],
            score=data.get("score", 100.0),
        )


def snippet(text: str, hit: Hit, width: int = 40) -> tuple[str, str, str]:
    """The text around a hit as (before, match, after), cut at word boundaries, for display."""
    start, end = max(0, hit.start - width), min(len(text), hit.end + width)
    before, after = text[start : hit.start], text[hit.end : end]
    if start > 0:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if end < len(text):
        after = after.rsplit(" ", 1)[0] + "…" if " " in after else after + "…"
    return before, text[hit.start : hit.end], after


# --- analysing text ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Unit:
    """A word of the text (or a hyphenated group joined into one word) and where it is."""

    folded: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class _Text:
    words: tuple[_Unit, ...]
    """Content words in order (stop words left out)."""
    groups: tuple[_Unit, ...]
    """Hyphenated groups as one joined word ("Tracking-Pixel" -> "trackingpixel")."""
    word_index: _Index
    group_index: _Index


@dataclass(frozen=True, slots=True)
class _Index:
    """Where units are, by stem and by spelling, so a keyword looks up its candidates instead
    of comparing itself with every word (a red-line change screens every lead again)."""

    by_stem: dict[tuple[Language, str], list[int]]
    by_spelling: dict[str, list[int]]

    @classmethod
    def of(cls, units: Sequence[_Unit]) -> _Index:
        by_stem: dict[tuple[Language, str], list[int]] = {}
        by_spelling: dict[str, list[int]] = {}
        for position, unit in enumerate(units):
            by_spelling.setdefault(unit.folded, []).append(position)
        for spelling, positions in by_spelling.items():
            for language in _LANGUAGES:
                for stemmed in _stems(spelling, language):
                    by_stem.setdefault((language, stemmed), []).extend(positions)
        return cls(by_stem, by_spelling)

    def candidates(self, keyword: str, languages: tuple[Language, ...]) -> list[int]:
        """Positions of units the keyword word may meet (the same as `_word_meets`)."""
        found: set[int] = set()
        for language in languages:
            found.update(self.by_stem.get((language, stem(keyword, language)), ()))
        if "de" in languages and len(keyword) >= MIN_CONSTITUENT_LENGTH:
            for spelling, positions in self.by_spelling.items():
                if keyword in spelling and _is_constituent(keyword, spelling):
                    found.update(positions)
        return sorted(found)


@lru_cache(maxsize=1 << 16)
def _is_stop(folded: str) -> bool:
    # The search's analyser drops stop words and too-short tokens from queries.
    return not query_terms(folded)


def _analyse(text: str) -> _Text:
    words: list[_Unit] = []
    groups: list[_Unit] = []
    group: list[_Unit] = []
    sentence = 0
    previous_end = 0

    def close_group() -> None:
        if len(group) > 1:
            joined = "".join(unit.folded for unit in group)
            groups.append(_Unit(joined, group[0].start, group[-1].end, group[0].sentence))
        group.clear()

    for match in _WORD_RE.finditer(text):
        between = text[previous_end : match.start()]
        if _SENTENCE_END.search(between):
            sentence += 1
        unit = _Unit(fold(match.group()), match.start(), match.end(), sentence)
        if not (group and len(between) == 1 and between in _HYPHENS):
            close_group()
        group.append(unit)
        if not _is_stop(unit.folded):
            words.append(unit)
        previous_end = match.end()
    close_group()
    return _Text(tuple(words), tuple(groups), _Index.of(words), _Index.of(groups))


# --- keywords ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pattern:
    keyword: Keyword
    words: tuple[str, ...]
    """Folded content words of the keyword, in order."""
    languages: tuple[Language, ...]


@lru_cache(maxsize=4096)
def _pattern(keyword: Keyword) -> _Pattern | None:
    folded = [fold(m.group()) for m in _WORD_RE.finditer(keyword.text)]
    content = tuple(word for word in folded if not _is_stop(word)) or tuple(folded)
    if not content:
        return None
    languages = (keyword.language,) if keyword.language else _LANGUAGES
    return _Pattern(keyword, content, languages)


@lru_cache(maxsize=1 << 16)
def _stems(word: str, language: Language) -> frozenset[str]:
    """The stems a text word stands for: its own and its compound parts'."""
    return frozenset((stem(word, language), *(stem(p, language) for p in split_compound(word))))


def _is_constituent(keyword: str, word: str) -> bool:
    """Whether a German ``word`` is a compound with ``keyword`` as its head or tail."""
    if len(keyword) < MIN_CONSTITUENT_LENGTH or len(word) <= len(keyword):
        return False
    if word.startswith(keyword):
        rest = word[len(keyword) :]
        if any(
            rest.startswith(link) and len(rest) - len(link) >= MIN_REST_LENGTH for link in _LINKS
        ):
            return True
    for ending in _INFLECTIONS:
        tail = keyword + ending
        if word.endswith(tail) and len(word) - len(tail) >= MIN_REST_LENGTH:
            return True
    return False


@lru_cache(maxsize=1 << 17)
def _word_meets(keyword: str, languages: tuple[Language, ...], word: str) -> bool:
    if keyword == word:
        return True
    for language in languages:
        if stem(keyword, language) in _stems(word, language):
            return True
    return "de" in languages and _is_constituent(keyword, word)


def _find(pattern: _Pattern, text: _Text) -> Iterable[tuple[int, int]]:
    """Spans (start, end) where ``pattern`` occurs in ``text``."""
    words, n = text.words, len(pattern.words)
    first, rest = pattern.words[0], pattern.words[1:]
    for i in text.word_index.candidates(first, pattern.languages):
        window = words[i : i + n]
        if len(window) < n or window[0].sentence != window[-1].sentence:
            continue
        if all(
            _word_meets(k, pattern.languages, unit.folded)
            for k, unit in zip(rest, window[1:], strict=True)
        ):
            yield window[0].start, window[-1].end
    if n == 1:
        for i in text.group_index.candidates(first, pattern.languages):
            yield text.groups[i].start, text.groups[i].end


def _keyword_spans(keywords: Iterable[Keyword], text: _Text) -> Iterable[tuple[Keyword, int, int]]:
    for keyword in keywords:
        pattern = _pattern(keyword)
        if pattern is not None:
            for start, end in _find(pattern, text):
                yield keyword, start, end


# --- organisations -------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


@lru_cache(maxsize=256)
def _fold_with_offsets(text: str) -> tuple[str, tuple[int, ...]]:
    """``fold(text)`` and, for each folded character, the index of its source character.

    Cached: every organisation of every red line is looked up in the same few fields.
    """
    if text.isascii():
        return text.lower(), tuple(range(len(text)))
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = char.lower() if char.isascii() else _fold_char(char)
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(chars), tuple(offsets)


def _best_words(name: str, folded: str, start: int, end: int) -> tuple[int, int]:
    """The run of whole words around ``folded[start:end]`` that reads most like ``name``.

    partial_ratio aligns a window of the name's length, which may begin or end inside a
    word ("r Palantir Technologie"); evidence should show whole words.
    """
    words = [(m.start(), m.end()) for m in _WORD_RE.finditer(folded)]
    inside = [i for i, (s, e) in enumerate(words) if s < end and start < e]
    if not inside:
        return start, end
    first, last = max(0, inside[0] - 1), min(len(words) - 1, inside[-1] + 1)
    best = (-1.0, 0, start, end)
    for i in range(first, last + 1):
        for j in range(i, last + 1):
            s, e = words[i][0], words[j][1]
            score = fuzz.ratio(name, folded[s:e])
            if (score, -(e - s)) > (best[0], best[1]):
                best = (score, -(e - s), s, e)
    return best[2], best[3]


def _organisation_span(name: str, text: str) -> tuple[int, int, float] | None:
    folded_name = " ".join(fold(name).split())
    if len(folded_name) < 2:
        return None
    folded, offsets = _fold_with_offsets(text)
    if not folded:
        return None
    if len(folded_name) <= EXACT_NAME_LENGTH:
        found = re.search(rf"(?<![^\W_]){re.escape(folded_name)}(?![^\W_])", folded)
        if found is None:
            return None
        return offsets[found.start()], offsets[found.end() - 1] + 1, 100.0
    if len(folded) < len(folded_name):
        # partial_ratio would look for the text inside the name: "Bund" is not "Bundeswehr".
        score = fuzz.ratio(folded_name, folded)
        return (0, len(text), score) if score >= ORGANISATION_MIN_SCORE else None
    alignment = fuzz.partial_ratio_alignment(
        folded_name, folded, score_cutoff=ORGANISATION_MIN_SCORE
    )
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    start, end = _best_words(folded_name, folded, alignment.dest_start, alignment.dest_end)
    return offsets[start], offsets[end - 1] + 1, round(alignment.score, 1)


def _core_words(name: str) -> list[str]:
    """The words of a name that say which organisation it is, as written."""
    words = [m.group() for m in _WORD_RE.finditer(name)]
    return [word for word in words if fold(word) not in LEGAL_FORMS] or words


def _typo_span(name: str, text: str) -> tuple[int, int, float, str] | None:
    """Where ``text`` has the core of ``name`` as whole words with one typo, and that core.

    The typo must sit in a word of :data:`TYPO_MIN_LENGTH` letters or more; the other words
    must be spelled as listed, so "Deutsche Bank" is not "Deutsche Bahn".
    """
    core = _core_words(name)
    targets = [fold(word) for word in core]
    # A name of no words ("--", as a list may hold) has no core to misspell.
    if max((len(word) for word in targets), default=0) < TYPO_MIN_LENGTH:
        return None
    folded, offsets = _fold_with_offsets(text)
    words = [(m.start(), m.end()) for m in _WORD_RE.finditer(folded)]
    n = len(targets)
    for i in range(len(words) - n + 1):
        candidates = [folded[s:e] for s, e in words[i : i + n]]
        differing = [(t, c) for t, c in zip(targets, candidates, strict=True) if t != c]
        if len(differing) != 1:
            continue
        target, candidate = differing[0]
        if len(target) < TYPO_MIN_LENGTH or abs(len(target) - len(candidate)) > 1:
            continue
        if Levenshtein.distance(target, candidate, score_cutoff=1) <= 1:
            score = round(fuzz.ratio(" ".join(targets), " ".join(candidates)), 1)
            start, end = words[i][0], words[i + n - 1][1]
            return offsets[start], offsets[end - 1] + 1, score, " ".join(core)
    return None


# --- screening -----------------------------------------------------------------------


def _overlaps(a: Hit, b: Hit) -> bool:
    return a.field == b.field and a.start < b.end and b.start < a.end


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """One hit per red line, criterion and place: the widest evidence wins."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if not any(
            k.red_line == hit.red_line
            and k.kind == hit.kind
            and k.criterion == hit.criterion
            and _overlaps(k, hit)
            for k in kept
        ):
            kept.append(hit)
    return kept


def _hit(
    red_line: RedLineRule,
    field: str,
    value: str,
    kind: HitKind,
    criterion: str,
    keyword: str,
    span: tuple[int, int],
    score: float = 100.0,
) -> Hit:
    start, end = span
    return Hit(
        red_line=red_line.ref,
        red_line_name=red_line.name,
        kind=kind,
        criterion=criterion,
        keyword=keyword,
        field=field,
        matched=value[start:end],
        start=start,
        end=end,
        score=score,
    )


def _screen_field(name: str, value: str, red_line: RedLineRule, text: _Text) -> Iterable[Hit]:
    for code in red_line.sectors:
        sector = SECTORS.get(code)
        if sector is None:
            continue
        harmless = [(s, e) for _k, s, e in _keyword_spans(sector.exceptions, text)]
        for keyword, start, end in _keyword_spans(sector.keywords, text):
            if not any(s <= start and end <= e for s, e in harmless):
                yield _hit(red_line, name, value, "sector", code, keyword.text, (start, end))
    for keyword, start, end in _keyword_spans(red_line.keywords, text):
        yield _hit(red_line, name, value, "keyword", keyword.text, keyword.text, (start, end))
    for organisation in red_line.organisations:
        found = _organisation_span(organisation, value)
        if found is not None:
            start, end, score = found
            yield _hit(
                red_line,
                name,
                value,
                "organisation",
                organisation,
                organisation,
                (start, end),
                score,
            )
        elif (typo := _typo_span(organisation, value)) is not None:
            start, end, score, core = typo
            yield _hit(
                red_line, name, value, "organisation", organisation, core, (start, end), score
            )


def screen(fields: Mapping[str, str], red_lines: Sequence[RedLineRule]) -> list[Hit]:
    """Every place where ``fields`` touch one of ``red_lines``, in field and text order."""
    order = {name: i for i, name in enumerate(fields)}
    hits: list[Hit] = []
    for name, value in fields.items():
        if not value or not value.strip():
            continue
        text = _analyse(value)
        for red_line in red_lines:
            hits.extend(_screen_field(name, value, red_line, text))
    return sorted(_dedupe(hits), key=lambda h: (order[h.field], h.start, h.end, h.red_line))
