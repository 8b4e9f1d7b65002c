"""The shapes of red-line criteria: labels, keywords, sectors and a collective's red lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Language = Literal["de", "en"]


@dataclass(frozen=True, slots=True)
class Label:
    """A display string in English and German."""

    en: str
    de: str

    def get(self, lang: str) -> str:
        """The label in ``lang``; anything but "de" falls back to English."""
        return self.de if lang.startswith("de") else self.en


@dataclass(frozen=True, slots=True)
class Keyword:
    """A word or short phrase, in German or English.

    The language picks the stemmer: "Überwachung" (de) also finds "Überwachungssoftware" and
    "überwachen"; "tracking" (en) also finds "tracking pixels". ``None`` tries both.
    """

    text: str
    language: Language | None = None


@dataclass(frozen=True, slots=True)
class ScreeningSector:
    """A kind of work many collectives refuse, with the words that point to it.

    ``exceptions`` are phrases in which a keyword means something harmless, e.g.
    "Server-Überwachung" (monitoring) for the keyword "Überwachung": a keyword found inside
    an exception is not a hit.
    """

    code: str
    label: Label
    keywords: tuple[Keyword, ...]
    exceptions: tuple[Keyword, ...] = ()


@dataclass(frozen=True, slots=True)
class RedLineRule:
    """One red line of a collective: any of its sectors, keywords or organisations is a hit.

    ``ref`` is the caller's identifier (e.g. the database id as a string); ``name`` is shown
    with the evidence ("No surveillance"). Sector codes refer to :data:`SECTORS`; unknown
    codes are ignored, so a sector retired from the catalogue cannot break screening.
    """

    ref: str
    name: str
    sectors: tuple[str, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    organisations: tuple[str, ...] = field(default=())
