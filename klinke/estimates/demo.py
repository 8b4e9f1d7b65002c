"""Demo estimate: Kollektiv Quellcode's estimate for the tenants' association's member portal.

Started from the shared template "Website-Relaunch mit CMS" with the portal's own packages
added, shared with the client as version 1, then revised with a change note and shared again as
version 2, so the client's page shows what changed and why. The client's link is printed once
by `load_demo` (klinke keeps only its digest). Idempotent; no email is sent.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from klinke.collectives.models import Collective
from klinke.estimates import actions
from klinke.estimates.actions import EstimateValues, PackageValues
from klinke.estimates.models import Estimate
from klinke.estimates.starters import WEBSITE_RELAUNCH
from klinke.workbench.models import Lead

DEMO_COLLECTIVE = "kollektiv-quellcode"
LEAD_TITLE = "Mitgliederportal für den Mieterverein"
RATE = Decimal(95)


def _package(name: str, o: int, m: int, p: int, role: str, notes: str = "") -> PackageValues:
    return PackageValues(
        name=name,
        optimistic_hours=Decimal(o),
        likely_hours=Decimal(m),
        pessimistic_hours=Decimal(p),
        hourly_rate=RATE,
        role=role,
        notes=notes,
    )


PORTAL_PACKAGES = (
    _package(
        "Login mit Mitgliedsnummer",
        16,
        24,
        40,
        "Entwicklung",
        "Anmeldung mit Mitgliedsnummer und E-Mail, Passwort vergessen, Zwei-Faktor optional.",
    ),
    _package(
        "Terminbuchung für Beratungen",
        24,
        36,
        60,
        "Entwicklung",
        "Freie Termine der Beratenden, Buchen und Absagen, Erinnerung per E-Mail.",
    ),
    _package(
        "Unterlagen hochladen",
        12,
        20,
        36,
        "Entwicklung",
        "Mietvertrag, Nebenkostenabrechnung und Briefe als PDF oder Foto.",
    ),
    _package("Stand der Anfrage anzeigen", 8, 14, 24, "Entwicklung"),
    _package(
        "Betrieb einrichten",
        6,
        10,
        16,
        "Betrieb",
        "Server in Leipzig, Sicherungen, Überwachung.",
    ),
)

EXTRA_ASSUMPTIONS = (
    "Die Mitgliederliste bekommen wir als CSV-Datei mit Mitgliedsnummer und E-Mail-Adresse.",
)
EXTRA_EXCLUSIONS = ("Anbindung an die Buchhaltungssoftware des Vereins.",)


def load_demo_content() -> str:
    """Add the demo estimate; running it again adds nothing."""
    collective = Collective.objects.filter(slug=DEMO_COLLECTIVE).first()
    if collective is None:
        return "estimates: no demo collective, nothing to add"
    if Estimate.objects.filter(collective=collective, is_demo=True).exists():
        return f"estimates: {collective.name} already has its demo estimate"
    members = collective.member_users()
    author = next((u for u in members if u.email.startswith("mira@")), None) or (
        members[0] if members else None
    )
    if author is None:
        return "estimates: the demo collective has no members, nothing to add"
    lead = Lead.objects.filter(collective=collective, title=LEAD_TITLE).first()
    start = actions.starter_values(WEBSITE_RELAUNCH, language="de", hourly_rate=RATE)
    first = replace(
        start,
        packages=start.packages + PORTAL_PACKAGES[:4],
        assumptions=start.assumptions + EXTRA_ASSUMPTIONS,
        exclusions=start.exclusions + EXTRA_EXCLUSIONS,
    )
    estimate = actions.do_create_estimate(
        collective=collective,
        user=author,
        values=EstimateValues(
            title="Mitgliederportal für den Mieterverein Leipzig-Ost",
            client_name="Mieterverein Leipzig-Ost e.V.",
            client_language="de",
            en16931_seller_name=collective.name,
            en16931_seller_city="Leipzig",
            en16931_seller_vat_id="DE000000000",
            en16931_buyer_name="Mieterverein Leipzig-Ost e.V. (Demo)",
            en16931_buyer_city="Leipzig",
        ),
        lead=lead,
        content=first,
        is_demo=True,
    )
    secret = actions.do_share_estimate(estimate=estimate, user=author)
    second = replace(
        first,
        packages=first.packages + PORTAL_PACKAGES[4:],
        change_note=(
            "Im Gespräch am Dienstag kam dazu, dass wir das Portal auch betreiben sollen: "
            "das neue Paket „Betrieb einrichten“."
        ),
    )
    actions.do_save_version(estimate=estimate, user=author, values=second)
    actions.do_share_estimate(estimate=estimate, user=author)
    link = f"/e/{secret}/" if secret else "(link made earlier)"
    return (
        f"estimates: 1 shared estimate (2 versions) for {collective.name}; "
        f"the client's page: {link}"
    )
