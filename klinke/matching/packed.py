"""A built :class:`MatchIndex` as flat arrays in one buffer, read in place through ``mmap``.

Why: a pickled index is unpickled into every web process, so each holds its own copy of
every dict, string and float (hundreds of MB at 100,000 candidates). Packed, the index is
a few flat arrays (postings and impacts with offsets, bitsets of a fixed size, a compact
table of documents); a process maps the file read-only and reads them where they lie, so
the pages are the kernel's page cache, shared by every process that maps the file. Only
what is small stays per process: the term table (term -> id), the topic and factor bitsets.

:class:`PackedIndex` is a :class:`MatchIndex` whose members are views over the buffer that
give back exactly the values the built index held (floats are stored as doubles, documents
marshalled), so it ranks exactly as the index it was packed from.

Layout: ``MAGIC``, the length of a pickled *meta* dict (format, sizes, the term table,
section offsets and whatever the caller adds), the meta, then 8-byte aligned sections.
Nothing here imports Django.
"""

from __future__ import annotations

import bisect
import marshal
import math
import pickle
import struct
from array import array
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final, cast, overload

from klinke.matching import bitsets
from klinke.matching.documents import MatchDocument, Region
from klinke.matching.engine import CorpusStatistics, MatchIndex, _FactorBits
from klinke.matching.semantic import Embedder

__all__ = ["MAGIC", "PackedIndex", "pack", "read_meta"]

MAGIC: Final = b"KLMX0003"
"""Changed with the layout (0003: per-document terms sorted by id, topic, kind and language
sets, hours)."""
_HEADER: Final = struct.Struct("<8sQ")
_ALIGN: Final = 8
_DOC_CACHE: Final = 16384
"""Decoded documents kept per index and process (the ones queries keep returning)."""


def _doc_tuple(doc: MatchDocument, negated: frozenset[str]) -> tuple[Any, ...]:
    region = doc.region
    return (
        doc.ref,
        doc.type,
        tuple(sorted(doc.topics)),
        tuple(sorted(doc.kinds)),
        tuple(sorted(doc.languages)),
        None
        if region is None
        else (region.city, region.country, region.nuts_code, region.lat, region.lon),
        doc.remote,
        doc.capacity_hours,
        doc.open_introductions,
        tuple(sorted(negated)),
    )


def _bitset_bytes(bits: int, size: int) -> bytes:
    return bits.to_bytes(size, "little")


def pack(
    index: MatchIndex,
    *,
    meta: Mapping[str, Any] | None = None,
    sections: Mapping[str, bytes] | None = None,
) -> bytes:
    """`index` as one buffer for :class:`PackedIndex`, with the caller's `meta` and
    `sections` (readable with :func:`read_meta` and :func:`section`).

    The documents' title and text are not kept: ranking needs only their analysis.
    """
    docs = index.documents
    n = len(docs)
    bit_size = (n + 7) >> 3
    vocab = sorted(set(index._idf) | set(index._postings))
    term_ids = {t: k for k, t in enumerate(vocab)}
    out: dict[str, bytes] = {}

    out["idf"] = array("d", (index._idf.get(t, math.nan) for t in vocab)).tobytes()
    post_off = array("q", [0])
    post_ids = array("i")
    for t in vocab:
        post_ids.extend(index._postings.get(t, ()))
        post_off.append(len(post_ids))
    out["post_off"], out["post_ids"] = post_off.tobytes(), post_ids.tobytes()

    blob = bytearray()
    slots: dict[str, Any] = {}

    def put(bits: int) -> int:
        blob.extend(_bitset_bytes(bits, bit_size))
        return len(blob) // bit_size - 1 if bit_size else 0

    slots["terms"] = {term_ids[t]: put(b) for t, b in index._term_bits.items()}
    slots["topics"] = {t: put(b) for t, b in index._topic_bits.items()}
    fb = index._factor_bits
    slots["factors"] = {
        "languages": {k: put(b) for k, b in fb.languages.items()},
        "no_language": put(fb.no_language),
        "kinds": {k: put(b) for k, b in fb.kinds.items()},
        "no_kind": put(fb.no_kind),
        "places": {k: put(b) for k, b in fb.places.items()},
        "remote": put(fb.remote),
        "no_region": put(fb.no_region),
        "capacity": {k: put(b) for k, b in fb.capacity.items()},
        "introductions": {k: put(b) for k, b in fb.introductions.items()},
    }
    out["bits"] = bytes(blob)

    fwd_off = array("q", [0])
    fwd_terms = array("i")
    fwd_impacts = array("d")
    for impacts in index._forward:
        # by term id, so that a query's terms are found by binary search
        for k, value in sorted((term_ids[t], value) for t, value in impacts.items()):
            fwd_terms.append(k)
            fwd_impacts.append(value)
        fwd_off.append(len(fwd_terms))
    out["fwd_off"], out["fwd_terms"] = fwd_off.tobytes(), fwd_terms.tobytes()
    out["fwd_impacts"] = fwd_impacts.tobytes()

    out["fairness"] = array("d", index._fairness).tobytes()
    out["availability"] = array(
        "d", (math.nan if a is None else a for a in index._availability)
    ).tobytes()

    # Topics, kinds and languages per document as numbers into small tables of distinct
    # sets: the first ranking stage reads them for hundreds of documents per query.
    set_tables: dict[str, list[tuple[str, ...]]] = {}
    for name in ("topics", "kinds", "languages"):
        numbers: dict[tuple[str, ...], int] = {}
        keys = (tuple(sorted(getattr(d, name))) for d in docs)
        ids = array("i", (numbers.setdefault(key, len(numbers)) for key in keys))
        set_tables[name] = list(numbers)
        out[f"doc_{name}"] = ids.tobytes()
    out["doc_hours"] = array(
        "d", (math.nan if d.capacity_hours is None else d.capacity_hours for d in docs)
    ).tobytes()

    doc_off = array("q", [0])
    doc_blob = bytearray()
    ref_off = array("q", [0])
    ref_blob = bytearray()
    for i, doc in enumerate(docs):
        doc_blob += marshal.dumps(_doc_tuple(doc, index._negated.get(i, frozenset())))
        doc_off.append(len(doc_blob))
        ref_blob += doc.ref.encode()
        ref_off.append(len(ref_blob))
    out["doc_off"], out["doc_blob"] = doc_off.tobytes(), bytes(doc_blob)
    out["ref_off"], out["ref_blob"] = ref_off.tobytes(), bytes(ref_blob)

    dim = 0
    if index._vectors is not None:
        dim = len(index._vectors[0]) if n else 0
        vectors = array("d")
        for v in index._vectors:
            if len(v) != dim:
                raise ValueError("vectors of one index must have one length")
            vectors.extend(v)
        out["vectors"] = vectors.tobytes()

    for name, data in (sections or {}).items():
        out[f"x:{name}"] = data

    offsets: dict[str, tuple[int, int]] = {}
    position = 0
    for name, data in out.items():
        offsets[name] = (position, len(data))
        position += len(data) + (-len(data) % _ALIGN)
    head = {
        "n": n,
        "vocab": vocab,
        "avgdl": index._avgdl,
        "weights": index.weights,
        "slots": slots,
        "dim": dim,
        "vectors": index._vectors is not None,
        "sections": offsets,
        "sets": set_tables,
        "meta": dict(meta or {}),
    }
    meta_bytes = pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)
    meta_bytes += b"\0" * (-(_HEADER.size + len(meta_bytes)) % _ALIGN)
    parts = [_HEADER.pack(MAGIC, len(meta_bytes)), meta_bytes]
    for data in out.values():
        parts += [data, b"\0" * (-len(data) % _ALIGN)]
    return b"".join(parts)


def _head(buffer: memoryview) -> tuple[dict[str, Any], int] | None:
    if len(buffer) < _HEADER.size:
        return None
    magic, length = _HEADER.unpack_from(buffer)
    if magic != MAGIC or _HEADER.size + length > len(buffer):
        return None
    # Only klinke's own files are read here (see klinke.matching.store).
    head = pickle.loads(buffer[_HEADER.size : _HEADER.size + length])  # noqa: S301
    if not isinstance(head, dict):
        return None
    return head, _HEADER.size + length


def read_meta(buffer: memoryview) -> dict[str, Any] | None:
    """The caller's meta stored with :func:`pack`, or None if `buffer` is no packed index."""
    found = _head(buffer)
    return None if found is None else cast(dict[str, Any], found[0]["meta"])


def _section(buffer: memoryview, head: dict[str, Any], start: int, name: str) -> memoryview:
    offset, length = head["sections"][name]
    return buffer[start + offset : start + offset + length]


def section(buffer: memoryview, name: str) -> memoryview | None:
    """A section the caller stored with :func:`pack`, or None."""
    found = _head(buffer)
    if found is None or f"x:{name}" not in found[0]["sections"]:
        return None
    return _section(buffer, found[0], found[1], f"x:{name}")


class _Terms(Mapping[str, float]):
    """term -> idf over the packed idf array (terms known only from postings are absent)."""

    def __init__(self, ids: Mapping[str, int], idf: memoryview) -> None:
        self._ids = ids
        self._idf = idf

    def __getitem__(self, term: str) -> float:
        value = cast(float, self._idf[self._ids[term]])
        if math.isnan(value):
            raise KeyError(term)
        return value

    def __contains__(self, term: object) -> bool:
        k = self._ids.get(term) if isinstance(term, str) else None
        return k is not None and not math.isnan(self._idf[k])

    def __iter__(self) -> Iterator[str]:
        return (t for t, k in self._ids.items() if not math.isnan(self._idf[k]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Slices(Sequence[memoryview]):
    """Item i of a flat array with offsets."""

    def __init__(self, offsets: memoryview, values: memoryview) -> None:
        self._offsets = offsets
        self._values = values

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> memoryview: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[memoryview]: ...
    def __getitem__(self, i: int | slice) -> memoryview | Sequence[memoryview]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self._values[self._offsets[i] : self._offsets[i + 1]]


class _Forward(Sequence[dict[str, float]]):
    """Per document, term -> BM25 impact, decoded from the packed arrays when asked for."""

    def __init__(self, slices_terms: _Slices, slices_impacts: _Slices, vocab: list[str]) -> None:
        self._terms = slices_terms
        self._impacts = slices_impacts
        self._vocab = vocab

    def __len__(self) -> int:
        return len(self._terms)

    @overload
    def __getitem__(self, i: int) -> dict[str, float]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[dict[str, float]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, float] | Sequence[dict[str, float]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        vocab = self._vocab
        return dict(zip(map(vocab.__getitem__, self._terms[i]), self._impacts[i], strict=True))


class _Documents(Sequence[MatchDocument]):
    """The packed documents (without title and text), decoded when asked for."""

    def __init__(self, slices: _Slices) -> None:
        self._slices = slices
        self.decode = lru_cache(maxsize=_DOC_CACHE)(self._decode)

    def _decode(self, i: int) -> tuple[MatchDocument, frozenset[str]]:
        (ref, type_, topics, kinds, languages, region, remote, hours, intros, negated) = (
            marshal.loads(self._slices[i])  # noqa: S302 (klinke's own file, see store)
        )
        doc = MatchDocument(
            ref=ref,
            type=type_,
            topics=frozenset(topics),
            kinds=frozenset(kinds),
            languages=frozenset(languages),
            region=None if region is None else Region(*region),
            remote=remote,
            capacity_hours=hours,
            open_introductions=intros,
        )
        return doc, frozenset(negated)

    def __len__(self) -> int:
        return len(self._slices)

    @overload
    def __getitem__(self, i: int) -> MatchDocument: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[MatchDocument]: ...
    def __getitem__(self, i: int | slice) -> MatchDocument | Sequence[MatchDocument]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
            if i < 0:
                raise IndexError(i)
        return self.decode(i)[0]


class _Negated(Mapping[int, frozenset[str]]):
    def __init__(self, documents: _Documents) -> None:
        self._documents = documents

    def get(self, i: int, default: Any = None) -> Any:
        negated = self._documents.decode(i)[1]
        return negated if negated else default

    def __getitem__(self, i: int) -> frozenset[str]:
        negated = self.get(i)
        if negated is None:
            raise KeyError(i)
        return cast(frozenset[str], negated)

    def __iter__(self) -> Iterator[int]:
        return (i for i in range(len(self._documents)) if self.get(i))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Refs(Mapping[str, int]):
    """ref -> document id, by binary search over the packed refs (ids follow ref order)."""

    def __init__(self, slices: _Slices) -> None:
        self._slices = slices

    def _ref(self, i: int) -> str:
        return bytes(self._slices[i]).decode()

    def get(self, ref: str, default: Any = None) -> Any:
        n = len(self._slices)
        i = bisect.bisect_left(range(n), ref, key=self._ref)
        return i if i < n and self._ref(i) == ref else default

    def __getitem__(self, ref: str) -> int:
        i = self.get(ref)
        if i is None:
            raise KeyError(ref)
        return cast(int, i)

    def __iter__(self) -> Iterator[str]:
        return (self._ref(i) for i in range(len(self._slices)))

    def __len__(self) -> int:
        return len(self._slices)


class _TermBits(Mapping[str, int]):
    """term -> bitset, made from the packed bytes when asked for."""

    def __init__(self, term_ids: Mapping[str, int], slots: Mapping[int, int], bits: _Bits) -> None:
        self._term_ids = term_ids
        self._slots = slots
        self._bits = bits

    def get(self, term: str, default: Any = None) -> Any:
        k = self._term_ids.get(term)
        slot = None if k is None else self._slots.get(k)
        return default if slot is None else self._bits(slot)

    def __getitem__(self, term: str) -> int:
        bits = self.get(term)
        if bits is None:
            raise KeyError(term)
        return cast(int, bits)

    def __iter__(self) -> Iterator[str]:
        vocab = {k: t for t, k in self._term_ids.items()}
        return (vocab[k] for k in self._slots)

    def __len__(self) -> int:
        return len(self._slots)


class _Bits:
    def __init__(self, blob: memoryview, size: int) -> None:
        self._blob = blob
        self._size = size

    def __call__(self, slot: int) -> int:
        size = self._size
        return int.from_bytes(self._blob[slot * size : (slot + 1) * size], "little")


class _Postings(Mapping[str, memoryview]):
    def __init__(self, term_ids: Mapping[str, int], slices: _Slices) -> None:
        self._term_ids = term_ids
        self._slices = slices

    def get(self, term: str, default: Any = None) -> Any:
        k = self._term_ids.get(term)
        return default if k is None else self._slices[k]

    def __getitem__(self, term: str) -> memoryview:
        k = self._term_ids[term]
        return self._slices[k]

    def __iter__(self) -> Iterator[str]:
        return iter(self._term_ids)

    def __len__(self) -> int:
        return len(self._term_ids)


class PackedIndex(MatchIndex):
    """A :class:`MatchIndex` read in place from a buffer written by :func:`pack`.

    The buffer (usually an ``mmap`` of a generation file) must stay open as long as the
    index is used.
    """

    def __init__(self, buffer: memoryview, *, embedder: Embedder | None = None) -> None:
        found = _head(buffer)
        if found is None:
            raise ValueError("not a packed match index")
        head, start = found
        self.buffer = buffer

        def part(name: str, fmt: str) -> memoryview:
            whole = _section(buffer, head, start, name)
            view: memoryview = whole.cast(fmt)  # type: ignore[call-overload]
            return view

        n: int = head["n"]
        vocab: list[str] = head["vocab"]
        term_ids = {t: k for k, t in enumerate(vocab)}
        self._avgdl = head["avgdl"]
        self.weights = head["weights"]
        self.embedder = embedder if head["vectors"] else None
        self._idf = _Terms(term_ids, part("idf", "d"))
        self._postings = _Postings(term_ids, _Slices(part("post_off", "q"), part("post_ids", "i")))
        self._term_ids = term_ids
        self._forward_terms = _Slices(part("fwd_off", "q"), part("fwd_terms", "i"))
        self._forward_impacts = _Slices(part("fwd_off", "q"), part("fwd_impacts", "d"))
        self._forward = _Forward(self._forward_terms, self._forward_impacts, vocab)
        documents = _Documents(
            _Slices(part("doc_off", "q"), _section(buffer, head, start, "doc_blob"))
        )
        self.documents = documents
        self._negated = _Negated(documents)
        self._ids = _Refs(_Slices(part("ref_off", "q"), _section(buffer, head, start, "ref_blob")))
        self._fairness = part("fairness", "d")
        availability = part("availability", "d")
        self._availability = _Availability(availability)
        self._availability_values = availability  # NaN: unknown
        self._doc_hours = part("doc_hours", "d")  # NaN: not stated
        for name, tuples in head["sets"].items():
            table = [frozenset(t) for t in tuples]
            setattr(self, f"_doc_{name}", list(map(table.__getitem__, part(f"doc_{name}", "i"))))
        self._vectors = None
        if head["vectors"]:
            dim = head["dim"]
            flat = part("vectors", "d")
            self._vectors = [flat[i * dim : (i + 1) * dim] for i in range(n)] if dim else [[]] * n
        bits = _Bits(_section(buffer, head, start, "bits"), (n + 7) >> 3)
        slots = head["slots"]
        self._term_bits = _TermBits(term_ids, slots["terms"], bits)
        self._topic_bits = {t: bits(k) for t, k in slots["topics"].items()}
        f = slots["factors"]
        self._factor_bits = _FactorBits(
            languages={k: bits(s) for k, s in f["languages"].items()},
            no_language=bits(f["no_language"]),
            kinds={k: bits(s) for k, s in f["kinds"].items()},
            no_kind=bits(f["no_kind"]),
            places={k: bits(s) for k, s in f["places"].items()},
            remote=bits(f["remote"]),
            no_region=bits(f["no_region"]),
            capacity={k: bits(s) for k, s in f["capacity"].items()},
            introductions={k: bits(s) for k, s in f["introductions"].items()},
        )

    @property
    def statistics(self) -> CorpusStatistics:
        return CorpusStatistics(idf=self._idf, avgdl=self._avgdl)

    def _impacts_for(
        self, terms: Sequence[str]
    ) -> tuple[list[Hashable], Callable[[int], Mapping[Any, float]]]:
        """Keys for `terms` (their term ids; -1 for a term not in the index) and document id ->
        the impacts of those of them it contains, by key. A document's term ids are stored
        in ascending order, so each wanted id is found by binary search (in C), and no
        impact is decoded but those found."""
        ids = self._term_ids
        keys: list[Hashable] = [ids.get(t, -1) for t in terms]
        wanted_set = frozenset(k for k in keys if isinstance(k, int) and k >= 0)
        wanted = sorted(wanted_set)
        offsets = self._forward_terms._offsets
        all_terms = self._forward_terms._values
        all_impacts = self._forward_impacts._values
        search = bisect.bisect_left
        common = wanted_set.intersection

        # Binary searches in place cost about ten times what listing one term does: for a
        # document of fewer terms than that, its term ids are listed (in C), intersected
        # with the wanted ones (in C), and the found ones searched in the list.
        whole_below = 10 * len(wanted)

        def impacts(i: int) -> Mapping[int, float]:
            start = offsets[i]
            end = offsets[i + 1]
            if end - start < whole_below:
                listed = all_terms[start:end].tolist()
                return {k: all_impacts[start + search(listed, k)] for k in common(listed)}
            found: dict[int, float] = {}
            for k in wanted:
                start = search(all_terms, k, start, end)
                if start == end:
                    break
                if all_terms[start] == k:
                    found[k] = all_impacts[start]
            return found

        return keys, impacts

    def _bits(self, term: str) -> int:
        bits = self._term_bits.get(term)
        if bits is None:
            bits = bitsets.from_ids(self._postings.get(term, ()), len(self.documents))
        return bits


class _Availability(Sequence[float | None]):
    def __init__(self, values: memoryview) -> None:
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, i: int) -> float | None: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[float | None]: ...
    def __getitem__(self, i: int | slice) -> float | Sequence[float | None] | None:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        value = cast(float, self._values[i])
        return None if math.isnan(value) else value
