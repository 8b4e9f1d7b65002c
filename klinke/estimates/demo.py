"""Demo estimate: Kollektiv Quellcode's estimate for the tenants' association's member portal.

Started from the shared template "Website-Relaunch mit CMS" with the portal's own packages
added, shared with the client as version 1, then revised with a change note and shared again as
version 2, so the client's page shows what changed and why. The client's link is printed once
by `load_demo` (klinke keeps only its digest). Idempotent; no email is sent.

Five earlier projects, accepted and ended with their actual hours (typed and imported), give
the accuracy page and the calibration sentence something real-looking to show. Their
decisions are written directly (no client took part, nobody is mailed) and their titles say
"Demo".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.estimates import actions
from klinke.estimates.actions import EstimateValues, PackageValues
from klinke.estimates.models import (
    Estimate,
    EstimateState,
    HoursSource,
    PackageKind,
    WorkPackage,
)
from klinke.estimates.starters import WEBSITE_RELAUNCH
from klinke.workbench.models import Lead

DEMO_COLLECTIVE = "kollektiv-quellcode"
LEAD_TITLE = "Mitgliederportal für den Mieterverein"
RATE = Decimal(95)


def _package(
    name: str, o: int, m: int, p: int, role: str, notes: str = "", kind: str = "development"
) -> PackageValues:
    return PackageValues(
        name=name,
        optimistic_hours=Decimal(o),
        likely_hours=Decimal(m),
        pessimistic_hours=Decimal(p),
        hourly_rate=RATE,
        role=role,
        kind=kind,
        notes=notes,
    )


# Earlier projects: (title, client, days ago it ended, [(package, O, M, P, kind, actual)]).
PAST_PROJECTS = (
    (
        "Demo: Vereinswebsite für den Sportbund Grünau",
        "Sportbund Grünau e.V. (Demo)",
        300,
        (
            ("Gestaltung", 8, 12, 20, PackageKind.DESIGN, "15"),
            ("Umsetzung im CMS", 24, 32, 48, PackageKind.DEVELOPMENT, "44.5"),
            ("Schulung der Redaktion", 3, 4, 6, PackageKind.TRAINING, "4"),
        ),
    ),
    (
        "Demo: Buchungssystem for a repair café",
        "Repair Café Plagwitz (Demo)",
        230,
        (
            ("Konzept", 4, 6, 10, PackageKind.DESIGN, "7"),
            ("Booking system", 30, 40, 64, PackageKind.DEVELOPMENT, "52"),
            ("Hosting setup", 4, 6, 10, PackageKind.OPERATIONS, "9.5"),
        ),
    ),
    (
        "Demo: Spendenformular für die Tafel",
        "Leipziger Tafel (Demo)",
        160,
        (
            ("Formular und Zahlungsanbindung", 16, 24, 40, PackageKind.DEVELOPMENT, "33"),
            ("Texte", 4, 6, 8, PackageKind.CONTENT, "6"),
            ("Abstimmung", 4, 6, 10, PackageKind.MANAGEMENT, "11"),
        ),
    ),
    (
        "Demo: Intranet relaunch for a housing co-op",
        "Wohnungsgenossenschaft Lindenau (Demo)",
        90,
        (
            ("Design system", 12, 16, 28, PackageKind.DESIGN, "21"),
            ("Migration of old pages", 16, 24, 40, PackageKind.CONTENT, "30"),
            ("Single sign-on", 12, 20, 36, PackageKind.DEVELOPMENT, "27.5"),
            ("Project management", 6, 8, 12, PackageKind.MANAGEMENT, "12"),
        ),
    ),
    (
        "Demo: Mitgliederverwaltung für den Chor",
        "Chor Connewitz (Demo)",
        30,
        (
            ("Datenmodell und Import", 6, 10, 16, PackageKind.DEVELOPMENT, "12"),
            ("Oberfläche", 12, 18, 30, PackageKind.DEVELOPMENT, "23"),
            ("Einführung", 2, 3, 5, PackageKind.TRAINING, "3.5"),
        ),
    ),
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
    _load_past_projects(collective, author)
    return (
        f"estimates: 1 shared estimate (2 versions) and {len(PAST_PROJECTS)} ended projects "
        f"with actual hours for {collective.name}; the client's page: {link}"
    )


def _load_past_projects(collective: Collective, author: User) -> None:
    """Accepted, ended estimates with their actual hours, for the accuracy page."""
    today = timezone.localdate()
    for title, client, days_ago, packages in PAST_PROJECTS:
        english = not title.startswith(("Demo: V", "Demo: S", "Demo: M"))
        estimate = actions.do_create_estimate(
            collective=collective,
            user=author,
            values=EstimateValues(
                title=title,
                client_name=client,
                client_language="en" if english else "de",
                valid_until=today + timedelta(days=30),
            ),
            content=actions.VersionValues(
                packages=tuple(
                    _package(name, o, m, p, "", kind=kind) for name, o, m, p, kind, _a in packages
                )
            ),
            is_demo=True,
        )
        actions.do_share_estimate(estimate=estimate, user=author)
        version = estimate.latest_version()
        assert version is not None
        ended = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(17)))
        # Written directly: a demo has no client to accept it and must not send mail.
        Estimate.objects.filter(pk=estimate.pk).update(
            state=EstimateState.ACCEPTED,
            decided_version=version,
            decided_at=ended - timedelta(days=60),
            link_digest="",
            link_created_at=None,
        )
        estimate.refresh_from_db()
        rows = list(WorkPackage.objects.filter(version=version).order_by("order", "pk"))
        actions.do_record_actual_hours(
            estimate=estimate,
            user=author,
            rows=[
                actions.ActualValues(
                    package_id=row.pk,
                    hours=Decimal(actual),
                    worked_on=date.fromordinal(ended.date().toordinal() - 7),
                    person=author.display_name,
                    note="Demo",
                )
                for row, (*_rest, actual) in zip(rows, packages, strict=True)
            ],
            source=HoursSource.IMPORTED if english else HoursSource.TYPED,
        )
        actions.do_end_project(estimate=estimate, user=author)
        Estimate.objects.filter(pk=estimate.pk).update(actuals_closed_at=ended)
