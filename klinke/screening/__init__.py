"""Screening texts against a collective's red lines (rote Linien), without Django.

A collective describes work it refuses as :class:`RedLineRule` criteria: sectors from a fixed,
bilingual catalogue (:data:`SECTORS`), free keywords in German and English, and named
organisations. :func:`screen` takes plain text fields by name (``{"title": ..., "client":
...}``) and returns :class:`Hit`\\ s with their evidence: which red line and criterion matched,
in which field, and the exact span of text. The workbench screens leads with it; tenders and
inquiries can screen their own fields the same way.
"""

from klinke.screening.criteria import Keyword, Label, RedLineRule, ScreeningSector
from klinke.screening.screener import Hit, screen
from klinke.screening.sectors import SECTORS, sector_choices

__all__ = [
    "SECTORS",
    "Hit",
    "Keyword",
    "Label",
    "RedLineRule",
    "ScreeningSector",
    "screen",
    "sector_choices",
]
