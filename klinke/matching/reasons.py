"""Explained results: :class:`Reason` (why a candidate scored) and :class:`Match`.

Reasons carry structured data so the web layer can render them as it likes, and a
short default text in English and German (:meth:`Reason.text`). The Django side may
wrap the German strings in gettext later; keeping both here keeps the engine usable
and testable without Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from klinke.matching.documents import Label

Factor = Literal[
    "topic",
    "text",
    "kind",
    "language",
    "region",
    "availability",
    "fairness",
    "semantic",
    "feedback",
]

FACTORS: Final[tuple[Factor, ...]] = (
    "topic",
    "text",
    "kind",
    "language",
    "region",
    "availability",
    "fairness",
    "semantic",
    "feedback",
)

LANGUAGE_NAMES: Final[dict[str, Label]] = {
    "de": Label("German", "Deutsch"),
    "en": Label("English", "Englisch"),
    "fr": Label("French", "Französisch"),
    "es": Label("Spanish", "Spanisch"),
    "it": Label("Italian", "Italienisch"),
    "nl": Label("Dutch", "Niederländisch"),
    "pl": Label("Polish", "Polnisch"),
    "cs": Label("Czech", "Tschechisch"),
    "tr": Label("Turkish", "Türkisch"),
    "ar": Label("Arabic", "Arabisch"),
    "uk": Label("Ukrainian", "Ukrainisch"),
    "ru": Label("Russian", "Russisch"),
    "pt": Label("Portuguese", "Portugiesisch"),
    "da": Label("Danish", "Dänisch"),
    "sv": Label("Swedish", "Schwedisch"),
}

COUNTRY_NAMES: Final[dict[str, Label]] = {
    "DE": Label("Germany", "Deutschland"),
    "AT": Label("Austria", "Österreich"),
    "CH": Label("Switzerland", "Schweiz"),
    "NL": Label("the Netherlands", "den Niederlanden"),
    "BE": Label("Belgium", "Belgien"),
    "LU": Label("Luxembourg", "Luxemburg"),
    "FR": Label("France", "Frankreich"),
    "IT": Label("Italy", "Italien"),
    "ES": Label("Spain", "Spanien"),
    "PT": Label("Portugal", "Portugal"),
    "PL": Label("Poland", "Polen"),
    "CZ": Label("Czechia", "Tschechien"),
    "DK": Label("Denmark", "Dänemark"),
    "SE": Label("Sweden", "Schweden"),
    "GB": Label("the United Kingdom", "dem Vereinigten Königreich"),
    "IE": Label("Ireland", "Irland"),
}


def language_label(code: str) -> Label:
    return LANGUAGE_NAMES.get(code, Label.plain(code))


def country_label(code: str) -> Label:
    return COUNTRY_NAMES.get(code, Label.plain(code))


def _number(value: float, lang: str) -> str:
    """Whole numbers without decimals; otherwise one decimal, comma in German."""
    if abs(value - round(value)) < 0.05:
        return str(round(value))
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "de" else text


def _join(labels: tuple[Label, ...], lang: str) -> str:
    return ", ".join(label.get(lang) for label in labels)


@dataclass(frozen=True, slots=True)
class Reason:
    """One factor's contribution to a match, with the data to explain it.

    ``score`` is the factor's contribution to :attr:`Match.score` (weight share times
    the factor's value), so the reasons of a match add up to its score.
    """

    factor: Factor
    score: float
    labels: tuple[Label, ...] = ()
    """Shared topics, matched words, kinds or languages, depending on ``factor``."""
    related: tuple[Label, ...] = ()
    """Topics that match only through the hierarchy (parent, child, sibling)."""
    place: str = ""
    """City, or NUTS code when no city is known (region factor)."""
    country: str = ""
    distance_km: float | None = None
    remote: bool = False
    hours: float | None = None
    count: int | None = None
    """Open introductions (fairness factor)."""

    def text(self, lang: str = "en") -> str:
        """A short human-readable reason in "en" or "de" (other codes: English)."""
        de = lang == "de"
        match self.factor:
            case "topic":
                parts = []
                if self.labels:
                    parts.append(("beide: " if de else "both: ") + _join(self.labels, lang))
                if self.related:
                    prefix = "verwandt: " if de else "related: "
                    parts.append(prefix + _join(self.related, lang))
                return "; ".join(parts)
            case "text":
                return ("erwähnt: " if de else "mentions: ") + _join(self.labels, lang)
            case "kind":
                return ("Art: " if de else "kind: ") + _join(self.labels, lang)
            case "language":
                return ("spricht " if de else "speaks ") + _join(self.labels, lang)
            case "region":
                return self._region_text(lang)
            case "availability":
                hours = _number(self.hours or 0.0, lang)
                return f"{hours} Std./Monat frei" if de else f"{hours} h/month free"
            case "fairness":
                n = self.count or 0
                if n == 0:
                    return "keine offenen Vermittlungen" if de else "no open introductions"
                if de:
                    return f"{n} offene Vermittlung" + ("" if n == 1 else "en")
                return f"{n} open introduction" + ("" if n == 1 else "s")
            case "semantic":
                return "ähnlicher Inhalt" if de else "similar content"
            case "feedback":
                n = self.count or 0
                about = _join(self.labels, lang)
                if de:
                    text = f"{n} hilfreiche Vermittlung" + ("" if n == 1 else "en")
                    return f"{text} zu {about}" if about else text
                text = f"{n} helpful introduction" + ("" if n == 1 else "s")
                return f"{text} on {about}" if about else text
        return self.factor  # pragma: no cover - all factors handled above

    def _region_text(self, lang: str) -> str:
        de = lang == "de"
        if self.remote:
            return "remote möglich" if de else "works remotely"
        if self.distance_km is not None:
            km = "< 1" if self.distance_km < 1 else _number(round(self.distance_km), lang)
            return f"{self.place}, {km} km" if self.place else f"{km} km"
        if self.place:
            return f"{self.place} ({'gleiche Region' if de else 'same region'})"
        country = country_label(self.country).get(lang)
        return f"in {country}"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form with texts in both languages, for APIs and templates."""
        return {
            "factor": self.factor,
            "score": self.score,
            "labels": [{"en": x.en, "de": x.de} for x in self.labels],
            "related": [{"en": x.en, "de": x.de} for x in self.related],
            "place": self.place,
            "country": self.country,
            "distance_km": self.distance_km,
            "remote": self.remote,
            "hours": self.hours,
            "count": self.count,
            "text": {"en": self.text("en"), "de": self.text("de")},
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A ranked candidate: its ref and type, score in [0, 1], reasons best first."""

    ref: str
    type: str
    score: float
    reasons: list[Reason] = field(default_factory=list)
