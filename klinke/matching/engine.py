"""The matching engine: rank candidate documents for a query document, with reasons.

Usage::

    index = MatchIndex.build(offers)              # once, reuse for many queries
    matches = rank(need, index, topics=tree)      # best first, with reasons

How a query is answered, and why it is fast enough for 100k candidates in pure
Python:

1. *Selection.* Every document gets an approximate score in integer points, every
   factor included: the quantised idf of each query term it contains, points for
   related topics, kinds, languages, place, capacity and open introductions. The
   sums are computed for all documents at once with bit-sliced bitsets
   (:mod:`.bitsets`), so the cost is a few big-integer operations per query term,
   not a Python step per posting. Documents sharing no term and no related topic
   are never considered; the :attr:`Weights.candidate_pool` best of the rest are.
2. *Exact scores, cheap factors first.* Exact BM25 (document-at-a-time over
   precomputed impacts), topic, kind, language, availability and fairness for the
   pool; candidates are then visited best score-so-far first.
3. *Region and semantic factors with early termination.* They are added while a
   top-k heap is kept; the loop stops once even perfect values for them could not
   reach the k-th best score.
4. *Reasons* are computed for the top k only, and only when read (:class:`Explanation`).

Only step 1 approximates (no term frequency or length, linearised saturation, NUTS
areas instead of distances); ``bench/match.py --check`` measures how often the top
10 differ from exhaustive scoring (at 100k synthetic offers about 2 in 100).

Scores are rounded to :data:`SCORE_DIGITS` decimals and ties are broken by ``ref``,
so results do not depend on input order or floating-point accident.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from klinke.matching import bitsets
from klinke.matching.analysis import (
    german_word,
    index_terms,
    negated_words,
    ranking_terms,
    spelling_terms,
)
from klinke.matching.documents import Label, MatchDocument, Region, TopicTree
from klinke.matching.reasons import Explanation, Factor, Match, Reason, language_label
from klinke.matching.semantic import Embedder, cosine
from klinke.matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = ["SCORE_DIGITS", "CorpusStatistics", "MatchIndex", "rank"]

SCORE_DIGITS: Final = 4
"""Scores are rounded to this many decimals before sorting, so ties are real ties."""

_EARTH_RADIUS_KM: Final = 6371.0088
_TEXT_REASON_WORDS: Final = 3
"""Matched words shown in a text reason."""
_LANGUAGE_ORDER: Final = ("de", "en")
"""Languages named first in reasons; the rest alphabetically."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _idf(n: int, df: int) -> float:
    """BM25 idf (the Lucene variant, never negative)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _document_terms(doc: MatchDocument, title_boost: int) -> Counter[str]:
    counts = Counter(index_terms(doc.text))
    if doc.title and title_boost > 0:
        for term, n in Counter(index_terms(doc.title)).items():
            counts[term] += n * title_boost
    return counts


@dataclass(frozen=True, eq=False)
class CorpusStatistics:
    """What BM25 takes from a whole collection: each known term's idf, and the mean length.

    An index built with another index's statistics scores its documents exactly as that
    index would if they were part of it (terms it does not know are left out), so a small
    index of changed documents can be ranked beside a large shared one.
    """

    idf: Mapping[str, float]
    avgdl: float


class MatchIndex:
    """Index over candidate documents, built once and queried many times.

    Holds, per document, its ``term -> BM25 impact`` map (impact = idf times the
    saturated, length-normalised term frequency, precomputed with the index's
    weights) for exact scoring, and per term and per topic the set of documents
    containing it, as bitsets for terms common enough to be worth it and as id
    arrays otherwise, for selection.

    Document ids are assigned in ``ref`` order, which makes every tie-break
    independent of the order candidates were passed in.

    :class:`klinke.matching.packed.PackedIndex` holds the same members as views over a
    shared buffer, hence the abstract types here.
    """

    documents: Sequence[MatchDocument]
    weights: Weights
    embedder: Embedder | None
    _avgdl: float
    _idf: Mapping[str, float]
    _postings: Mapping[str, Sequence[int]]
    _forward: Sequence[Mapping[str, float]]
    _vectors: Sequence[Sequence[float]] | None
    _term_bits: Mapping[str, int]
    _topic_bits: Mapping[str, int]
    _factor_bits: _FactorBits
    _fairness: Sequence[float]
    _availability: Sequence[float | None]
    _ids: Mapping[str, int]
    _negated: Mapping[int, frozenset[str]]
    _doc_topics: Sequence[frozenset[str]]
    _doc_kinds: Sequence[frozenset[str]]
    _doc_languages: Sequence[frozenset[str]]
    _doc_hours: Sequence[float | None]
    """Per document its topics, kinds, languages and capacity in hours (None or NaN when
    not stated): the first ranking stage reads only these (and the impacts), never a whole
    document."""
    _availability_values: Sequence[float | None]
    """Per document its availability for a query without needed hours; None or NaN when
    the document does not state its capacity."""

    def __init__(
        self,
        documents: Sequence[MatchDocument],
        *,
        idf: Mapping[str, float],
        postings: dict[str, array[int]],
        forward: list[dict[str, float]],
        weights: Weights,
        embedder: Embedder | None = None,
        vectors: Sequence[Sequence[float]] | None = None,
        avgdl: float = 1.0,
    ) -> None:
        self.documents = tuple(documents)
        self._avgdl = avgdl
        self.weights = weights
        self.embedder = embedder
        n = len(self.documents)
        self._idf = idf
        self._postings = postings
        self._forward = forward
        self._vectors = vectors
        # Bitsets cost n/8 bytes each, ids 4 bytes per posting: keep bitsets for the
        # terms where a query would otherwise convert many ids.
        threshold = max(32, n // 256)
        self._term_bits = {
            t: bitsets.from_ids(ids, n) for t, ids in postings.items() if len(ids) >= threshold
        }
        by_topic: dict[str, list[int]] = {}
        for i, doc in enumerate(self.documents):
            for topic in doc.topics:
                by_topic.setdefault(topic, []).append(i)
        self._topic_bits = {t: bitsets.from_ids(ids, n) for t, ids in by_topic.items()}
        self._factor_bits = _FactorBits.build(self.documents)
        self._fairness = [_fairness(d, weights) for d in self.documents]
        self._availability = [_availability(d, None, weights) for d in self.documents]
        self._availability_values = self._availability
        self._doc_topics = [d.topics for d in self.documents]
        self._doc_kinds = [d.kinds for d in self.documents]
        self._doc_languages = [d.languages for d in self.documents]
        self._doc_hours = [d.capacity_hours for d in self.documents]
        self._ids = {doc.ref: i for i, doc in enumerate(self.documents)}
        # Terms a document itself rules out ("ohne Tracking"): a query that rules them out
        # too does not rank it down for them.
        negated: dict[int, frozenset[str]] = {}
        for i, doc in enumerate(self.documents):
            words = negated_words(f"{doc.title}\n{doc.text}")
            if words:
                negated[i] = frozenset(index_terms(" ".join(sorted(words))))
        self._negated = negated

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def statistics(self) -> CorpusStatistics:
        """This index's idf and mean document length, to build a companion index with."""
        return CorpusStatistics(idf=self._idf, avgdl=self._avgdl)

    @classmethod
    def build(
        cls,
        candidates: Iterable[MatchDocument],
        *,
        weights: Weights = DEFAULT_WEIGHTS,
        embedder: Embedder | None = None,
        statistics: CorpusStatistics | None = None,
        analyse: Callable[[MatchDocument, int], Counter[str]] | None = None,
    ) -> MatchIndex:
        """Analyse ``candidates`` and build the index. Refs must be unique.

        With ``statistics`` (another index's), idf and mean length are taken from there
        instead of from ``candidates``, and terms unknown to it are left out. ``analyse``
        (document, title boost) -> term counts replaces the analysis, e.g. by a cache.
        """
        docs = sorted(candidates, key=lambda d: d.ref)
        for a, b in pairwise(docs):
            if a.ref == b.ref:
                raise ValueError(f"duplicate candidate ref {a.ref!r}")
        counts = [(analyse or _document_terms)(doc, weights.title_boost) for doc in docs]
        lengths = [sum(c.values()) for c in counts]
        if statistics is not None:
            known = statistics.idf
            counts = [Counter({t: n for t, n in c.items() if t in known}) for c in counts]
        postings: dict[str, array[int]] = {}
        for i, c in enumerate(counts):
            for t in c:
                ids = postings.get(t)
                if ids is None:
                    ids = postings[t] = array("i")
                ids.append(i)
        n = len(docs)
        idf: Mapping[str, float]
        if statistics is not None:
            idf, avgdl = statistics.idf, statistics.avgdl
        else:
            idf = {t: _idf(n, len(ids)) for t, ids in postings.items()}
            # documents without text (topics only) must not divide by zero
            avgdl = max(1.0, sum(lengths) / n) if n else 1.0
        k1, bm25_b = weights.bm25_k1, weights.bm25_b
        forward: list[dict[str, float]] = []
        for c, dl in zip(counts, lengths, strict=True):
            norm = k1 * (1 - bm25_b + bm25_b * dl / avgdl)
            forward.append({t: idf[t] * tf * (k1 + 1) / (tf + norm) for t, tf in c.items()})
        vectors = None
        if embedder is not None and docs:
            vectors = embedder.passages([f"{d.title}\n{d.text}" for d in docs])
        return cls(
            docs,
            idf=idf,
            postings=postings,
            forward=forward,
            weights=weights,
            embedder=embedder,
            vectors=vectors,
            avgdl=avgdl,
        )

    def document(self, ref: str) -> MatchDocument | None:
        """The indexed document with ``ref``, if any."""
        i = self._ids.get(ref)
        return None if i is None else self.documents[i]

    def _impacts_for(
        self, terms: Sequence[str]
    ) -> tuple[list[Hashable], Callable[[int], Mapping[Any, float]]]:
        """Keys for `terms` and document id -> its BM25 impacts by key, holding at least
        those of `terms` it contains (here the keys are the terms themselves)."""
        return list(terms), self._forward.__getitem__

    def _bits(self, term: str) -> int:
        bits = self._term_bits.get(term)
        if bits is None:
            # A term of shared statistics may have no document in this index.
            bits = bitsets.from_ids(self._postings.get(term, ()), len(self.documents))
        return bits


def _group_bits(keys: Sequence[object], n: int) -> dict[object, int]:
    groups: dict[object, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return {k: bitsets.from_ids(ids, n) for k, ids in groups.items()}


def _capacity_key(hours: float | None) -> float | None:
    """Bucket free hours for selection: None, 0, or the next power of two (max 256)."""
    if hours is None or hours <= 0:
        return None if hours is None else 0.0
    return float(min(256, 2 ** math.ceil(math.log2(max(hours, 1.0)))))


@dataclass(frozen=True, slots=True)
class _FactorBits:
    """Bitsets of documents by language, kind, place, capacity and open introductions.

    They let selection add points for the non-text factors to all documents at once.
    """

    languages: dict[str, int]
    no_language: int
    kinds: dict[str, int]
    no_kind: int
    places: dict[str, int]
    """Country code or NUTS prefix -> documents located there."""
    remote: int
    no_region: int
    capacity: dict[float | None, int]
    introductions: dict[int, int]

    @classmethod
    def build(cls, docs: Sequence[MatchDocument]) -> _FactorBits:
        n = len(docs)

        def by_member(get: Callable[[MatchDocument], Iterable[str]]) -> dict[str, int]:
            groups: dict[str, list[int]] = {}
            for i, doc in enumerate(docs):
                for key in get(doc):
                    groups.setdefault(key, []).append(i)
            return {k: bitsets.from_ids(ids, n) for k, ids in groups.items()}

        def places(doc: MatchDocument) -> set[str]:
            region = doc.region
            if region is None:
                return set()
            keys = {region.nuts_code[:size] for size in (3, 4, 5) if len(region.nuts_code) >= size}
            country = region.country or region.nuts_code[:2]
            if country:
                keys.add(country)
            return keys

        capacity = _group_bits([_capacity_key(d.capacity_hours) for d in docs], n)
        intros = _group_bits([min(max(0, d.open_introductions), 16) for d in docs], n)
        return cls(
            languages=by_member(lambda d: d.languages),
            no_language=bitsets.from_ids((i for i, d in enumerate(docs) if not d.languages), n),
            kinds=by_member(lambda d: d.kinds),
            no_kind=bitsets.from_ids((i for i, d in enumerate(docs) if not d.kinds), n),
            places=by_member(places),
            remote=bitsets.from_ids((i for i, d in enumerate(docs) if d.remote), n),
            no_region=bitsets.from_ids((i for i, d in enumerate(docs) if d.region is None), n),
            capacity={k: v for k, v in capacity.items() if k is None or isinstance(k, float)},
            introductions={k: v for k, v in intros.items() if isinstance(k, int)},
        )


# --- factor values -----------------------------------------------------------------


def _availability(doc: MatchDocument, needed: float | None, w: Weights) -> float | None:
    """Value in [0, 1], or None when the candidate does not state its capacity."""
    hours = doc.capacity_hours
    return None if hours is None else _hours_value(hours, needed, w)


def _fairness(doc: MatchDocument, w: Weights) -> float:
    return 1.0 / (1.0 + max(0, doc.open_introductions) / w.fairness_half)


def _ordered_languages(codes: Iterable[str]) -> list[str]:
    def key(code: str) -> tuple[int, str]:
        if code in _LANGUAGE_ORDER:
            return (_LANGUAGE_ORDER.index(code), code)
        return (len(_LANGUAGE_ORDER), code)

    return sorted(codes, key=key)


@dataclass(frozen=True, slots=True)
class _RegionFit:
    value: float
    place: str = ""
    country: str = ""
    distance_km: float | None = None
    remote: bool = False


def _nuts_level(a: str, b: str) -> int:
    """Shared NUTS level: 3, 2, 1, 0 (country) or -1 (none). NUTS codes are 2+1/2/3."""
    if len(a) < 2 or len(b) < 2 or a[:2] != b[:2]:
        return -1
    level = 0
    for n in (1, 2, 3):
        if len(a) >= 2 + n and len(b) >= 2 + n and a[: 2 + n] == b[: 2 + n]:
            level = n
    return level


def _region(query: MatchDocument, doc: MatchDocument, w: Weights) -> _RegionFit:
    remote = _RegionFit(w.remote, remote=True) if query.remote and doc.remote else None
    qr, dr = query.region, doc.region
    local = _proximity(qr, dr, w) if qr is not None and dr is not None else None
    best = max(
        (fit for fit in (remote, local) if fit is not None),
        key=lambda f: f.value,
        default=None,
    )
    return best if best is not None else _RegionFit(w.region_unknown)


def _proximity(qr: Region, dr: Region, w: Weights) -> _RegionFit | None:
    same_country = bool(qr.country) and qr.country == dr.country
    floor = w.same_country if same_country else 0.0
    if qr.has_coordinates and dr.has_coordinates:
        assert qr.lat is not None and qr.lon is not None
        assert dr.lat is not None and dr.lon is not None
        km = haversine_km(qr.lat, qr.lon, dr.lat, dr.lon)
        value = max(floor, math.exp(-km / w.distance_scale_km))
        return _RegionFit(value, place=dr.city, country=dr.country, distance_km=km)
    level = _nuts_level(qr.nuts_code, dr.nuts_code)
    if level >= 1:
        value = {1: w.same_nuts1, 2: w.same_nuts2, 3: w.same_nuts3}[level]
        return _RegionFit(value, place=dr.city or dr.nuts_code, country=dr.country)
    if same_country or level == 0:
        return _RegionFit(w.same_country, country=dr.country or qr.country)
    if qr.country and dr.country:
        return _RegionFit(0.0)
    return None


# --- the query ---------------------------------------------------------------------


@dataclass(slots=True)
class _Query:
    """Everything about one query that is computed once, not per candidate."""

    doc: MatchDocument
    weights: Weights
    active: dict[Factor, float]
    """Weight share of each factor that applies to this query (sums to 1)."""
    terms: list[tuple[str, float]]
    """(term, idf) used for retrieval, core terms first, then rarest first."""
    term_weights: list[float]
    """Weight of each term of ``terms`` (1 for core terms and short queries)."""
    excluded: frozenset[str]
    """Index terms of what the query rules out ("kein Tracking")."""
    feedback: dict[int, tuple[int, tuple[str, ...]]]
    """Document id -> helpful introductions on the query's topics, and those topics."""
    words: dict[str, str]
    """term -> query word as written, for reasons."""
    text_half: float
    related: list[dict[str, float]]
    """Per query topic: related topic -> similarity."""
    vector: Sequence[float] | None


def _prepare(
    query: MatchDocument,
    index: MatchIndex,
    topics: TopicTree,
    weights: Weights,
    feedback: Mapping[str, Mapping[str, int]] | None = None,
) -> _Query:
    idf = index._idf
    words: dict[str, str] = {}
    excluded: set[str] = set()
    for entry in ranking_terms(f"{query.title}\n{query.text}"):
        if entry.negated:
            if entry.term in idf:
                excluded.add(entry.term)
            continue
        found = [entry.term] if entry.term in idf else spelling_terms(entry.folded)
        for term in found:
            words.setdefault(term, entry.word)
    core = _core_terms(query, topics, set(words))
    known = sorted(((t, idf[t]) for t in words if t in idf), key=lambda e: (-e[1], e[0]))
    core_known = [e for e in known if e[0] in core][: weights.core_terms_max]
    kept = {t for t, _ in core_known}
    rest = [e for e in known if e[0] not in kept]
    other_weight = weights.long_query_term_weight if len(rest) > weights.max_query_terms else 1.0
    rest = rest[: weights.max_query_terms]
    known = core_known + rest
    term_weights = [1.0] * len(core_known) + [other_weight] * len(rest)
    excluded -= set(words)
    total_weight = sum(term_weights)
    mean_idf = (
        sum(w * e[1] for w, e in zip(term_weights, known, strict=True)) / total_weight
        if known
        else 1.0
    )
    half = min(weights.text_half, 0.5 * total_weight) * mean_idf
    related = [
        topics.related(slug, weights.topic_parent_step, weights.topic_sibling)
        for slug in sorted(query.topics)
    ]
    helpful, any_helpful = _feedback(index, related, weights, feedback) if feedback else ({}, False)
    vector: Sequence[float] | None = None
    if index.embedder is not None and index._vectors is not None:
        vector = index.embedder.query(f"{query.title}\n{query.text}")
    raw: dict[Factor, float] = {
        "topic": weights.topic if related else 0.0,
        "text": weights.text if known else 0.0,
        "kind": weights.kind if query.kinds else 0.0,
        "language": weights.language if query.languages else 0.0,
        "region": weights.region if (query.region is not None or query.remote) else 0.0,
        "availability": weights.availability,
        "fairness": weights.fairness,
        "semantic": weights.semantic if vector is not None else 0.0,
        # On when any party has helpful introductions close to the query's topics, whether or
        # not this index holds it: a shared index and its overlay must share their factors.
        "feedback": weights.feedback if any_helpful else 0.0,
    }
    total = sum(v for v in raw.values() if v > 0) or 1.0
    active = {f: v / total for f, v in raw.items() if v > 0}
    return _Query(
        query,
        weights,
        active,
        known,
        term_weights,
        frozenset(excluded),
        helpful,
        words,
        half,
        related,
        vector,
    )


def _core_terms(query: MatchDocument, topics: TopicTree, terms: set[str]) -> set[str]:
    """Query terms from its title or tied to its topics (in a topic's name, either language)."""
    core = set(_title_terms(query.title)) if query.title else set()
    for slug in query.topics:
        label = topics.label(slug)
        core.update(_label_terms(label.en, label.de))
    return core & terms


@functools.lru_cache(maxsize=4096)
def _label_terms(en: str, de: str) -> frozenset[str]:
    return frozenset(index_terms(f"{en}\n{de}"))


@functools.lru_cache(maxsize=4096)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(e.term for e in ranking_terms(title))


def _feedback(
    index: MatchIndex,
    related: list[dict[str, float]],
    weights: Weights,
    feedback: Mapping[str, Mapping[str, int]],
) -> tuple[dict[int, tuple[int, tuple[str, ...]]], bool]:
    """Helpful introductions per document on topics close to the query's (same, parent, child),
    and whether any party at all has some (in this index or not)."""
    close = {
        slug
        for rel in related
        for slug, similarity in rel.items()
        if similarity >= weights.topic_parent_step
    }
    out: dict[int, tuple[int, tuple[str, ...]]] = {}
    anywhere = False
    for ref, by_topic in feedback.items():
        hits = {slug: n for slug, n in by_topic.items() if slug in close and n > 0}
        if not hits:
            continue
        anywhere = True
        i = index._ids.get(ref)
        if i is not None:
            out[i] = (sum(hits.values()), tuple(sorted(hits, key=lambda s: (-hits[s], s))))
    return out, anywhere


def _select(index: MatchIndex, q: _Query) -> list[int]:
    """Ids of the documents with the best approximate scores, sharing terms or topics.

    Every factor adds integer points (weight x value x :attr:`Weights.selection_
    resolution`) to all documents at once through bitsets. Approximations: text
    counts each matched term's idf once (no term frequency or length) and linearises
    BM25's saturation; region uses NUTS areas and country instead of distances;
    capacity is bucketed. Only documents that contain a query term or carry a related
    topic can be selected.
    """
    w = q.weights
    fb = index._factor_bits
    res = w.selection_resolution
    adds: list[tuple[int, float]] = []  # (documents, score units)
    share = q.active
    shared = 0

    if "text" in share:
        # secant of raw/(raw+half) through 0 and 2*half: slope 1/(3*half)
        slope = share["text"] / (3 * q.text_half)
        for (term, idf), weight in zip(q.terms, q.term_weights, strict=True):
            bits = index._bits(term)
            shared |= bits
            adds.append((bits, idf * weight * slope))
    if "topic" in share:
        per_topic = share["topic"] / len(q.related)
        for rel in q.related:
            adds.extend(_levels(index._topic_bits, rel, per_topic))
            for slug in rel:
                shared |= index._topic_bits.get(slug, 0)
    if not shared:
        return []
    if "kind" in share:
        per_kind = share["kind"] / len(q.doc.kinds)
        adds.extend((fb.kinds.get(k, 0), per_kind) for k in q.doc.kinds)
        adds.append((fb.no_kind, share["kind"] * w.unknown))
    if "language" in share:
        speaks = 0
        for code in q.doc.languages:
            speaks |= fb.languages.get(code, 0)
        adds.append((speaks, share["language"]))
        adds.append((fb.no_language, share["language"] * w.unknown))
    if "region" in share:
        adds.extend(_region_levels(q, fb))
    needed = q.doc.capacity_hours
    for hours, bits in fb.capacity.items():
        value = w.unknown if hours is None else _hours_value(hours, needed, w)
        adds.append((bits, share.get("availability", 0.0) * value))
    for count, bits in fb.introductions.items():
        adds.append((bits, share.get("fairness", 0.0) / (1.0 + count / w.fairness_half)))
    if "feedback" in share:
        for i, (n, _) in q.feedback.items():
            value = n / (n + w.feedback_half)
            adds.append((bitsets.from_ids([i], len(index)), share["feedback"] * value))

    points = [(bits, round(units * res)) for bits, units in adds if bits and units > 0]
    sums = bitsets.BitSlicedSum(sum(p for _, p in points).bit_length())
    for bits, p in points:
        if p > 0:
            sums.add(bits, p)
    return bitsets.to_ids(sums.top(w.candidate_pool, within=shared))


def _levels(
    bits_by_key: Mapping[str, int], values: Mapping[str, float], share: float
) -> list[tuple[int, float]]:
    """Points for the best value each document reaches (values best first)."""
    out: list[tuple[int, float]] = []
    covered = 0
    for value in sorted(set(values.values()), reverse=True):
        bits = 0
        for key, v in values.items():
            if v == value:
                bits |= bits_by_key.get(key, 0)
        fresh = bits & ~covered
        covered |= bits
        if fresh:
            out.append((fresh, share * value))
    return out


def _region_levels(q: _Query, fb: _FactorBits) -> list[tuple[int, float]]:
    """Approximate region points: NUTS areas, country, remote; unknown is neutral."""
    w = q.weights
    share = q.active["region"]
    levels: dict[str, float] = {}
    region = q.doc.region
    if region is not None:
        nuts = region.nuts_code
        country = region.country or nuts[:2]
        if country:
            levels[country] = w.same_country
        for size, value in ((3, w.same_nuts1), (4, w.same_nuts2), (5, w.same_nuts3)):
            if len(nuts) >= size:
                levels[nuts[:size]] = value
    bits_by_key = dict(fb.places)
    if q.doc.remote:
        levels["\0remote"] = w.remote
        bits_by_key["\0remote"] = fb.remote
    out = _levels(bits_by_key, levels, share)
    covered = 0
    for bits, _ in out:
        covered |= bits
    out.append((fb.no_region & ~covered, share * w.region_unknown))
    return out


def _hours_value(hours: float, needed: float | None, w: Weights) -> float:
    if hours <= 0:
        return 0.0
    if needed is not None and needed > 0:
        return min(1.0, hours / needed)
    return hours / (hours + w.availability_half_hours)


def _topic_value(q: _Query, doc_topics: frozenset[str]) -> float:
    """Mean over the query's topics of the best similarity to a candidate topic."""
    if not doc_topics or not q.related:
        return 0.0
    total = 0.0
    for rel in q.related:
        total += max(rel.get(t, 0.0) for t in doc_topics)
    return total / len(q.related)


def rank(
    query: MatchDocument,
    candidates: Sequence[MatchDocument] | MatchIndex,
    *,
    topics: TopicTree,
    limit: int = 10,
    weights: Weights = DEFAULT_WEIGHTS,
    kind_labels: Mapping[str, Label] | None = None,
    feedback: Mapping[str, Mapping[str, int]] | None = None,
) -> list[Match]:
    """The ``limit`` best candidates for ``query``, best first, with reasons.

    ``feedback`` maps a candidate's ref to helpful introductions per topic slug of their
    needs (see :attr:`Weights.feedback`); it is read per query, never stored in the index.

    ``candidates`` is either a prebuilt :class:`MatchIndex` (fast; its BM25 settings
    are those it was built with) or a sequence of documents, indexed on the fly.
    Only candidates sharing terms or related topics with the query are returned; the
    query's own ``ref`` is never returned. ``kind_labels`` names kinds in reasons.
    """
    if limit <= 0:
        return []
    index = (
        candidates
        if isinstance(candidates, MatchIndex)
        else MatchIndex.build(candidates, weights=weights)
    )
    if not len(index):
        return []
    q = _prepare(query, index, topics, weights, feedback)
    if not q.terms and not q.related:
        return []
    pool = _select(index, q)
    if not pool:
        return []

    # Stage 1: every factor except region and semantic, for the whole pool. Text is
    # exact BM25, summed per document over all query terms (map/sum run in C).
    share = q.active
    w = q.weights
    query_doc = q.doc
    terms = [t for t, _ in q.terms]
    zeros = [0.0] * len(terms)
    term_weights = q.term_weights
    weighted = any(x != 1.0 for x in term_weights)
    mul = operator.mul
    excluded = q.excluded
    negated = index._negated
    penalty = w.excluded_penalty
    penalised: set[int] = set()
    helpful = q.feedback
    s_feedback = share.get("feedback", 0.0)
    excluded_terms = sorted(excluded)
    keys, impacts_of = index._impacts_for([*terms, *excluded_terms])
    term_keys = keys[: len(terms)]
    excluded_keys = keys[len(terms) :]
    docs = index.documents
    doc_topics = index._doc_topics
    doc_kinds = index._doc_kinds
    doc_languages = index._doc_languages
    doc_hours = index._doc_hours
    own = index._ids.get(query_doc.ref)
    fairness = index._fairness
    availability = index._availability_values
    half = q.text_half
    s_text = share.get("text", 0.0)
    s_topic = share.get("topic", 0.0)
    s_kind = share.get("kind", 0.0)
    s_language = share.get("language", 0.0)
    s_avail = share.get("availability", 0.0)
    s_fair = share.get("fairness", 0.0)
    q_kinds = query_doc.kinds
    q_languages = query_doc.languages
    needed = query_doc.capacity_hours
    topic_cache: dict[frozenset[str], float] = {}
    scored: list[tuple[float, int, tuple[float, ...]]] = []
    for i in pool:
        if i == own:
            continue
        impacts = impacts_of(i)
        if not terms:
            raw = 0.0
        elif weighted:
            raw = sum(map(mul, map(impacts.get, term_keys, zeros), term_weights))
        else:
            raw = sum(map(impacts.get, term_keys, zeros))
        text = raw / (raw + half) if raw > 0 else 0.0
        topic = 0.0
        if s_topic:
            d_topics = doc_topics[i]
            cached = topic_cache.get(d_topics)
            if cached is None:
                cached = topic_cache[d_topics] = _topic_value(q, d_topics)
            topic = cached
        kind = language = 0.0
        if s_kind:
            d_kinds = doc_kinds[i]
            kind = len(q_kinds & d_kinds) / len(q_kinds) if d_kinds else w.unknown
        if s_language:
            d_languages = doc_languages[i]
            shared = q_languages & d_languages
            language = (1.0 if shared else 0.0) if d_languages else w.unknown
        # NaN (a packed index's "unknown") is the only value unequal to itself
        if needed is None:
            avail = availability[i]
        else:
            hours = doc_hours[i]
            avail = None if hours is None or hours != hours else _hours_value(hours, needed, w)
        avail_value = w.unknown if avail is None or avail != avail else avail
        fair = fairness[i]
        liked = 0.0
        if s_feedback and i in helpful:
            n = helpful[i][0]
            liked = n / (n + w.feedback_half)
        known = (
            s_text * text
            + s_topic * topic
            + s_kind * kind
            + s_language * language
            + s_avail * avail_value
            + s_fair * fair
            + s_feedback * liked
        )
        if excluded and any(
            k in impacts and t not in negated.get(i, ())
            for t, k in zip(excluded_terms, excluded_keys, strict=True)
        ):
            penalised.add(i)
            known *= penalty
        scored.append((-known, i, (text, topic, kind, language, avail_value, fair, liked)))
    scored.sort()

    # Stage 2: region and semantic, best known score first, until even perfect
    # values for them could not reach the k-th best score.
    late = share.get("region", 0.0) + share.get("semantic", 0.0)
    # Min-heap keyed (score, -id): its root is the worst kept match. Ids follow ref
    # order, so among equal scores the larger ref is the worse one.
    heap: list[tuple[float, int, dict[Factor, float]]] = []
    # Many candidates share a place (a city, a collective's offers): each is measured once.
    region_values: dict[tuple[Region | None, bool], float] = {}
    for neg_known, i, early in scored:
        known = -neg_known
        full = len(heap) == limit
        if full and round(known + late, SCORE_DIGITS) < heap[0][0]:
            break
        values: dict[Factor, float] = dict(zip(_EARLY, early, strict=True))
        extra = 0.0
        if "region" in share:
            doc = docs[i]
            place = (doc.region, doc.remote)
            region = region_values.get(place)
            if region is None:
                region = region_values[place] = _region(query_doc, doc, w).value
            values["region"] = region
            extra += share["region"] * region
        if "semantic" in share:
            vector = index._vectors[i] if index._vectors is not None else None
            sim = cosine(q.vector, vector) if q.vector is not None and vector else 0.0
            floor = w.semantic_floor
            values["semantic"] = max(0.0, (sim - floor) / (1.0 - floor)) if floor < 1 else 0.0
            extra += share["semantic"] * values["semantic"]
        if i in penalised:
            extra *= penalty
        score = round(known + extra, SCORE_DIGITS)
        if not full:
            heapq.heappush(heap, (score, -i, values))
        elif (score, -i) > heap[0][:2]:
            heapq.heapreplace(heap, (score, -i, values))

    best = sorted(heap, key=lambda e: (-e[0], -e[1]))
    return [
        Match(
            ref=docs[-neg].ref,
            type=docs[-neg].type,
            score=score,
            reasons=Explanation(
                functools.partial(_reasons, q, index, -neg, values, topics, kind_labels)
            ),
        )
        for score, neg, values in best
    ]


_EARLY: Final[tuple[Factor, ...]] = (
    "text",
    "topic",
    "kind",
    "language",
    "availability",
    "fairness",
    "feedback",
)
"""Factors computed in stage 1, in the order of the value tuples there."""


# --- reasons -------------------------------------------------------------------------


def _reasons(
    q: _Query,
    index: MatchIndex,
    i: int,
    values: dict[Factor, float],
    topics: TopicTree,
    kind_labels: Mapping[str, Label] | None,
) -> list[Reason]:
    w = q.weights
    reasons: list[Reason] = []
    for factor, share in q.active.items():
        contribution = round(share * values[factor], SCORE_DIGITS)
        if contribution < w.reason_min:
            continue
        reason = _reason(q, index, i, factor, contribution, topics, kind_labels)
        if reason is not None:
            reasons.append(reason)
    reasons.sort(key=lambda r: (-r.score, r.factor))
    return reasons


def _reason(
    q: _Query,
    index: MatchIndex,
    i: int,
    factor: Factor,
    score: float,
    topics: TopicTree,
    kind_labels: Mapping[str, Label] | None,
) -> Reason | None:
    query = q.doc
    doc = index.documents[i]
    match factor:
        case "topic":
            shared = sorted(query.topics & doc.topics)
            near = sorted(
                t
                for t in doc.topics - query.topics
                if any(rel.get(t, 0.0) > 0 for rel in q.related)
            )
            return Reason(
                factor,
                score,
                labels=tuple(topics.label(t) for t in shared),
                related=tuple(topics.label(t) for t in near),
            )
        case "text":
            terms = [t for t, _ in q.terms]
            keys, impacts_of = index._impacts_for(terms)
            impacts = impacts_of(i)
            found = {t: impacts[k] for t, k in zip(terms, keys, strict=True) if k in impacts}
            matched = sorted(found, key=lambda t: (-found[t], t))
            # Nouns, names and domain words say what a text is about; verbs and adjectives
            # ("übernehmen", "kleine") do not, so a reason shows only words whose German form
            # is capitalised, English lexicon words shown by their German pair.
            said: list[Label] = []
            for word in dict.fromkeys(q.words[t] for t in matched):
                german = german_word(word)
                if german[:1].isupper() and all(german != x.de for x in said):
                    said.append(Label(en=word, de=german))
                if len(said) == _TEXT_REASON_WORDS:
                    break
            return Reason(factor, score, labels=tuple(said))
        case "kind":
            kinds = sorted(query.kinds & doc.kinds)
            if not kinds:
                return None
            labels = kind_labels or {}
            return Reason(
                factor,
                score,
                labels=tuple(labels.get(k, Label.plain(k.replace("-", " "))) for k in kinds),
            )
        case "language":
            shared_languages = _ordered_languages(query.languages & doc.languages)
            if not shared_languages:
                return None
            return Reason(factor, score, labels=tuple(language_label(c) for c in shared_languages))
        case "region":
            fit = _region(query, doc, q.weights)
            if fit.value <= q.weights.region_unknown and not fit.remote and not fit.country:
                return None
            return Reason(
                factor,
                score,
                place=fit.place,
                country=fit.country,
                distance_km=None if fit.distance_km is None else round(fit.distance_km, 1),
                remote=fit.remote,
            )
        case "availability":
            if doc.capacity_hours is None:
                return None
            return Reason(factor, score, hours=doc.capacity_hours)
        case "fairness":
            return Reason(factor, score, count=doc.open_introductions)
        case "semantic":
            return Reason(factor, score)
        case "feedback":
            n, slugs = q.feedback.get(i, (0, ()))
            if not n:
                return None
            return Reason(factor, score, labels=tuple(topics.label(s) for s in slugs), count=n)
    return None  # pragma: no cover
