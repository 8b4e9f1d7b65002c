"""The fixed catalogue of sectors a collective can name as red lines.

Each sector has a bilingual label and keyword lists in German and English. The lists favour
words that point to the sector on their own; ambiguous words are either left out ("Kohle"
would flag a barbecue shop's "Holzkohle") or paired with exceptions for their harmless
meaning ("Überwachung" is also server monitoring). A hit is a flag for the collective to look
at, never a verdict: members can override it with a reason.

Adding a sector: append it to ``_CATALOGUE`` with a new, stable code (codes are stored in the
database); keep both languages.
"""

from __future__ import annotations

from typing import Final

from klinke.screening.criteria import Keyword, Label, ScreeningSector


def _de(*words: str) -> tuple[Keyword, ...]:
    return tuple(Keyword(word, "de") for word in words)


def _en(*words: str) -> tuple[Keyword, ...]:
    return tuple(Keyword(word, "en") for word in words)


_CATALOGUE: Final[tuple[ScreeningSector, ...]] = (
    ScreeningSector(
        code="surveillance",
        label=Label(
            en="surveillance and policing technology",
            de="Überwachungs- und Polizeitechnik",
        ),
        keywords=_de(
            "Überwachung",
            "Massenüberwachung",
            "Videoanalyse",
            "Gesichtserkennung",
            "biometrische Erkennung",
            "Kennzeichenerfassung",
            "Staatstrojaner",
            "Spähsoftware",
            "Vorratsdatenspeicherung",
            "Funkzellenabfrage",
            "Bewegungsprofil",
            "Polizei",
            "Ordnungsamt",
            "Verfassungsschutz",
            "Geheimdienst",
            "Bodycam",
        )
        + _en(
            "surveillance",
            "facial recognition",
            "face recognition",
            "predictive policing",
            "police",
            "policing",
            "law enforcement",
            "spyware",
            "lawful interception",
            "licence plate recognition",
            "license plate recognition",
            "number plate recognition",
            "CCTV",
            "body-worn camera",
            "video analytics",
            "biometric identification",
            "intelligence agency",
            "data retention",
        ),
        exceptions=_de(
            "Serverüberwachung",
            "Systemüberwachung",
            "Netzwerküberwachung",
            "Dienstüberwachung",
            "Leistungsüberwachung",
            "Uptime-Überwachung",
            "Verfügbarkeitsüberwachung",
            "Überwachung der Server",
            "Überwachung der Systeme",
            "Überwachung der Verfügbarkeit",
        )
        + _en("uptime surveillance"),
    ),
    ScreeningSector(
        code="adtech",
        label=Label(en="advertising technology and tracking", de="Werbetechnik und Tracking"),
        keywords=_de(
            "Tracking",
            "Zählpixel",
            "Nutzerverfolgung",
            "Retargeting",
            "Werbenetzwerk",
            "personalisierte Werbung",
            "Profilbildung",
            "Fingerprinting",
            "Drittanbieter-Cookies",
            "Werbe-ID",
            "Adtech",
        )
        + _en(
            "tracking",
            "tracking pixel",
            "retargeting",
            "behavioural advertising",
            "behavioral advertising",
            "targeted advertising",
            "ad network",
            "ad exchange",
            "ad server",
            "real-time bidding",
            "programmatic advertising",
            "browser fingerprinting",
            "third-party cookies",
            "data broker",
            "adtech",
        ),
        exceptions=_de("Zeit-Tracking", "Sendungsverfolgung", "Backtracking")
        + _en(
            "backtracking",
            "time tracking",
            "issue tracking",
            "bug tracking",
            "progress tracking",
            "parcel tracking",
            "package tracking",
            "shipment tracking",
        ),
    ),
    ScreeningSector(
        code="military",
        label=Label(en="military and arms", de="Militär und Rüstung"),
        keywords=_de(
            "Militär",
            "militärisch",
            "Bundeswehr",
            "Streitkräfte",
            "Rüstung",
            "Rüstungsindustrie",
            "Rüstungskonzern",
            "Waffe",
            "Waffensystem",
            "Munition",
            "Kampfdrohne",
            "Verteidigungsministerium",
            "Kriegsführung",
        )
        + _en(
            "military",
            "armed forces",
            "defence contractor",
            "defense contractor",
            "arms trade",
            "arms industry",
            "arms manufacturer",
            "weapon",
            "weapons system",
            "munitions",
            "ammunition",
            "missile",
            "combat drone",
            "ministry of defence",
            "department of defense",
            "warfare",
        ),
        # "Waffel" (waffle): "Waffeleisen" starts with "Waffe" too.
        exceptions=_de("Waffenstillstand", "Waffel"),
    ),
    ScreeningSector(
        code="fossil",
        label=Label(en="fossil fuel extraction", de="Förderung fossiler Brennstoffe"),
        keywords=_de(
            "Erdöl",
            "Erdgasförderung",
            "Ölförderung",
            "Gasförderung",
            "Braunkohle",
            "Steinkohle",
            "Kohleabbau",
            "Kohlekraftwerk",
            "Tagebau",
            "Fracking",
            "Ölkonzern",
            "Bohrinsel",
            "LNG-Terminal",
            "Ölsand",
        )
        + _en(
            "oil and gas",
            "oil extraction",
            "oil drilling",
            "offshore drilling",
            "fracking",
            "coal mining",
            "coal power",
            "lignite",
            "tar sands",
            "oil sands",
            "petroleum",
            "LNG terminal",
            "fossil fuel",
        ),
    ),
    ScreeningSector(
        code="migration-enforcement",
        label=Label(en="migration enforcement", de="Abschiebung und Grenzabschottung"),
        keywords=_de(
            "Abschiebung",
            "Abschiebehaft",
            "Ausreisegewahrsam",
            "Grenzschutz",
            "Grenzsicherung",
            "Grenzüberwachung",
            "Ankerzentrum",
            "Frontex",
        )
        + _en(
            "deportation",
            "immigration enforcement",
            "border enforcement",
            "border control",
            "border surveillance",
            "detention centre",
            "detention center",
            "migrant detention",
            "Frontex",
        ),
    ),
    ScreeningSector(
        code="gambling",
        label=Label(en="gambling", de="Glücksspiel"),
        keywords=_de(
            "Glücksspiel",
            "Sportwetten",
            "Wettanbieter",
            "Online-Casino",
            "Spielautomat",
            "Spielhalle",
            "Spielbank",
            "Poker",
        )
        + _en(
            "gambling",
            "betting",
            "sports betting",
            "casino",
            "slot machine",
            "bookmaker",
            "poker",
        ),
    ),
    ScreeningSector(
        code="tobacco",
        label=Label(en="tobacco", de="Tabak"),
        keywords=_de("Tabak", "Zigarette", "E-Zigarette", "Tabakkonzern")
        + _en("tobacco", "cigarette", "vaping"),
    ),
    ScreeningSector(
        code="far-right",
        label=Label(
            en="far-right and anti-democratic organisations",
            de="extreme Rechte und antidemokratische Organisationen",
        ),
        keywords=_de("rechtsextrem", "Rechtsextremismus", "völkisch", "Neonazi", "Reichsbürger")
        + _en("far-right", "neo-Nazi", "white supremacist", "white nationalist"),
    ),
    ScreeningSector(
        code="factory-farming",
        label=Label(en="factory farming", de="Massentierhaltung"),
        keywords=_de("Massentierhaltung", "Tierfabrik", "Mastanlage", "Legebatterie")
        + _en("factory farming", "factory farm", "intensive livestock"),
    ),
)

SECTORS: Final[dict[str, ScreeningSector]] = {sector.code: sector for sector in _CATALOGUE}
"""The catalogue by code, in display order."""


def sector_choices(lang: str) -> list[tuple[str, str]]:
    """(code, label) pairs in ``lang``, for forms."""
    return [(sector.code, sector.label.get(lang)) for sector in _CATALOGUE]
