"""The shared index store: generations in files, and the overlay of changes ranked beside one."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klinke.matching.documents import MatchDocument, Region, Topic, TopicTree
from klinke.matching.engine import MatchIndex
from klinke.matching.engine import rank as rank_index
from klinke.matching.reasons import Match
from klinke.matching.store import (
    Generation,
    GenerationFile,
    LiveIndex,
    build_overlay,
    rank,
    read_generation,
    write_generation,
)

TREE = TopicTree.from_topics(
    [
        Topic("business", "business", "Geschäft"),
        Topic("pricing", "pricing", "Preisgestaltung", "business"),
        Topic("acquisition", "acquisition", "Akquise", "business"),
        Topic("tech", "technology", "Technik"),
        Topic("hosting", "hosting", "Hosting", "tech"),
    ]
)
WORDS = [
    "Preisgestaltung",
    "Akquise",
    "Angebote",
    "Hosting",
    "Server",
    "Datenschutz",
    "Verträge",
    "Buchhaltung",
    "Kalkulation",
    "Tagessatz",
    "Kund*innen",
    "Webentwicklung",
    "pricing",
    "contracts",
    "accounting",
]
REGIONS = [
    None,
    Region("Leipzig", "DE", "DED5", 51.34, 12.37),
    Region("Berlin", "DE", "DE30", 52.52, 13.40),
    Region("Wien", "AT", "AT13"),
]

texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=8).map(" ".join)


@st.composite
def documents(draw: st.DrawFn, ref: str) -> MatchDocument:
    return MatchDocument(
        ref=ref,
        type=ref.split(":", 1)[0],
        title=draw(texts),
        text=draw(texts),
        topics=frozenset(draw(st.sets(st.sampled_from(sorted(TREE.topics)), max_size=2))),
        kinds=frozenset(draw(st.sets(st.sampled_from(["advice", "mentoring"]), max_size=2))),
        languages=frozenset(draw(st.sets(st.sampled_from(["de", "en"]), max_size=2))),
        region=draw(st.sampled_from(REGIONS)),
        remote=draw(st.booleans()),
        capacity_hours=draw(st.sampled_from([None, 0.0, 4.0, 20.0])),
        open_introductions=draw(st.integers(0, 3)),
    )


@st.composite
def corpus_and_edits(
    draw: st.DrawFn,
) -> tuple[dict[str, MatchDocument], dict[str, MatchDocument | None]]:
    """Documents of a generation, and edits after it: ref -> new document, or None (gone)."""
    refs = [f"offer:{n:02}" for n in range(draw(st.integers(1, 25)))]
    corpus = {ref: draw(documents(ref)) for ref in refs}
    edits: dict[str, MatchDocument | None] = {}
    for ref in draw(st.lists(st.sampled_from(refs), max_size=8, unique=True)):
        edits[ref] = draw(st.one_of(st.none(), documents(ref)))
    for n in range(draw(st.integers(0, 4))):
        added = f"offer:new{n}"
        edits[added] = draw(documents(added))
    return corpus, edits


def live(base: MatchIndex, edits: dict[str, MatchDocument | None]) -> LiveIndex:
    changed = [doc for doc in edits.values() if doc is not None]
    return LiveIndex(base=base, overlay=build_overlay(changed, base), masked=frozenset(edits))


# Helpful introductions per ref and topic (the feedback factor): some for documents only the
# generation holds, some for documents only the overlay holds, some for neither.
feedbacks = st.dictionaries(
    st.sampled_from([f"offer:{n:02}" for n in range(25)] + ["offer:new0", "offer:gone"]),
    st.dictionaries(st.sampled_from(sorted(TREE.topics)), st.integers(1, 4), max_size=2),
    max_size=5,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_edits(), documents("need:q"), st.integers(1, 12), feedbacks, st.integers(0, 20))
def test_it_ranks_overlay_and_generation_as_one_index_of_the_current_documents(
    data: tuple[dict[str, MatchDocument], dict[str, MatchDocument | None]],
    query: MatchDocument,
    limit: int,
    feedback: dict[str, dict[str, int]],
    longer: int,
) -> None:
    corpus, edits = data
    base = MatchIndex.build(corpus.values())
    current = {**corpus, **edits}
    now = [doc for doc in current.values() if doc is not None]
    # One index built now over the current documents, with the generation's statistics.
    fresh = MatchIndex.build(now, statistics=base.statistics)

    expected = rank_index(query, fresh, topics=TREE, limit=limit, feedback=feedback)
    got = rank(query, live(base, edits), topics=TREE, limit=limit, feedback=feedback)
    assert got == expected

    # The generation's part from a longer ranking kept before (as match_index keeps it):
    # its start is the ranking asked for.
    def kept(wanted: int) -> list[Match]:
        ranked = rank_index(query, base, topics=TREE, limit=wanted + longer, feedback=feedback)
        return ranked[:wanted]

    view = live(base, edits)
    assert rank(query, view, topics=TREE, limit=limit, feedback=feedback, base_ranking=kept) == (
        expected
    )


@settings(max_examples=60, deadline=None)
@given(corpus_and_edits(), documents("need:q"))
def test_it_ranks_as_a_fresh_build_when_nothing_changed_or_after_folding(
    data: tuple[dict[str, MatchDocument], dict[str, MatchDocument | None]],
    query: MatchDocument,
) -> None:
    corpus, edits = data
    base = MatchIndex.build(corpus.values())
    assert rank(query, live(base, {}), topics=TREE) == rank_index(query, base, topics=TREE)

    current = [doc for doc in {**corpus, **edits}.values() if doc is not None]
    folded = MatchIndex.build(current)
    assert rank(query, live(folded, {}), topics=TREE) == rank_index(
        query, MatchIndex.build(current), topics=TREE
    )


def test_it_shows_an_edit_at_once_and_drops_a_deleted_document() -> None:
    pricing = MatchDocument("offer:a", "offer", "Preisgestaltung", "Tagessatz Kalkulation")
    hosting = MatchDocument("offer:b", "offer", "Hosting", "Server")
    base = MatchIndex.build([pricing, hosting])
    query = MatchDocument("need:q", "need", "Hilfe bei der Preisgestaltung", "")
    assert [m.ref for m in rank(query, live(base, {}), topics=TREE)] == ["offer:a"]

    edited = replace(hosting, text="Server und Preisgestaltung")
    result = rank(query, live(base, {"offer:a": None, "offer:b": edited}), topics=TREE)

    assert [m.ref for m in result] == ["offer:b"]


def test_it_ranks_without_a_generation_from_the_overlay_alone() -> None:
    docs = [MatchDocument(f"offer:{n}", "offer", "Preisgestaltung", f"Text {n}") for n in range(3)]
    query = MatchDocument("need:q", "need", "Preisgestaltung", "")
    only = LiveIndex(base=None, overlay=build_overlay(docs, None))

    assert rank(query, only, topics=TREE) == rank_index(query, MatchIndex.build(docs), topics=TREE)
    assert len(only) == 3


def test_it_masks_expired_documents_by_date() -> None:
    generation = Generation(
        number=1,
        index=MatchIndex.build([]),
        high_water=0,
        expires={"offer:a": date(2026, 1, 31), "offer:b": date(2026, 3, 1)},
    )
    assert generation.expired(date(2026, 2, 1)) == {"offer:a"}


def test_it_writes_and_reads_a_generation(tmp_path: Path) -> None:
    docs = [MatchDocument("offer:a", "offer", "Preisgestaltung", "Tagessatz")]
    path = tmp_path / "helpers.pickle"
    write_generation(
        path, Generation(7, MatchIndex.build(docs), 42, expires={"offer:a": date(2026, 5, 1)})
    )

    read = read_generation(path)

    assert read is not None
    assert (read.number, read.high_water, dict(read.expires)) == (
        7,
        42,
        {"offer:a": date(2026, 5, 1)},
    )
    query = MatchDocument("need:q", "need", "Preisgestaltung")
    assert rank_index(query, read.index, topics=TREE) == rank_index(
        query, MatchIndex.build(docs), topics=TREE
    )
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_it_ignores_a_missing_file_or_one_of_another_format(tmp_path: Path) -> None:
    import pickle

    assert read_generation(tmp_path / "none.pickle") is None
    other = tmp_path / "other.pickle"
    other.write_bytes(pickle.dumps({"format": -1}))
    assert read_generation(other) is None


def test_it_reloads_a_generation_only_when_the_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "needs.pickle"
    shared = GenerationFile(path)
    assert shared.current() is None
    write_generation(path, Generation(1, MatchIndex.build([]), 0))
    first = shared.current()
    assert first is not None and first.number == 1
    assert shared.current() is first
    write_generation(path, Generation(2, MatchIndex.build([]), 5))
    second = shared.current()
    assert second is not None and (second.number, second.high_water) == (2, 5)


def _read_since(reads: list[int], errors: list[BaseException], before: int) -> bool:
    return reads[0] > before or bool(errors)


def test_it_never_fails_or_sees_half_a_generation_while_generations_are_swapped(
    tmp_path: Path,
) -> None:
    """Generation n holds n documents that all contain the query word, so a reader can tell
    a whole generation from a part of one."""
    path = tmp_path / "helpers.pickle"
    query = MatchDocument("need:q", "need", "Preisgestaltung")

    def generation(n: int) -> Generation:
        docs = [
            MatchDocument(f"offer:{i:03}", "offer", "Preisgestaltung", "Tagessatz " * (n % 3))
            for i in range(n)
        ]
        return Generation(n, MatchIndex.build(docs), n)

    write_generation(path, generation(1))
    done = threading.Event()
    errors: list[BaseException] = []
    seen: set[int] = set()
    reads = [0]  # whole reads so far; the writer lets the readers in between its swaps
    read = threading.Condition()

    def writer() -> None:
        try:
            for n in range(2, 40):
                with read:
                    before = reads[0]
                write_generation(path, generation(n))
                # On a busy machine the writer could swap all generations before a reader
                # got the GIL once; waiting for one more read keeps reads and swaps interleaved
                # (the readers go on reading while the next generation is written).
                with read:
                    read.wait_for(partial(_read_since, reads, errors, before), timeout=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        shared = GenerationFile(path)
        try:
            while not done.is_set():
                current = shared.current()
                assert current is not None
                matches = rank(
                    query,
                    LiveIndex(base=current.index, overlay=build_overlay([], current.index)),
                    topics=TREE,
                    limit=100,
                )
                assert len(current.index) == current.number == current.high_water
                assert len(matches) == current.number
                seen.add(current.number)
                with read:
                    reads[0] += 1
                    read.notify_all()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=writer),
        *(threading.Thread(target=reader) for _ in range(3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(seen) > 1


@pytest.mark.parametrize("changed", [0, 3])
def test_it_counts_documents_the_live_index_holds(changed: int) -> None:
    docs = [MatchDocument(f"offer:{n}", "offer", "Preisgestaltung") for n in range(5)]
    base = MatchIndex.build(docs)
    edits: dict[str, MatchDocument | None] = {d.ref: None for d in docs[:changed]}
    view = live(base, edits)
    assert len(view) == 5 - changed
    assert view.document("offer:0") is (None if changed else base.document("offer:0"))
