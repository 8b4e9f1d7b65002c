"""Demo address book for the mission collective: invented organisations and people.

Names, addresses and numbers are made up; every email address ends in `.example` and every
phone number lies in the ranges the Bundesnetzagentur keeps free for drama and documentation.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.contacts.actions import contact_search_texts
from klinke.contacts.models import (
    Consent,
    Contact,
    ContactEmail,
    ContactPhone,
    Organisation,
    Source,
    join_tags,
)
from klinke.matching.analysis import search_document

DEMO_COLLECTIVE = "kollektiv-quellcode"
DEMO_SOURCE = "demo-adressbuch.vcf"

ORGANISATIONS = (
    {
        "name": "Mieterverein Leipzig-Ost e.V.",
        "website": "https://mieterverein-ost.example",
        "sector": "housing",
        "city": "Leipzig",
        "country": "DE",
        "tags": ["tenants", "association"],
        "notes": "Braucht ein neues Mitgliederportal; Vorstand entscheidet im März. "
        "Needs a new members' portal; the board decides in March.",
    },
    {
        "name": "Kulturzentrum Kohlrabizirkus",
        "website": "https://kohlrabizirkus.example",
        "sector": "culture",
        "city": "Leipzig",
        "country": "DE",
        "tags": ["culture", "events"],
        "notes": "Ticketing läuft über eine Tabelle. Ticketing runs on a spreadsheet.",
    },
    {
        "name": "Stadt Leipzig – Amt für Digitalisierung",
        "website": "https://digitalisierung.leipzig.example",
        "sector": "public-administration",
        "city": "Leipzig",
        "country": "DE",
        "tags": ["public sector", "tenders"],
        "notes": "Schreibt kleine Aufträge unterhalb der Schwelle aus. "
        "Awards small contracts below the EU threshold.",
    },
    {
        "name": "Netzwerk Faire Arbeit gGmbH",
        "website": "https://faire-arbeit.example",
        "sector": "civil-society",
        "city": "Berlin",
        "country": "DE",
        "tags": ["ngo", "campaigns"],
        "notes": "NGO for fair working conditions; wants a campaign site in DE and EN.",
    },
    {
        "name": "Backkollektiv Sauerteig eG",
        "website": "https://sauerteig-eg.example",
        "sector": "cooperatives",
        "city": "Halle (Saale)",
        "country": "DE",
        "tags": ["cooperative", "food"],
        "notes": "Genossenschaftsbäckerei, möchte Vorbestellungen online. "
        "Cooperative bakery that wants online pre-orders.",
    },
    {
        "name": "Energiegenossenschaft Muldental eG",
        "website": "https://energie-muldental.example",
        "sector": "energy",
        "city": "Grimma",
        "country": "DE",
        "tags": ["cooperative", "energy"],
        "notes": "Members' area and meter readings; asked us about hosting in Germany.",
    },
)

# (given, family, organisation index or None, role, email, phone, tags, notes, consent,
#  how to contact, days since last contact or None)
PEOPLE = (
    ("Renate", "Großmann", 0, "Vorstand", "r.grossmann@mieterverein-ost.example",
     "0341 5550101", ["decision maker"], "Entscheidet über das Portal.", Consent.AGREED,
     "Am besten dienstags per Telefon.", 12),
    ("Tobias", "Wendt", 0, "Geschäftsstelle", "t.wendt@mieterverein-ost.example",
     "0341 5550102", ["technical"], "Kümmert sich um die alte Website.", Consent.AGREED,
     "", 12),
    ("Amara", "Diallo", 1, "Programmleitung / programme lead", "amara@kohlrabizirkus.example",
     "0341 5550201", ["events", "decision maker"],
     "Met at the Leipzig culture night; speaks French, German and English.", Consent.AGREED,
     "Email first, then a call.", 30),
    ("Jonas", "Pietsch", 1, "Technik", "technik@kohlrabizirkus.example", "", ["technical"],
     "Betreibt den Server im Keller.", Consent.UNKNOWN, "", None),
    ("Dr. Sabine", "Krüger", 2, "Referatsleiterin Digitale Verwaltung",
     "sabine.krueger@digitalisierung.leipzig.example", "0341 5550301",
     ["public sector", "decision maker"], "Kennt die Vergabeordnung sehr genau.",
     Consent.AGREED, "Nur über die Dienstadresse. Office address only.", 45),
    ("Mehmet", "Yılmaz", 2, "Vergabestelle", "vergabe@digitalisierung.leipzig.example",
     "0341 5550302", ["tenders"], "Ansprechpartner für Ausschreibungen.", Consent.AGREED,
     "", None),
    ("Lena", "Hoffmann", 3, "Campaigns coordinator", "lena.hoffmann@faire-arbeit.example",
     "030 5550401", ["campaigns"], "Wants a bilingual campaign site before May Day.",
     Consent.AGREED, "Signal preferred; email works too.", 5),
    ("Pavel", "Novák", 3, "Finance", "finance@faire-arbeit.example", "", ["finance"],
     "Approves invoices; prefers English.", Consent.UNKNOWN, "", None),
    ("Greta", "Sommer", 4, "Vorständin", "greta@sauerteig-eg.example", "0345 5550501",
     ["cooperative", "decision maker"], "Möchte Vorbestellungen mit Abholzeiten.",
     Consent.AGREED, "Morgens ab 10 in der Backstube anrufen.", 60),
    ("Felix", "Brandt", 4, "Mitglied, IT-Arbeitsgruppe", "felix.brandt@sauerteig-eg.example",
     "", ["technical"], "", Consent.UNKNOWN, "", None),
    ("Ingrid", "Lorenz", 5, "Vorstand", "i.lorenz@energie-muldental.example", "03437 555060",
     ["energy", "decision maker"], "Asked about GDPR-compliant hosting in Germany.",
     Consent.AGREED, "", 20),
    ("Samira", "Haddad", 5, "Mitgliederservice", "service@energie-muldental.example",
     "03437 555061", ["energy"], "Zählerstände kommen heute per Post.", Consent.DECLINED,
     "Hat um keine Werbung gebeten. Asked for no marketing.", None),
    ("Oskar", "Reinhardt", None, "Freier Journalist", "oskar.reinhardt@mailbox.example",
     "0176 5550701", ["press"], "Schreibt über Genossenschaften in Sachsen.", Consent.AGREED,
     "", 90),
    ("Claire", "Martin", None, "Freelance UX researcher", "claire.martin@studio.example",
     "+33 6 55 50 08 01", ["partner"], "Possible partner for user research; based in Lyon.",
     Consent.AGREED, "Email in English or French.", 15),
    ("Jan", "Kowalski", None, "Hausverwaltung", "", "zentrale fragen", ["tenants"],
     "Nummer nur als Notiz bekannt: über die Zentrale fragen.", Consent.UNKNOWN, "", None),
)  # fmt: skip


@transaction.atomic
def load_demo_content() -> str:
    """Add the demo address book to the mission collective; running it again adds nothing."""
    collective = Collective.objects.filter(slug=DEMO_COLLECTIVE).first()
    if collective is None:
        return "contacts: no demo collective, nothing to add"
    organisations: list[Organisation] = []
    added_organisations = 0
    for data in ORGANISATIONS:
        organisation = Organisation.objects.filter(
            collective=collective, name=data["name"], is_demo=True
        ).first()
        if organisation is None:
            organisation = Organisation(
                collective=collective,
                is_demo=True,
                **{k: v for k, v in data.items() if k != "tags"},
            )
            organisation.tags = join_tags(list(data["tags"]))
            organisation.save()
            organisation.refresh_search_document()
            added_organisations += 1
        organisations.append(organisation)
    added_contacts = 0
    today = timezone.localdate()
    for (
        given,
        family,
        organisation_index,
        role,
        email,
        phone,
        tags,
        notes,
        consent,
        how,
        days_ago,
    ) in PEOPLE:
        full_name = f"{given} {family}"
        if Contact.objects.filter(
            collective=collective, full_name=full_name, is_demo=True
        ).exists():
            continue
        organisation = organisations[organisation_index] if organisation_index is not None else None
        contact = Contact.objects.create(
            collective=collective,
            given_name=given,
            family_name=family,
            full_name=full_name,
            organisation=organisation,
            role=role,
            notes=notes,
            tags=join_tags(tags),
            source=Source.DEMO_IMPORT,
            source_detail=DEMO_SOURCE,
            consent=consent,
            consent_on=date(2025, 9, 1) if consent else None,
            contact_preferences=how,
            last_contacted_on=today - timedelta(days=days_ago) if days_ago is not None else None,
            is_demo=True,
        )
        if email:
            ContactEmail.objects.create(contact=contact, email=email, label="work")
        if phone:
            ContactPhone.objects.create(contact=contact, raw=phone, label="work")
        contact.search_document = search_document(
            *contact_search_texts(
                name=full_name,
                given_name=given,
                family_name=family,
                role=role,
                organisation=organisation.name if organisation else "",
                preferences=how,
                emails=[email] if email else [],
                notes=notes,
                tags=tags,
            )
        )
        contact.save(update_fields=["search_document"])
        added_contacts += 1
    return (
        f"contacts: {added_contacts} demo contacts and {added_organisations} organisations "
        f"for {collective.name}"
    )
