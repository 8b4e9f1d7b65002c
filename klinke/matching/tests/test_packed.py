"""The packed layout read in place ranks exactly as the index it was packed from."""

from __future__ import annotations

import mmap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klinke.matching.documents import MatchDocument
from klinke.matching.engine import MatchIndex
from klinke.matching.engine import rank as rank_index
from klinke.matching.packed import PackedIndex, pack, read_meta, section
from klinke.matching.store import rank as rank_live
from klinke.matching.tests.test_store import TREE, corpus_and_edits, documents, feedbacks, live


def packed(index: MatchIndex) -> PackedIndex:
    return PackedIndex(memoryview(pack(index)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(documents("offer:x"), max_size=25),
    documents("need:q"),
    st.integers(1, 12),
    feedbacks,
)
def test_it_ranks_exactly_as_the_index_it_was_packed_from(
    corpus: list[MatchDocument],
    query: MatchDocument,
    limit: int,
    feedback: dict[str, dict[str, int]],
) -> None:
    from dataclasses import replace

    docs = [replace(doc, ref=f"offer:{n:02}") for n, doc in enumerate(corpus)]
    built = MatchIndex.build(docs)
    got = rank_index(query, packed(built), topics=TREE, limit=limit, feedback=feedback)
    assert got == rank_index(query, built, topics=TREE, limit=limit, feedback=feedback)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_edits(), documents("need:q"), st.integers(1, 12))
def test_it_ranks_an_overlay_beside_a_packed_generation_as_a_fresh_build(
    data: tuple[dict[str, MatchDocument], dict[str, MatchDocument | None]],
    query: MatchDocument,
    limit: int,
) -> None:
    corpus, edits = data
    base = packed(MatchIndex.build(corpus.values()))
    now = [doc for doc in {**corpus, **edits}.values() if doc is not None]
    fresh = MatchIndex.build(now, statistics=base.statistics)
    expected = rank_index(query, fresh, topics=TREE, limit=limit)
    assert rank_live(query, live(base, edits), topics=TREE, limit=limit) == expected


def test_it_reads_members_in_place_from_a_mapped_file(tmp_path: Path) -> None:
    docs = [
        MatchDocument(ref="offer:b", type="offer", text="Preisgestaltung ohne Tracking"),
        MatchDocument(ref="offer:a", type="offer", text="Hosting", capacity_hours=4.0),
    ]
    built = MatchIndex.build(docs)
    path = tmp_path / "helpers.index"
    path.write_bytes(pack(built, meta={"number": 7}, sections={"extra": b"abcd"}))
    with path.open("rb") as source:
        mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    buffer = memoryview(mapped)
    index = PackedIndex(buffer)
    assert read_meta(buffer) == {"number": 7}
    assert bytes(section(buffer, "extra") or b"") == b"abcd"
    assert len(index) == 2
    assert index.document("offer:a") == MatchDocument(
        ref="offer:a", type="offer", capacity_hours=4.0
    )
    assert index.document("offer:c") is None
    assert dict(index.statistics.idf) == dict(built.statistics.idf)
    assert index._forward[1] == built._forward[1]
    assert dict(index._negated) == dict(built._negated)
    assert list(index._availability) == list(built._availability)


def test_it_packs_an_empty_index_that_ranks_nothing() -> None:
    index = packed(MatchIndex.build([]))
    assert len(index) == 0
    query = MatchDocument(ref="need:q", type="need", text="Hosting")
    assert rank_index(query, index, topics=TREE) == []


def test_it_finds_a_short_querys_terms_in_long_documents_as_the_built_index_does() -> None:
    # A long document is searched term by term (binary search over its sorted term ids), a
    # short one's term ids are listed and intersected with the query's; both must give the
    # built index's impacts and reasons.
    words = [f"Fachwort{n}x" for n in range(80)]
    docs = [
        MatchDocument(
            ref=f"offer:{n:02}",
            type="offer",
            title=f"Angebot {n}",
            text=" ".join(words[n:] + words[:n][: n % 7]),
        )
        for n in range(0, 80, 4)
    ]
    docs.append(MatchDocument(ref="offer:short", type="offer", title="Kurz", text=words[9]))
    built = MatchIndex.build(docs)
    index = packed(built)
    for text in (f"{words[9]} {words[50]}", " ".join(words[::3])):
        query = MatchDocument(ref="need:q", type="need", title="Gesucht", text=text)
        got = rank_index(query, index, topics=TREE, limit=30)
        assert got == rank_index(query, built, topics=TREE, limit=30)
        assert any(m.ref == "offer:short" for m in got)
