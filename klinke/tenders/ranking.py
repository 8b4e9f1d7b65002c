"""Which tenders fit a tender profile, and why: hard filters, then the shared matching engine.

Pure Python, no ORM: the Django side fills `ProfileCriteria` and `TenderFacts`.

- Hard filters come first and outside the engine: a passed deadline (a placeholder deadline
  is not trusted, so it does not exclude), a value outside the profile's range, a place outside
  its regions (unless the tender may be done anywhere and the collective works remotely), and
  a language it does not bid in.
- The engine ranks what is left: CPV codes are topics of the CPV tree (its hierarchy comes from
  the codes' trailing zeros), keywords and the tender's texts go through the bilingual text
  analysis, so "Webportal" finds "Web-Portal" and "web portal".
- A tender fits when one of the profile's codes covers one of its codes, or when one of the
  profile's keywords is in its texts; CPV alone misses notices whose additional codes stay in
  the main code's section, so keywords count as much.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Final, Literal

from klinke.matching.analysis import index_terms, query_terms
from klinke.matching.documents import MatchDocument
from klinke.matching.engine import MatchIndex, rank
from klinke.tenders import cpv

MAX_FITS: Final = 500
"""Tenders kept per profile and refresh, best first."""

ReasonKind = Literal["cpv", "keyword", "region", "remote"]


@dataclass(frozen=True, slots=True)
class ProfileCriteria:
    cpv_codes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    remote_ok: bool = False
    value_min: int | None = None
    value_max: int | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TenderFacts:
    ref: str
    title: dict[str, str]
    description: dict[str, str]
    cpv_codes: tuple[str, ...]
    nuts: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    anywhere: bool = False
    language: str = ""
    deadline: dt.datetime | None = None
    deadline_placeholder: bool = False
    estimated_value: Decimal | None = None
    lot_titles: tuple[str, ...] = ()
    open: bool = True

    @property
    def languages(self) -> set[str]:
        return {code for code in (self.language, *self.title) if code}

    def document(self) -> MatchDocument:
        return MatchDocument(
            ref=self.ref,
            type="tender",
            title=" ".join(self.title.values()),
            text="\n".join([*self.description.values(), *self.lot_titles]),
            topics=frozenset(self.cpv_codes),
        )


@dataclass(frozen=True, slots=True)
class FitReason:
    """One reason a tender fits, as data; the web layer writes it in the reader's language."""

    kind: ReasonKind
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True, slots=True)
class Fit:
    ref: str
    score: float
    reasons: tuple[FitReason, ...] = field(default=())


def excluded_because(profile: ProfileCriteria, tender: TenderFacts, now: dt.datetime) -> str | None:
    """Why a tender cannot fit, whatever its content: a hard filter's name, or None."""
    if not tender.open:
        return "closed"
    if tender.deadline is not None and not tender.deadline_placeholder and tender.deadline < now:
        return "deadline"
    value = tender.estimated_value
    if value is not None and (
        (profile.value_min is not None and value < profile.value_min)
        or (profile.value_max is not None and value > profile.value_max)
    ):
        return "value"
    if profile.languages and tender.languages and not tender.languages & set(profile.languages):
        return "language"
    if _place(profile, tender) is None:
        return "region"
    return None


def _place(profile: ProfileCriteria, tender: TenderFacts) -> FitReason | Literal[""] | None:
    """The region reason, "" when the place does not matter or is unknown, None when outside."""
    if not profile.regions:
        return ""
    for code in tender.nuts:
        for region in profile.regions:
            if code.upper().startswith(region):
                return FitReason("region", code.upper())
    for country in tender.countries:
        if country.upper() in profile.regions:
            return FitReason("region", country.upper())
    if tender.anywhere:
        return FitReason("remote", "") if profile.remote_ok else None
    if not tender.nuts and not tender.countries:
        return ""
    return None


def build_index(tenders: Iterable[TenderFacts]) -> tuple[MatchIndex, dict[str, TenderFacts]]:
    by_ref = {t.ref: t for t in tenders}
    return MatchIndex.build(t.document() for t in by_ref.values()), by_ref


@lru_cache(maxsize=16384)
def _text_terms(text: str) -> frozenset[str]:
    """A tender's index terms, analysed once for all the profiles ranked in a refresh."""
    return frozenset(index_terms(text))


@lru_cache(maxsize=4096)
def _keyword_terms(keyword: str) -> frozenset[str]:
    return frozenset(query_terms(keyword))


def _keyword_hits(keywords: Sequence[str], tender: TenderFacts) -> list[str]:
    terms = _text_terms(
        "\n".join([*tender.title.values(), *tender.description.values(), *tender.lot_titles])
    )
    hits = []
    for keyword in keywords:
        wanted = _keyword_terms(keyword)
        if wanted and wanted <= terms:
            hits.append(keyword)
    return hits


def rank_tenders(
    profile: ProfileCriteria,
    index: MatchIndex,
    tenders: dict[str, TenderFacts],
    *,
    now: dt.datetime,
    limit: int = MAX_FITS,
) -> list[Fit]:
    """The tenders that fit the profile, best first, with their reasons."""
    codes = tuple(cpv.pad(c) for c in profile.cpv_codes)
    query = MatchDocument(
        ref="profile",
        type="profile",
        text="\n".join(profile.keywords),
        topics=frozenset(codes),
    )
    fits = []
    for match in rank(query, index, topics=cpv.tree(), limit=limit):
        tender = tenders[match.ref]
        if excluded_because(profile, tender, now) is not None:
            continue
        reasons: list[FitReason] = []
        for code in tender.cpv_codes:
            if any(cpv.covers(prefix, code) for prefix in codes):
                reasons.append(FitReason("cpv", code))
                break
        reasons += [FitReason("keyword", word) for word in _keyword_hits(profile.keywords, tender)]
        if not reasons:
            continue  # only related through a sibling code or a stray word
        place = _place(profile, tender)
        if place:
            reasons.append(place)
        fits.append(Fit(match.ref, match.score, tuple(reasons)))
    return fits
