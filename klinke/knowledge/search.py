"""Full-text search over articles and questions, in German and English at once.

Documents store `matching.analysis.search_document(...)`, as the directory does, and a query
is analysed with `query_terms`: every query word must be found (AND), looked up through the
search index of `core.search` (PostgreSQL full-text, SQLite FTS5).

One widening on top of that: a German compound in the query ("Preisgestaltung") may also be
found through its lexicon translation ("pricing" → `price`), not only through all of its
parts. Otherwise a German article about "Preise" would not be found by "Preisgestaltung",
although an English one about "pricing" is. Words that are not compounds, and compounds the
lexicon does not translate, keep the strict meaning.

Results are ranked by how many query words occur in the title (as written before translated),
then by recency; the title is checked only for rows the index found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Case, Expression, IntegerField, Q, Value, When

from klinke.core.search import TextQuery
from klinke.matching.analysis import (
    fold,
    index_terms,
    query_terms,
    query_terms_with_words,
    split_compound,
    stem,
)


@dataclass(frozen=True)
class QueryWord:
    """One word of the query: found when any one of its alternatives is found in full."""

    surface: str
    alternatives: tuple[tuple[str, ...], ...]

    def condition(self, field: str) -> Q:
        return reduce(
            or_,
            (
                reduce(and_, (Q(**{f"{field}__contains": f" {term} "}) for term in terms))
                for terms in self.alternatives
            ),
        )


def _parts(surface: str) -> list[str]:
    parts: list[str] = []
    for piece in re.split(r"-+", surface):
        word = fold(piece)
        if word:
            parts.extend(split_compound(word) or (word,))
    return parts


def _whole_word_alternatives(surface: str, strict: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Query terms of what a compound as a whole translates to (not what its parts do).

    A term counts as a translation when it leads back to the compound through the lexicon
    ("pricing" indexes "preisgestalt"); that keeps out terms that merely share a part, such
    as "protect" for "Datenschutz" (from the phrase "data protection").
    """
    parts = _parts(surface)
    if len(parts) < 2:
        return []
    folded = fold(surface.replace("-", ""))
    own_stems = {stem(folded, "de"), stem(folded, "en"), folded}
    from_parts: set[str] = set()
    for part in parts:
        from_parts.update(index_terms(part))
    found: list[tuple[str, ...]] = []
    for term in sorted(set(index_terms(surface)) - from_parts - own_stems):
        if not own_stems & set(index_terms(term)):
            continue
        terms = tuple(query_terms(term))
        if terms and terms != strict and terms not in found and not own_stems.issuperset(terms):
            found.append(terms)
    return found


def parse_query(text: str) -> list[QueryWord]:
    words: dict[str, list[str]] = {}
    for term, surface in query_terms_with_words(text):
        words.setdefault(surface, []).append(term)
    parsed = []
    for surface, terms in words.items():
        strict = tuple(terms)
        parsed.append(QueryWord(surface, (strict, *_whole_word_alternatives(surface, strict))))
    return parsed


def text_query(words: list[QueryWord]) -> TextQuery:
    """The query for the search index (`core.search`): rows whose search document answers
    every query word, each through any one of its alternatives."""
    return TextQuery(tuple(word.alternatives for word in words))


def title_hits(words: list[QueryWord]) -> Expression:
    """How well the title answers the query (an SQL expression): per query word, 2 when the
    title has the word as written, 1 when it has only its translation."""
    total: Expression = Value(0, output_field=IntegerField())
    for word in words:
        strict = QueryWord(word.surface, word.alternatives[:1])
        total = total + Case(
            When(strict.condition("title_document"), then=Value(2)),
            When(word.condition("title_document"), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return total
