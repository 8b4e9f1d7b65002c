"""Explained results: :class:`Reason` (why a candidate scored) and :class:`Match`.

Reasons carry structured data so the web layer can render them as it likes, and a
short default text in English and German (:meth:`Reason.text`). The Django side may
wrap the German strings in gettext later; keeping both here keeps the engine usable
and testable without Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, overload

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


def _listed(items: tuple[str, ...], lang: str) -> str:
    """ "a", "a und b", "a, b und c" (English: "and")."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'und' if lang == 'de' else 'and'} {items[-1]}"


def _quoted(labels: tuple[Label, ...], lang: str) -> str:
    """Labels in quotation marks of the language, listed: „a“ und „b“ / “a” and “b”."""
    left, right = ("\u201e", "\u201c") if lang == "de" else ("\u201c", "\u201d")
    return _listed(tuple(f"{left}{x.get(lang)}{right}" for x in labels), lang)


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
        """The reason as a short sentence a colleague would say, in "en" or "de" (other: en)."""
        de = lang == "de"
        match self.factor:
            case "topic":
                return self._topic_text(lang)
            case "text":
                words = _quoted(self.labels, lang)
                if not words:
                    return "Verwendet dieselben Begriffe" if de else "Uses the same terms"
                return f"Schreibt über {words}" if de else f"Writes about {words}"
            case "kind":
                kinds = _listed(tuple(x.get(lang) for x in self.labels), lang)
                return (
                    f"Bietet an, was ihr sucht: {kinds}"
                    if de
                    else f"Offers what you asked for: {kinds}"
                )
            case "language":
                names = _listed(tuple(x.get(lang) for x in self.labels), lang)
                return f"Spricht {names}" if de else f"Speaks {names}"
            case "region":
                return self._region_text(lang)
            case "availability":
                hours = self.hours or 0.0
                shown = _number(hours, lang)
                if de:
                    return f"Hat {shown} {'Stunde' if shown == '1' else 'Stunden'} im Monat frei"
                return f"Has {shown} {'hour' if shown == '1' else 'hours'} a month free"
            case "fairness":
                n = self.count or 0
                if n == 0:
                    return (
                        "Hat gerade keine offenen Vermittlungen"
                        if de
                        else "Has no open introductions right now"
                    )
                if de:
                    return f"Hat {n} offene Vermittlung" + ("" if n == 1 else "en")
                return f"Has {n} open introduction" + ("" if n == 1 else "s")
            case "semantic":
                return (
                    "Beschreibt Ähnliches mit anderen Worten"
                    if de
                    else "Describes something similar in other words"
                )
            case "feedback":
                n = self.count or 0
                about = _listed(tuple(x.get(lang) for x in self.labels), lang)
                if de:
                    text = f"{n} hilfreiche Vermittlung" + ("" if n == 1 else "en")
                    return f"{text} zu {about}" if about else text
                text = f"{n} helpful introduction" + ("" if n == 1 else "s")
                return f"{text} on {about}" if about else text
        return self.factor  # pragma: no cover - all factors handled above

    def _topic_text(self, lang: str) -> str:
        de = lang == "de"
        same = _quoted(self.labels, lang)
        near = _quoted(self.related, lang)
        if same and near:
            if de:
                return f"Kennt sich mit {same} aus, auch mit Verwandtem: {near}"
            return f"Knows about {same}, and related {near}"
        if same:
            return f"Kennt sich mit {same} aus" if de else f"Knows about {same}"
        if near:
            return f"Kennt sich mit Verwandtem aus: {near}" if de else f"Knows related {near}"
        return ""

    def _region_text(self, lang: str) -> str:
        de = lang == "de"
        if self.remote:
            return "Arbeitet wie ihr auch aus der Ferne" if de else "Works remotely, as you do"
        if self.distance_km is not None:
            if self.distance_km < 1:
                if self.place:
                    return f"Sitzt auch in {self.place}" if de else f"Also based in {self.place}"
                return "Sitzt ganz in eurer Nähe" if de else "Based very close to you"
            km = _number(round(self.distance_km), lang)
            if self.place:
                return (
                    f"Sitzt in {self.place}, {km} km entfernt"
                    if de
                    else f"Based in {self.place}, {km} km away"
                )
            return f"Sitzt {km} km entfernt" if de else f"Based {km} km away"
        if self.place:
            return (
                f"Sitzt in eurer Region: {self.place}"
                if de
                else f"Based in your region: {self.place}"
            )
        country = country_label(self.country).get(lang)
        return f"Sitzt auch in {country}" if de else f"Also based in {country}"

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


class Explanation(Sequence[Reason]):
    """A match's reasons, worked out when first read.

    A ranking returns more matches than a page shows (some are filtered out, a party's
    further offers show only their name): reasons cost more than the scores, so only the
    ones read are explained. Equal to any sequence holding the same reasons.
    """

    __slots__ = ("_explain", "_reasons")

    def __init__(self, explain: Callable[[], list[Reason]]) -> None:
        self._explain: Callable[[], list[Reason]] | None = explain
        self._reasons: list[Reason] | None = None

    def _list(self) -> list[Reason]:
        if self._reasons is None:
            assert self._explain is not None
            self._reasons, self._explain = self._explain(), None
        return self._reasons

    @overload
    def __getitem__(self, i: int) -> Reason: ...
    @overload
    def __getitem__(self, i: slice) -> list[Reason]: ...
    def __getitem__(self, i: int | slice) -> Reason | list[Reason]:
        return self._list()[i]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[Reason]:
        return iter(self._list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Explanation):
            other = other._list()
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return self._list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._list())


@dataclass(frozen=True, slots=True)
class Match:
    """A ranked candidate: its ref and type, score in [0, 1], reasons best first.

    The engine's reasons are an :class:`Explanation`, worked out when first read.
    """

    ref: str
    type: str
    score: float
    reasons: Sequence[Reason] = field(default_factory=list)
