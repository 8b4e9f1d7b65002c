"""A built index shared by every process through a file, and changes ranked beside it.

The background worker builds a :class:`MatchIndex` over every candidate of a pool and writes
it packed (flat arrays, `klinke.matching.packed`) as one *generation* to a file that every
web process maps read-only, so they all share its pages; the file is replaced atomically
(``os.replace``): a reader opens either the old file or the new one, never half of one. Web
processes check the file's identity (one ``stat``, no database query) before each query and
map a new generation when it changed.

Documents changed since a generation was built are not waited for: a small *overlay* index
holds them, built with the generation's :class:`CorpusStatistics`, and the generation's
copies of them (and of anything deleted or hidden) are *masked*. :func:`rank` merges the
two, with the same scores and order as one index built over the current documents with the
same statistics. The worker folds the overlay into the next generation.

Nothing here imports Django.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import compress
from pathlib import Path

from klinke.matching import packed
from klinke.matching.documents import Label, MatchDocument, TopicTree
from klinke.matching.engine import SCORE_DIGITS, CorpusStatistics, MatchIndex
from klinke.matching.engine import rank as rank_index
from klinke.matching.packed import PackedIndex
from klinke.matching.reasons import Match
from klinke.matching.semantic import Embedder
from klinke.matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = ["Generation", "GenerationFile", "LiveIndex", "rank", "write_generation"]

FORMAT = 3
"""Bumped when the file's layout changes; files of another format are ignored.
3: per-document topic, kind and language sets; 2: packed arrays read through mmap
(`klinke.matching.packed`); 1 was a pickle."""


class Expiry(Mapping[str, date]):
    """ref -> last current day of a packed generation's documents, read in place."""

    def __init__(self, index: PackedIndex, ordinals: memoryview) -> None:
        self._index = index
        self._ordinals = ordinals

    def expired_before(self, today: date) -> frozenset[str]:
        day = today.toordinal()
        ordinals = self._ordinals
        gone = compress(range(len(ordinals)), (0 < o < day for o in ordinals))
        return frozenset(self._index.documents[i].ref for i in gone)

    def __getitem__(self, ref: str) -> date:
        i = self._index._ids.get(ref)
        if i is None or not self._ordinals[i]:
            raise KeyError(ref)
        return date.fromordinal(self._ordinals[i])

    def __iter__(self) -> Iterator[str]:
        docs = self._index.documents
        return (docs[i].ref for i, o in enumerate(self._ordinals) if o)

    def __len__(self) -> int:
        return sum(1 for o in self._ordinals if o)


@dataclass(frozen=True, eq=False)
class Generation:
    """One built index of a pool, with what is needed to rank beside it."""

    number: int
    index: MatchIndex
    high_water: int
    """The last change (by its number) the index includes; later changes are the overlay."""
    expires: Mapping[str, date] = field(default_factory=dict)
    """ref -> last day the document is current; later it is masked."""
    analysis_version: int = 0
    overlay_since: datetime | None = None
    """Changes made from then on are in the overlay too, whatever their number."""

    def expired(self, today: date) -> frozenset[str]:
        if isinstance(self.expires, Expiry):
            return self.expires.expired_before(today)
        return frozenset(ref for ref, last in self.expires.items() if last < today)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_generation(path: Path, generation: Generation) -> None:
    """Write `generation` to `path` atomically: readers see the old file or the new one.

    The index is packed (`klinke.matching.packed`): readers map the file and share its pages.
    """
    index = generation.index
    ordinals = array("i", [0] * len(index))
    for i, doc in enumerate(index.documents):
        last = generation.expires.get(doc.ref)
        if last is not None:
            ordinals[i] = last.toordinal()
    meta = {
        "format": FORMAT,
        "number": generation.number,
        "high_water": generation.high_water,
        "analysis_version": generation.analysis_version,
        "overlay_since": generation.overlay_since,
    }
    write_bytes_atomically(
        path, packed.pack(index, meta=meta, sections={"expires": ordinals.tobytes()})
    )


def read_generation(path: Path, embedder: Embedder | None = None) -> Generation | None:
    """The generation in `path`, or None if there is none (or one of another format).

    The file is mapped, not read: its pages are shared by every process that maps it, and
    a replaced file stays readable for those still mapping it. Only files written by
    :func:`write_generation` of this installation belong there (the header is a pickle),
    so the directory must be writable by klinke alone.
    """
    try:
        with path.open("rb") as source:
            if os.fstat(source.fileno()).st_size == 0:
                return None
            mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        return None
    buffer = memoryview(mapped)
    meta = packed.read_meta(buffer)
    if meta is None or meta.get("format") != FORMAT:
        return None
    index = packed.PackedIndex(buffer, embedder=embedder)
    ordinals = packed.section(buffer, "expires")
    expires: Mapping[str, date] = {} if ordinals is None else Expiry(index, ordinals.cast("i"))
    return Generation(
        number=meta["number"],
        index=index,
        high_water=meta["high_water"],
        expires=expires,
        analysis_version=meta["analysis_version"],
        overlay_since=meta["overlay_since"],
    )


class GenerationFile:
    """A generation file as a process sees it: loaded once, reloaded when it is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._identity: tuple[int, int, int] | None = None
        self._generation: Generation | None = None

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def current(self, embedder: Embedder | None = None) -> Generation | None:
        """The newest generation; one `stat` when it has not changed."""
        identity = self._stat()
        with self._lock:
            if identity == self._identity:
                return self._generation
            generation = read_generation(self.path, embedder) if identity is not None else None
            # Stat again: if the file was replaced while reading, what was read is still a
            # whole generation (the old file stays readable), and the next call loads the new.
            self._identity = identity
            self._generation = generation
            return generation


@dataclass(frozen=True, eq=False)
class LiveIndex:
    """A shared generation (if any) with the changes since, ready to rank against."""

    base: MatchIndex | None
    overlay: MatchIndex
    masked: frozenset[str] = frozenset()
    """Refs whose copy in `base` is out of date (changed, deleted, hidden or expired)."""

    @property
    def statistics(self) -> CorpusStatistics | None:
        return self.base.statistics if self.base is not None else None

    def document(self, ref: str) -> MatchDocument | None:
        doc = self.overlay.document(ref)
        if doc is None and self.base is not None and ref not in self.masked:
            doc = self.base.document(ref)
        return doc

    def __len__(self) -> int:
        base = 0
        if self.base is not None:
            base = len(self.base) - sum(
                1 for ref in self.masked if self.base._ids.get(ref) is not None
            )
        return base + len(self.overlay)


def build_overlay(
    documents: list[MatchDocument],
    base: MatchIndex | None,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    embedder: Embedder | None = None,
) -> MatchIndex:
    """The index of changed `documents`, scored as if they were part of `base`."""
    return MatchIndex.build(
        documents,
        weights=weights,
        embedder=embedder,
        statistics=base.statistics if base is not None else None,
    )


def rank(
    query: MatchDocument,
    live: LiveIndex,
    *,
    topics: TopicTree,
    limit: int = 10,
    weights: Weights = DEFAULT_WEIGHTS,
    kind_labels: Mapping[str, Label] | None = None,
    feedback: Mapping[str, Mapping[str, int]] | None = None,
    base_ranking: Callable[[int], list[Match]] | None = None,
) -> list[Match]:
    """:func:`klinke.matching.engine.rank` over the shared generation and the overlay.

    The generation is asked for as many more results as it holds masked documents, which
    are then dropped; both lists are merged by score, then ref, as one index orders them.

    `base_ranking(n)`, when given, answers for the generation: its `n` best for the same
    query and inputs, as `engine.rank` would return them. A caller keeps the generation's
    ranking with it, since only the overlay changes with an edit (the engine's `n` best are
    the first `n` of any longer ranking: it orders by score, then ref, exactly).
    """
    matches = rank_index(
        query,
        live.overlay,
        topics=topics,
        limit=limit,
        weights=weights,
        kind_labels=kind_labels,
        feedback=feedback,
    )
    if live.base is not None:
        base = live.base
        hidden = sum(1 for ref in live.masked if base._ids.get(ref) is not None)
        if base_ranking is not None:
            from_base = base_ranking(limit + hidden)
        else:
            from_base = rank_index(
                query,
                base,
                topics=topics,
                limit=limit + hidden,
                weights=weights,
                kind_labels=kind_labels,
                feedback=feedback,
            )
        matches += [m for m in from_base if m.ref not in live.masked]
    matches.sort(key=lambda m: (-round(m.score, SCORE_DIGITS), m.ref))
    return matches[:limit]
