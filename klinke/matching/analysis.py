"""Language-aware text analysis for German/English search and matching.

klinke's texts are short and bilingual: a need may be written in German, the best
offer in English, and a title rarely says which language it is in. This module turns
text into *terms* (strings without spaces) such that a document matches a query when
the document's terms include all of the query's terms. The directory stores
:func:`search_document` in a text column and looks terms up with ``contains " term "``;
the matching engine feeds the same terms into BM25.

How a document is analysed (:func:`index_terms`):

1. Tokens are runs of letters/digits, optionally joined by hyphens. Case, ``ß``
   (-> ``ss``), umlauts (``ü`` -> ``ue``, so "Überwachung" and "Ueberwachung" agree)
   and other diacritics are folded. Stop words of both languages are dropped, except
   short all-caps acronyms such as "IT".
2. Every word is indexed under its German *and* its English Snowball stem: a short
   text's language is unknown, and indexing both costs little.
3. Hyphenated words index their parts and the joined form ("Web-Entwicklung" ->
   web, entwicklung, webentwicklung).
4. German compounds are split over a built-in vocabulary (:mod:`.lexicon`) with the
   linking elements s/es/n/en/e/er: "Überwachungssoftware" indexes the compound and
   "überwachung" and "software".
5. Every word, compound part or known phrase found in the bilingual lexicon also
   indexes the stems of its translations, so documents carry both languages and a
   query never needs expanding.

A query (:func:`query_terms`) is analysed the same way, but each word yields exactly
one term, because terms are ANDed: the stem of the word's most likely language,
or, for a decomposable compound, one term per part (so "Webentwicklung" finds
"Web-Entwicklung" and "web development").

Everything is deterministic and pure (no Django); per-word work is cached, because the
pure-Python Snowball stemmers cost tens of microseconds per call.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import snowballstemmer

from klinke.matching.lexicon import COMPOUND_PARTS, PAIRS

__all__ = [
    "STOP_WORDS",
    "Language",
    "fold",
    "guess_language",
    "index_terms",
    "query_terms",
    "query_terms_with_words",
    "search_document",
    "split_compound",
    "stem",
]

Language = Literal["de", "en"]

MIN_TOKEN_LENGTH: Final = 2
"""Shorter tokens (single letters, digits) carry no meaning worth indexing."""

MIN_PART_LENGTH: Final = 3
"""Shortest compound part; keeps "ab", "in", "an" from being split off words."""

MIN_COMPOUND_LENGTH: Final = 2 * MIN_PART_LENGTH
"""Words shorter than two minimal parts are never split."""

MAX_COMPOUND_LENGTH: Final = 80
"""Longer "words" are never split: German's longest real compounds have about 60 letters, and
splitting costs time that grows with the square of a word's length, so a pasted hash, a base64
blob or a 10,000-letter word must not reach it (it held a request for minutes)."""

MAX_ACRONYM_LENGTH: Final = 4
"""All-caps tokens up to this length (IT, KI, UX, SEO) survive the stop word filter."""

# Linking elements (Fugenelemente) that may stand between two compound parts.
# Ordered longest first so the search tries "es" before "e" and "s".
_LINKS: Final = ("", "es", "en", "er", "ns", "s", "n", "e")

# Inflectional endings accepted after the last part of a compound.
_INFLECTIONS: Final = ("ern", "en", "er", "es", "n", "e", "s")

# Hyphen-like characters that join word parts. The en dash is deliberately absent:
# "Web – Entwicklung" separates words rather than joining them.
_TOKEN_RE: Final = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*(?:[*:_]in(?:nen)?\b)?")
# Gendered forms are one word: "Kund*innen", "Kund:innen", "Kund_innen" and "KundInnen" are
# analysed as their stem ("Kund", which stems like "Kunden") and shown whole in reasons.
_GENDER_RE: Final = re.compile(r"(?:[*:_]in(?:nen)?|(?<=[a-zäöüß])Innen)$")
_HYPHEN_RE: Final = re.compile(r"[-\u2010\u2011]")

# German umlauts become their standard transliteration so "Ueberwachung" (typed on
# a keyboard without umlauts) and "Überwachung" agree. The other letters have no
# Unicode decomposition, so NFKD below would not strip them.
_FOLDS: Final = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"}
)

# Stop words after folding. Words that also carry domain meaning are left out on
# purpose: "war" (English noun; German "was") matters for arms/military exclusions.
_STOP_DE_WORDS: Final = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen
    anderer anderes anderm andern anders auch auf aus bei beim bin bis bist da dabei
    dadurch dafuer dagegen daher dahin damals damit danach daneben dann daran darauf
    daraus darf darin darueber darum darunter das dass dasselbe davon davor dazu dein
    deine deinem deinen deiner deines dem demselben den denn denselben der derer
    derselbe derselben des desselben dessen dich die dies diese dieselbe dieselben
    diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer
    eines einig einige einigem einigen einiger einiges einmal er es etwa etwas euch
    euer eure eurem euren eurer eures fuer gegen gewesen hab habe haben hat hatte
    hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in
    indem ins ist ja jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt
    kann kannst koennen koennt kein keine keinem keinen keiner keines man manche
    manchem manchen mancher manches mein meine meinem meinen meiner meines mich mir
    mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine
    seinem seinen seiner seines selbst sich sie sind so solche solchem solchen
    solcher solches soll sollte sondern sonst sowie ueber um und uns unser unsere
    unserem unseren unserer unseres unter viel vom von vor waehrend waere waren warst
    was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie
    wieder will wir wird wirst wo wollen wollte wuerde wuerden zu zum zur zwar
    zwischen bzw usw ca zb ggf evtl sowie sollen wurde wurden gibt geht gerne
    bitte sowohl
"""
_STOP_EN_WORDS: Final = """
    a about above after again against all am an and any are aren as at be because
    been before being below between both but by can cannot could did do does doing
    don down during each etc few for from further had has have having he her here
    hers herself him himself his how i if in into is isn it its itself just let me
    more most my myself no nor not now of off on once only or other ought our ours
    ourselves out over own same shall she should so some such than that the their
    theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves also may might must us via per eg ie
    within without across around among upon onto
"""
_STOP_DE: Final[frozenset[str]] = frozenset(_STOP_DE_WORDS.split())
_STOP_EN: Final[frozenset[str]] = frozenset(_STOP_EN_WORDS.split())
_STOP: Final[frozenset[str]] = _STOP_DE | _STOP_EN
STOP_WORDS: Final[frozenset[str]] = _STOP
"""German and English stop words, folded (see :func:`fold`)."""


def fold(text: str) -> str:
    """Lowercase and fold ``ß``, umlauts and diacritics: "Über Maße" -> "ueber masse"."""
    folded = text.casefold().translate(_FOLDS)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Stemmers(threading.local):
    """Per-thread Snowball stemmers: their objects keep per-call state internally."""

    def __init__(self) -> None:
        self.de = snowballstemmer.stemmer("german")
        self.en = snowballstemmer.stemmer("english")


_stemmers: Final = _Stemmers()


@lru_cache(maxsize=1 << 17)
def stem(word: str, language: Language) -> str:
    """Snowball stem of an already folded word in ``language`` (cached)."""
    stemmer = _stemmers.de if language == "de" else _stemmers.en
    return str(stemmer.stemWord(word))


def _stems(word: str) -> tuple[str, ...]:
    """German and English stems of ``word``, deduplicated, German first."""
    de = stem(word, "de")
    en = stem(word, "en")
    return (de,) if de == en else (de, en)


# --- tokenising ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    """One hyphen group of the input, e.g. "Web-Entwicklung" or "pricing".

    ``parts`` are the folded content parts (stop words and too-short parts removed),
    ``surfaces`` the same parts as written; ``joined`` is the folded concatenation
    of all parts if the group was hyphenated.
    """

    parts: tuple[str, ...]
    surfaces: tuple[str, ...]
    joined: str | None
    acronyms: frozenset[str]
    had_umlaut: bool

    @property
    def unit(self) -> str | None:
        """The single word standing for this token in phrase matching."""
        if self.joined is not None:
            return self.joined
        return self.parts[0] if self.parts else None


def _keep(part: str, acronym: bool) -> bool:
    if len(part) < MIN_TOKEN_LENGTH:
        return False
    return acronym or part not in _STOP


@lru_cache(maxsize=1 << 16)
def _token(raw: str, shouting: bool) -> _Token:
    """Analyse one regex match; cached because texts repeat the same words."""
    gender = _GENDER_RE.search(raw)
    suffix = gender.group() if gender is not None and gender.start() > 0 else ""
    raw_parts = _HYPHEN_RE.split(raw[: len(raw) - len(suffix)])
    folded = [fold(p) for p in raw_parts]
    acronyms = frozenset(
        f
        for p, f in zip(raw_parts, folded, strict=True)
        if not shouting and p.isupper() and len(p) <= MAX_ACRONYM_LENGTH and p.isalpha()
    )
    kept = [(f, p) for p, f in zip(raw_parts, folded, strict=True) if _keep(f, f in acronyms)]
    parts = tuple(f for f, _ in kept)
    surfaces = tuple(p for _, p in kept)
    if suffix and surfaces and kept[-1][1] == raw_parts[-1]:
        surfaces = (*surfaces[:-1], surfaces[-1] + suffix)
    joined: str | None = None
    if len(raw_parts) > 1:
        joined = "".join(folded)
    had_umlaut = any(ch in "äöüÄÖÜß" for ch in raw)
    return _Token(
        parts=parts, surfaces=surfaces, joined=joined, acronyms=acronyms, had_umlaut=had_umlaut
    )


def _tokens(text: str) -> Iterator[_Token]:
    # An all-caps text ("WEB UND DESIGN") has no acronyms; otherwise "UND" would
    # survive as an acronym.
    shouting = not any(ch.islower() for ch in text)
    for match in _TOKEN_RE.finditer(text):
        yield _token(match.group(), shouting)


# --- vocabulary, compounds, lexicon ----------------------------------------------


def _lexicon_words(phrase: str) -> list[str]:
    """Content words of a lexicon phrase, in order, one per hyphen group."""
    words: list[str] = []
    for tok in _tokens(phrase):
        unit = tok.unit
        if unit is not None and len(unit) >= MIN_TOKEN_LENGTH:
            words.append(unit)
    return words


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """Lookup tables derived from :mod:`.lexicon`, built once on first use."""

    vocabulary: frozenset[str]
    """Folded German words usable as compound parts."""
    de_words: frozenset[str]
    """German stems of German lexicon words (language guessing)."""
    en_words: frozenset[str]
    """English stems of English lexicon words (language guessing)."""
    from_de: dict[tuple[str, ...], tuple[str, ...]]
    """German stem sequence -> English phrases it translates to."""
    from_en: dict[tuple[str, ...], tuple[str, ...]]
    """English stem sequence -> German phrases it translates to."""
    phrase_starts: frozenset[str]
    """First stems of multi-word keys, to skip positions cheaply."""
    max_phrase: int
    max_part: int
    """Length of the longest vocabulary word: no compound part can be longer."""


def _add(table: dict[tuple[str, ...], list[str]], key: tuple[str, ...], value: str) -> None:
    values = table.setdefault(key, [])
    if value not in values:
        values.append(value)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    vocabulary: set[str] = {fold(w) for w in COMPOUND_PARTS}
    de_table: dict[tuple[str, ...], list[str]] = {}
    en_table: dict[tuple[str, ...], list[str]] = {}
    de_words: set[str] = set()
    en_words: set[str] = set()
    for german, english in PAIRS:
        de_seq = _lexicon_words(german)
        en_seq = _lexicon_words(english)
        if not de_seq or not en_seq:
            continue
        if len(de_seq) == 1 and "-" not in german and " " not in german:
            vocabulary.add(de_seq[0])
        de_words.update(stem(w, "de") for w in de_seq)
        en_words.update(stem(w, "en") for w in en_seq)
        _add(de_table, tuple(stem(w, "de") for w in de_seq), english)
        _add(en_table, tuple(stem(w, "en") for w in en_seq), german)
    vocabulary = {w for w in vocabulary if len(w) >= MIN_PART_LENGTH}
    return _Lexicon(
        vocabulary=frozenset(vocabulary),
        de_words=frozenset(de_words),
        en_words=frozenset(en_words),
        from_de={k: tuple(v) for k, v in de_table.items()},
        from_en={k: tuple(v) for k, v in en_table.items()},
        phrase_starts=frozenset(k[0] for k in (*de_table, *en_table) if len(k) > 1),
        max_phrase=max(len(k) for k in (*de_table, *en_table)),
        max_part=max(len(w) for w in vocabulary),
    )


@lru_cache(maxsize=1 << 16)
def split_compound(word: str) -> tuple[str, ...]:
    """Split a folded German compound into known parts, or return ``()``.

    Every part must be in the vocabulary (at least :data:`MIN_PART_LENGTH` letters),
    optionally followed by a linking element; the last part may also be inflected
    ("webseiten" -> web, seiten). Of all splits the one with the fewest parts wins,
    then the one with fewer linking letters, then the longer first part, so the
    result is deterministic.

    >>> split_compound("ueberwachungssoftware")
    ('ueberwachung', 'software')
    """
    if not MIN_COMPOUND_LENGTH <= len(word) <= MAX_COMPOUND_LENGTH or not word.isalpha():
        return ()
    lex = _lexicon()
    n = len(word)
    longest_last = lex.max_part + max(len(ending) for ending in _INFLECTIONS)

    def is_last(part: str) -> bool:
        # The head of a compound may be inflected ("webseiten", "preise"); strip a
        # plural/case ending instead of stemming, which would be slow here.
        if part in lex.vocabulary:
            return True
        return any(
            part.endswith(ending) and part[: -len(ending)] in lex.vocabulary
            for ending in _INFLECTIONS
        )

    # best[i]: best split of word[i:] as (parts, link letters) or None.
    best: list[tuple[tuple[str, ...], int] | None] = [None] * (n + 1)
    for i in range(n - MIN_PART_LENGTH, -1, -1):
        candidates: list[tuple[tuple[str, ...], int]] = []
        rest = word[i:]
        if i > 0 and len(rest) <= longest_last and is_last(rest):
            candidates.append(((rest,), 0))
        for j in range(i + MIN_PART_LENGTH, min(i + lex.max_part, n - MIN_PART_LENGTH) + 1):
            part = word[i:j]
            if part not in lex.vocabulary:
                continue
            for link in _LINKS:
                k = j + len(link)
                if word.startswith(link, j) and k < n and best[k] is not None:
                    tail = best[k]
                    assert tail is not None
                    candidates.append(((part, *tail[0]), tail[1] + len(link)))
        if candidates:
            best[i] = min(candidates, key=lambda c: (len(c[0]), c[1], -len(c[0][0])))
    result = best[0]
    if result is None or len(result[0]) < 2:
        return ()
    return result[0]


def _base_terms(word: str) -> tuple[str, ...]:
    """Stems of a word and of its compound parts, without translations."""
    terms: list[str] = list(_stems(word))
    for part in split_compound(word):
        terms.extend(_stems(part))
    return tuple(dict.fromkeys(terms))


@lru_cache(maxsize=4096)
def _phrase_terms(phrase: str) -> tuple[str, ...]:
    """Index terms for a lexicon phrase used as a translation target."""
    terms: list[str] = []
    for tok in _tokens(phrase):
        for part in tok.parts:
            terms.extend(_base_terms(part))
        if tok.joined is not None:
            terms.extend(_base_terms(tok.joined))
    return tuple(dict.fromkeys(terms))


def _translations(word: str) -> list[str]:
    """Terms of the lexicon translations of ``word`` (either language)."""
    lex = _lexicon()
    terms: list[str] = []
    for phrase in lex.from_de.get((stem(word, "de"),), ()):
        terms.extend(_phrase_terms(phrase))
    for phrase in lex.from_en.get((stem(word, "en"),), ()):
        terms.extend(_phrase_terms(phrase))
    return terms


@lru_cache(maxsize=1 << 16)
def _word_index_terms(word: str, acronym: bool) -> tuple[str, ...]:
    """All index terms contributed by one folded word (cached)."""
    if acronym or not word.isalpha():
        # Acronyms and numbers are not stemmed, but "AGB" still has a translation.
        return tuple(dict.fromkeys([word, *_translations(word)]))
    terms = list(_base_terms(word))
    terms.extend(_translations(word))
    for part in split_compound(word):
        terms.extend(_translations(part))
    return tuple(dict.fromkeys(terms))


def _phrase_translations(units: Sequence[str]) -> list[str]:
    """Translations of multi-word lexicon phrases found among adjacent words."""
    lex = _lexicon()
    terms: list[str] = []
    de = [stem(u, "de") for u in units]
    en = [stem(u, "en") for u in units]
    starts = lex.phrase_starts
    for i in range(len(units) - 1):
        if de[i] not in starts and en[i] not in starts:
            continue
        for size in range(2, min(lex.max_phrase, len(units) - i) + 1):
            for phrase in lex.from_de.get(tuple(de[i : i + size]), ()):
                terms.extend(_phrase_terms(phrase))
            for phrase in lex.from_en.get(tuple(en[i : i + size]), ()):
                terms.extend(_phrase_terms(phrase))
    return terms


# --- public API ------------------------------------------------------------------


def index_terms(text: str) -> list[str]:
    """Terms to index for a document (may repeat; order not significant).

    Repeats are kept on purpose: the matching engine uses them as term frequencies.
    """
    terms: list[str] = []
    units: list[str] = []
    for tok in _tokens(text):
        if tok.joined is None:
            for part in tok.parts:
                terms.extend(_word_index_terms(part, part in tok.acronyms))
        else:
            # A hyphenated word counts once per term, although its parts and its
            # joined form (often a compound of the same parts) yield the same terms.
            group: list[str] = []
            for part in tok.parts:
                group.extend(_word_index_terms(part, part in tok.acronyms))
            if len(tok.joined) >= MIN_TOKEN_LENGTH:
                group.extend(_word_index_terms(tok.joined, False))
            terms.extend(dict.fromkeys(group))
        unit = tok.unit
        if unit is not None:
            units.append(unit)
    if len(units) > 1:
        terms.extend(_phrase_translations(units))
    return terms


_DE_SUFFIXES: Final = ("ung", "ungen", "keit", "heit", "lich", "isch", "chen", "ieren")
_EN_SUFFIXES: Final = ("ing", "ness", "ly", "ity", "ship", "ies", "ed")


def _cue(word: str, had_umlaut: bool) -> int:
    """Spelling evidence for a word's language: > 0 German, < 0 English."""
    score = 0
    if had_umlaut or "sch" in word or "tz" in word:
        score += 1
    if word.endswith(_DE_SUFFIXES):
        score += 1
    if word.endswith(_EN_SUFFIXES) or "th" in word or word.startswith("wh"):
        score -= 1
    return score


def _word_language(word: str, had_umlaut: bool, text_language: Language | None) -> Language:
    """Most likely language of one query word.

    Lexicon membership is the strongest evidence; then the language of the whole
    query; spelling cues only decide when the query as a whole gave no hint, because
    they misfire on single words ("Methode" has a "th").
    """
    if had_umlaut:
        return "de"
    lex = _lexicon()
    is_de = stem(word, "de") in lex.de_words
    is_en = stem(word, "en") in lex.en_words
    if is_de != is_en:
        return "de" if is_de else "en"
    if text_language is not None:
        return text_language
    return "en" if _cue(word, had_umlaut) < 0 else "de"


def guess_language(text: str) -> Language | None:
    """Cheap, deterministic guess of a text's language, or None without evidence.

    Counts stop words and lexicon words of each language plus a few spelling cues
    (umlauts, "-ung", "-ing"). Good enough to choose a stemmer for short queries;
    not a general language identifier.
    """
    score = 0
    for match in _TOKEN_RE.finditer(text):
        score += _language_evidence(match.group())
    if score == 0:
        return None
    return "de" if score > 0 else "en"


@lru_cache(maxsize=1 << 16)
def _language_evidence(raw: str) -> int:
    """Evidence of one token for German (> 0) or English (< 0); cached per token."""
    lex = _lexicon()
    score = 0
    for raw_part in _HYPHEN_RE.split(raw):
        word = fold(raw_part)
        if len(word) < MIN_TOKEN_LENGTH:
            continue
        de = word in _STOP_DE or stem(word, "de") in lex.de_words
        en = word in _STOP_EN or stem(word, "en") in lex.en_words
        score += int(de) - int(en)
        score += _cue(word, any(ch in "äöüÄÖÜß" for ch in raw_part))
    return score


def _query_word(
    word: str, acronym: bool, had_umlaut: bool, text_language: Language | None
) -> list[str]:
    if acronym or not word.isalpha():
        return [word]
    parts = split_compound(word)
    if parts:
        # Compounds are German; a query term per part lets "Webentwicklung" find
        # documents that only say "Web-Entwicklung" or "web development".
        return [stem(p, "de") for p in parts]
    return [stem(word, _word_language(word, had_umlaut, text_language))]


def query_terms(text: str) -> list[str]:
    """Terms a query requires (AND semantics), deduplicated, in first-seen order.

    A document matches when each returned term is in its :func:`index_terms`. Each
    query word contributes exactly one term: its stem in the word's most likely
    language (lexicon membership, else the whole query's language); a decomposable
    compound contributes its parts and a hyphenated word its parts. A query made of
    stop words only returns ``[]``, which callers should treat as "no constraint".
    """
    return [term for term, _ in query_terms_with_words(text)]


def query_terms_with_words(text: str) -> list[tuple[str, str]]:
    """Like :func:`query_terms`, each term paired with the word it came from.

    The word is as written in ``text`` (first occurrence), so explanations can show
    "Preisgestaltung" rather than the stem "preis".
    """
    language = guess_language(text)
    seen: dict[str, str] = {}
    for tok in _tokens(text):
        for part, surface in zip(tok.parts, tok.surfaces, strict=True):
            for term in _query_word(part, part in tok.acronyms, tok.had_umlaut, language):
                seen.setdefault(term, surface)
    return list(seen.items())


def search_document(*texts: str) -> str:
    """Space-padded, sorted, unique index terms of ``texts`` for ``contains`` lookups.

    Looking up ``" term "`` in the result matches whole terms only. A text without
    terms yields two spaces, which no ``" term "`` lookup matches.
    """
    terms: set[str] = set()
    for text in texts:
        terms.update(index_terms(text))
    return " " + " ".join(sorted(terms)) + " "


# --- ranking queries ----------------------------------------------------------------

_FILLER: Final = """
    brauchen brauche braucht benoetigen benoetigt suchen suche sucht gesucht hilfe helfen
    hilft unterstuetzung unterstuetzen moechten moechte haetten gern hallo zusammen leute
    jemand jemanden jemandem wer seit vielleicht tipps frage fragen danke liebe lieben
    need needs needed looking look seeking seek help helping want wants wanted someone
    somebody anyone please hello hi thanks maybe tips people erste ersten erster erstes first
    zwei drei two three ganz ganze ganzen ganzes mehrere several viele many neue neuen neuer
    new bleibt bleiben
"""
FILLER_WORDS: Final[frozenset[str]] = frozenset(_FILLER.split())
"""Folded words that say that someone asks, not what about: never query terms or reasons."""

_NEGATION_WORDS: Final = (
    "kein keine keinen keinem keiner keines ohne statt anstatt no without instead"
)
_NEGATIONS: Final[frozenset[str]] = frozenset(_NEGATION_WORDS.split())
"""Words after which a need names what it does *not* want ("kein Tracking", "no agencies")."""
_NOT: Final[frozenset[str]] = frozenset({"nicht", "not"})
_NOT_EXCEPT: Final[frozenset[str]] = frozenset({"nur", "only", "just", "mehr", "yet", "sure"})
"""After "nicht"/"not", these open no exclusion ("nicht nur", "not only")."""
_NEGATION_SCOPE: Final = 3
"""Content words after a negation that it covers, if no stop word or punctuation comes first."""
_NEGATION_HINT: Final = re.compile(
    r"\b(?:kein\w*|ohne|statt|anstatt|nicht|no|not|without|instead)\b", re.IGNORECASE
)
_CLAUSE_RE: Final = re.compile(
    r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*(?:[*:_]in(?:nen)?\b)?|[^\w\s]|\n"
)
_AND: Final[frozenset[str]] = frozenset({"und", "oder", "and", "or", "nor", "noch"})
"""Within an exclusion these continue it: "ohne Tracking und Cookies" rules out both."""


def negated_words(text: str) -> frozenset[str]:
    """Folded words that ``text`` rules out: up to three content words right after "kein",
    "ohne", "no", "without", "nicht" (not "nicht nur") ..., stopping at a stop word (but not
    "und"/"oder"), punctuation or a line break. "Kein Tracking, keine Cookies und kein Google
    Analytics" rules out tracking, cookies, google and analytics; "keine Ahnung von DSGVO" only
    "ahnung".
    """
    if not _NEGATION_HINT.search(text):
        return frozenset()
    words: set[str] = set()
    scope = 0
    pending_not = False
    for raw in _CLAUSE_RE.findall(text):
        word = fold(raw)
        if not word[0].isalnum():
            scope = 0
            pending_not = False
            continue
        if pending_not:
            pending_not = False
            if word in _NOT_EXCEPT:
                continue
            scope = _NEGATION_SCOPE
        if word in _NEGATIONS:
            scope = _NEGATION_SCOPE
            continue
        if word in _NOT:
            pending_not = True
            continue
        if scope:
            if word in _AND:
                continue
            if word in _STOP:
                scope = 0
                continue
            words.add(word)
            for part in _HYPHEN_RE.split(word):
                words.add(part)
            scope -= 1
    return frozenset(words)


@dataclass(frozen=True, slots=True)
class RankingTerm:
    """One term of a ranking query, with the word it came from (as written)."""

    term: str
    word: str
    negated: bool = False
    """The text rules this word out ("kein Tracking"): rank it down, never up."""
    folded: str = ""
    """The folded word (for spelling correction)."""


def ranking_terms(text: str) -> list[RankingTerm]:
    """Terms for ranking candidates against ``text`` (OR semantics, unlike :func:`query_terms`).

    Like :func:`query_terms_with_words`, but without filler words ("brauchen", "Hilfe",
    "looking"), marking words the text rules out, and with the parts of compound parts too:
    "Neukundengewinnung" yields neukund, kund and gewinn, so it finds "Kunden" and "Gewinnung".
    """
    language = guess_language(text)
    negated = negated_words(text)
    seen: dict[str, RankingTerm] = {}
    for tok in _tokens(text):
        for part, surface in zip(tok.parts, tok.surfaces, strict=True):
            if part in FILLER_WORDS:
                continue
            out = part in negated
            acronym = part in tok.acronyms
            terms = _query_word(part, acronym, tok.had_umlaut, language)
            if not acronym and part.isalpha():
                for piece in split_compound(part):
                    for sub in split_compound(piece):
                        if len(sub) > MIN_PART_LENGTH:
                            terms.append(stem(sub, "de"))
            for term in terms:
                known = seen.get(term)
                if known is None or (known.negated and not out):
                    seen[term] = RankingTerm(term, surface, out, part)
    return list(seen.values())


def warm_up() -> None:
    """Build the lexicon tables now (half a second), not in the first request that analyses
    text: gunicorn's master calls this before forking, so every worker shares them."""
    _lexicon()
    _spelling_table()
    _german_by_english()


@lru_cache(maxsize=1)
def _spelling_table() -> dict[str, tuple[str, ...]]:
    """Lexicon words by each form with one letter deleted (symmetric-delete spelling)."""
    lex = _lexicon()
    words: set[str] = set(lex.vocabulary)
    for german, english in PAIRS:
        words.update(_lexicon_words(german))
        words.update(_lexicon_words(english))
    table: dict[str, set[str]] = {}
    for word in words:
        if len(word) < MIN_SPELLING_LENGTH or not word.isalpha():
            continue
        table.setdefault(word, set()).add(word)
        for i in range(len(word)):
            table.setdefault(word[:i] + word[i + 1 :], set()).add(word)
    return {k: tuple(sorted(v)) for k, v in table.items()}


MIN_SPELLING_LENGTH: Final = 5
"""Shorter words are not corrected: too many real words are one letter apart."""


def spelling_candidates(word: str) -> tuple[str, ...]:
    """Lexicon words one edit (insert, delete, replace, swap) from a folded ``word``.

    "aquise" -> ("akquise",), "develpment" -> ("development",). A word that is itself in the
    lexicon returns only itself.
    """
    if len(word) < MIN_SPELLING_LENGTH or not word.isalpha():
        return ()
    table = _spelling_table()
    exact = table.get(word, ())
    if word in exact:
        return (word,)
    found: set[str] = set(exact)  # word = lexicon word with one letter deleted
    for i in range(len(word)):
        found.update(table.get(word[:i] + word[i + 1 :], ()))
    return tuple(sorted(w for w in found if _one_edit(word, w)))


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, replacement or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def spelling_terms(word: str) -> list[str]:
    """Query terms of the lexicon words one edit away from a folded ``word``."""
    terms: list[str] = []
    for candidate in spelling_candidates(word):
        if candidate == word:
            continue
        terms.extend(term for term, _ in query_terms_with_words(candidate))
    return list(dict.fromkeys(terms))


def german_word(word: str) -> str:
    """The German lexicon word for an English-only lexicon ``word`` ("pricing" ->
    "Preisgestaltung"), else ``word`` itself: German reasons then show no English words."""
    folded = fold(word)
    if not folded.isalpha():
        return word
    exact = _german_by_english().get(folded)
    if exact is not None:
        return exact
    lex = _lexicon()
    if stem(folded, "de") in lex.de_words or stem(folded, "en") not in lex.en_words:
        return word
    phrases = lex.from_en.get((stem(folded, "en"),), ())
    return phrases[0] if phrases else word


@lru_cache(maxsize=1)
def _german_by_english() -> dict[str, str]:
    """Folded English lexicon word (or its plural with "s") -> its first German pair."""
    table: dict[str, str] = {}
    for german, english in PAIRS:
        key = fold(english)
        table.setdefault(key, german)
        table.setdefault(f"{key}s", german)
    return table
