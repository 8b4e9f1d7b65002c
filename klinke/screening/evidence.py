"""Screening hits as evidence people can read: each hit in its text, with the words around it.

Pure (no ORM): the lead page (workbench) and the tender inbox (tenders) both show a screening's
hits this way, from the hits and the texts that were screened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from klinke.screening.screener import Hit, snippet


@dataclass(frozen=True, slots=True)
class Evidence:
    """One hit for display: what the red line names, where, and the text around the match."""

    hit: Hit
    criterion: str
    field: str
    before: str
    match: str
    after: str


def build_evidence(
    hits: Iterable[Hit],
    texts: Mapping[str, str],
    lang: str,
    field_labels: Mapping[str, str] | None = None,
) -> list[Evidence]:
    """The evidence of each hit, in order.

    ``texts`` are the screened texts by field name. A hit whose text has changed since it was
    found (the match is no longer where it was) is shown as the match alone, without context.
    ``field_labels`` name the fields for people; a field without a label keeps its own name.
    """
    labels = field_labels or {}
    evidence = []
    for hit in hits:
        text = texts.get(hit.field, "")
        moved = text[hit.start : hit.end] != hit.matched
        before, match, after = ("", hit.matched, "") if moved else snippet(text, hit)
        evidence.append(
            Evidence(
                hit=hit,
                criterion=hit.criterion_label(lang),
                field=labels.get(hit.field, hit.field),
                before=before,
                match=match,
                after=after,
            )
        )
    return evidence
