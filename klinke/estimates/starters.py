"""Shared templates every collective can start an estimate from, in German and English.

Plain data, shipped with klinke (no table): a template is a starting point that is copied into
a collective's own first version and then edited there, so changing a template here changes
no estimate anyone has written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class StarterPackage:
    name_de: str
    name_en: str
    hours: tuple[Decimal, Decimal, Decimal]
    role_de: str
    role_en: str
    notes_de: str = ""
    notes_en: str = ""
    kind: str = "other"
    """A `models.PackageKind` value, so calibration compares like with like."""


@dataclass(frozen=True, kw_only=True)
class Starter:
    slug: str
    title_de: str
    title_en: str
    packages: tuple[StarterPackage, ...]
    assumptions_de: tuple[str, ...]
    assumptions_en: tuple[str, ...]
    exclusions_de: tuple[str, ...]
    exclusions_en: tuple[str, ...]
    risk_buffer_percent: Decimal = Decimal(10)
    risk_buffer_reason_de: str = ""
    risk_buffer_reason_en: str = ""

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_de


def _h(o: int, m: int, p: int) -> tuple[Decimal, Decimal, Decimal]:
    return Decimal(o), Decimal(m), Decimal(p)


WEBSITE_RELAUNCH = Starter(
    slug="website-relaunch-cms",
    title_de="Website-Relaunch mit CMS",
    title_en="Website relaunch with a CMS",
    packages=(
        StarterPackage(
            name_de="Kick-off und Anforderungen",
            name_en="Kick-off and requirements",
            kind="management",
            hours=_h(6, 10, 18),
            role_de="Konzeption",
            role_en="Concept",
            notes_de="Ein Workshop vor Ort, Protokoll und abgestimmte Seitenstruktur.",
            notes_en="One workshop on site, minutes and an agreed site structure.",
        ),
        StarterPackage(
            name_de="Gestaltung und Prototyp",
            name_en="Design and prototype",
            kind="design",
            hours=_h(16, 24, 40),
            role_de="Gestaltung",
            role_en="Design",
            notes_de="Zwei Entwurfsrunden, barrierearme Farben und Schriften.",
            notes_en="Two design rounds, accessible colours and type.",
        ),
        StarterPackage(
            name_de="CMS einrichten und Vorlagen bauen",
            name_en="Set up the CMS and build templates",
            kind="development",
            hours=_h(24, 36, 60),
            role_de="Entwicklung",
            role_en="Development",
        ),
        StarterPackage(
            name_de="Inhalte umziehen",
            name_en="Move the content",
            kind="content",
            hours=_h(8, 14, 30),
            role_de="Entwicklung",
            role_en="Development",
            notes_de="Bis zu 40 bestehende Seiten; Texte liefert ihr.",
            notes_en="Up to 40 existing pages; you provide the texts.",
        ),
        StarterPackage(
            name_de="Barrierefreiheit prüfen und Schulung",
            name_en="Accessibility check and training",
            kind="training",
            hours=_h(6, 10, 16),
            role_de="Qualitätssicherung",
            role_en="Quality assurance",
        ),
    ),
    assumptions_de=(
        "Ihr benennt eine Ansprechperson, die innerhalb von drei Werktagen antwortet.",
        "Texte und Bilder liefert ihr rechtzeitig vor dem Umzug der Inhalte.",
        "Das Hosting läuft bei einem Anbieter, der Python oder PHP unterstützt.",
    ),
    assumptions_en=(
        "You name one contact person who answers within three working days.",
        "You provide texts and images in time before the content move.",
        "Hosting runs at a provider that supports Python or PHP.",
    ),
    exclusions_de=(
        "Texten und Übersetzen von Inhalten.",
        "Laufende Wartung nach dem Start (bieten wir gern getrennt an).",
        "Hosting-Kosten.",
    ),
    exclusions_en=(
        "Writing and translating content.",
        "Ongoing maintenance after launch (happy to offer it separately).",
        "Hosting costs.",
    ),
    risk_buffer_percent=Decimal(10),
    risk_buffer_reason_de="Für Abstimmungsrunden, die wir heute noch nicht kennen.",
    risk_buffer_reason_en="For rounds of feedback we cannot foresee today.",
)

STARTERS: dict[str, Starter] = {WEBSITE_RELAUNCH.slug: WEBSITE_RELAUNCH}
