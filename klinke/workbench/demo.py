"""Demo workbench for Kollektiv Quellcode: red lines, eight leads in every stage with their
activities, a flagged surveillance lead, an open decision and a referral to a hosting
collective. Everything is invented and marked `is_demo`; dates are relative to today, so the
board always shows something due, something overdue and something quiet.

Runs after the contacts demo, whose organisations and people the leads point at when present.
No email is sent: notifications are for real people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.contacts.models import Contact, Organisation
from klinke.topics.models import Topic
from klinke.workbench.models import (
    Activity,
    Decision,
    DecisionComment,
    DecisionRule,
    Lead,
    LeadSource,
    RedLine,
    Referral,
    ReferralLogEntry,
    Response,
    Stage,
)

DEMO_COLLECTIVE = "kollektiv-quellcode"
REFERRAL_TARGET = "wurzelwerk-hosting"
PEOPLE = ("mira", "janne", "deniz", "lou")  # their logins are <name>@demo.klinke.example


class RedLineSeed(TypedDict):
    name: str
    explanation: str
    sectors: list[str]
    keywords_de: str
    keywords_en: str
    organisations: str


RED_LINES: tuple[RedLineSeed, ...] = (
    {
        "name": "Keine Überwachung / No surveillance",
        "explanation": "Wir bauen keine Technik, mit der Menschen beobachtet, erkannt oder "
        "verfolgt werden. We do not build technology that watches, identifies or tracks "
        "people.",
        "sectors": ["surveillance"],
        "keywords_de": "Verhaltensanalyse\nMitarbeiterüberwachung",
        "keywords_en": "employee monitoring\nbehaviour analysis",
        "organisations": "",
    },
    {
        "name": "Kein Militär / No military",
        "explanation": "Keine Aufträge von Armeen, Rüstungsfirmen oder für Waffen. "
        "No work for armies, arms companies or weapons.",
        "sectors": ["military"],
        "keywords_de": "",
        "keywords_en": "",
        "organisations": "Rheinmetall AG\nHensoldt AG\nBundesamt für Ausrüstung, "
        "Informationstechnik und Nutzung der Bundeswehr",
    },
    {
        "name": "Kein Werbe-Tracking / No ad tracking",
        "explanation": "Wir bauen keine Werbeprofile und kein seitenübergreifendes Tracking. "
        "We build no advertising profiles and no cross-site tracking.",
        "sectors": ["adtech"],
        "keywords_de": "",
        "keywords_en": "",
        "organisations": "",
    },
)


@dataclass
class DemoLead:
    title: str
    stage: str
    client: str
    organisation: str = ""
    contact: str = ""
    description: str = ""
    source: str = LeadSource.PERSONAL
    source_detail: str = ""
    value: tuple[int | None, int | None] = (None, None)
    next_action: str = ""
    due_in_days: int | None = None
    members: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    quiet_days: int = 1
    closed_days_ago: int | None = None
    closed_reason: str = ""
    activities: tuple[tuple[str, int, str, str], ...] = field(default=())
    """(kind, days ago, who, text)"""


LEADS = (
    DemoLead(
        title="Mitgliederportal für den Mieterverein",
        stage=Stage.PROPOSAL,
        client="Mieterverein Leipzig-Ost e.V.",
        organisation="Mieterverein Leipzig-Ost e.V.",
        contact="Renate Großmann",
        description="Ein Portal, in dem Mitglieder ihre Beratungstermine buchen, Unterlagen "
        "hochladen und den Stand ihrer Anfrage sehen. Login mit Mitgliedsnummer, "
        "barrierefrei nach BITV, Betrieb bei uns.",
        source=LeadSource.RECOMMENDATION,
        source_detail="Empfehlung vom Backkollektiv Sauerteig",
        value=(18000, 24000),
        next_action="Kostenschätzung mit dem Vorstand durchgehen",
        due_in_days=2,
        members=("mira", "janne"),
        topics=("web-development", "accessibility"),
        quiet_days=3,
        activities=(
            ("call", 24, "mira", "Erstes Telefonat mit Frau Großmann: Portal statt PDF-Formulare."),
            ("meeting", 10, "janne", "Workshop in der Geschäftsstelle, Abläufe aufgenommen."),
            ("email", 3, "mira", "Kostenschätzung (18–24 T€) mit drei Paketen geschickt."),
        ),
    ),
    DemoLead(
        title="Ticketing für das Kulturzentrum",
        stage=Stage.QUALIFIED,
        client="Kulturzentrum Kohlrabizirkus",
        organisation="Kulturzentrum Kohlrabizirkus",
        contact="Amara Diallo",
        description="Ticketverkauf für rund 120 Veranstaltungen im Jahr, mit Soli-Preisen und "
        "Gästeliste. Heute läuft alles über eine Tabelle.",
        value=(6000, 9000),
        next_action="Prototyp für den Check-in zeigen",
        due_in_days=-1,
        members=("deniz",),
        topics=("web-development",),
        quiet_days=19,
        activities=(
            (
                "meeting",
                19,
                "deniz",
                "Kennenlernen bei der Kulturnacht; Amara schickt die Tabelle.",
            ),
        ),
    ),
    DemoLead(
        title="Barrierefreiheitsprüfung des Bürgerportals (Kleinauftrag)",
        stage=Stage.NEW,
        client="Stadt Leipzig – Amt für Digitalisierung",
        organisation="Stadt Leipzig – Amt für Digitalisierung",
        contact="Dr. Sabine Krüger",
        description="Prüfung nach BITV 2.0 und WCAG 2.2 AA, Bericht mit Prioritäten, "
        "Nachprüfung nach drei Monaten. Vergabe unterhalb der Schwelle.",
        source=LeadSource.TENDER,
        source_detail="Aufforderung zur Angebotsabgabe per E-Mail",
        value=(4000, 5500),
        next_action="Vergabeunterlagen lesen und Fragen stellen",
        due_in_days=0,
        members=("lou",),
        topics=("accessibility",),
    ),
    DemoLead(
        title="Bilingual campaign site for May Day",
        stage=Stage.NEGOTIATION,
        client="Netzwerk Faire Arbeit gGmbH",
        organisation="Netzwerk Faire Arbeit gGmbH",
        contact="Lena Hoffmann",
        description="A German and English campaign site with a petition, local event map and "
        "a press area, live by mid-April. They host with us afterwards.",
        value=(9000, 12000),
        next_action="Agree on the payment schedule",
        due_in_days=4,
        members=("janne", "lou"),
        topics=("web-development", "cms"),
        quiet_days=2,
        activities=(
            ("call", 14, "lou", "Lena explained the campaign; tight deadline, clear content."),
            ("email", 2, "janne", "Sent the contract draft; they ask for three instalments."),
        ),
    ),
    DemoLead(
        title="Online-Vorbestellung für die Backgenossenschaft",
        stage=Stage.WON,
        client="Backkollektiv Sauerteig eG",
        organisation="Backkollektiv Sauerteig eG",
        contact="Greta Sommer",
        description="Vorbestellungen mit Abholzeiten, Abo für Brotkisten, Export für die "
        "Backstube.",
        value=(5000, 7000),
        members=("mira",),
        topics=("web-development",),
        quiet_days=62,
        closed_days_ago=62,
        closed_reason="Passt zu uns: Genossenschaft, klarer Umfang, Zahlung in zwei Raten.",
        activities=(("meeting", 70, "mira", "Probeessen und Anforderungen in der Backstube."),),
    ),
    DemoLead(
        title="Datenschutzkonformes Hosting für die Energiegenossenschaft",
        stage=Stage.QUALIFIED,
        client="Energiegenossenschaft Muldental eG",
        organisation="Energiegenossenschaft Muldental eG",
        contact="Ingrid Lorenz",
        description="Nextcloud und Mitgliederverwaltung für 900 Mitglieder, Hosting in "
        "Deutschland, Backups, Betreuung. Mehr Betrieb als Entwicklung.",
        value=(3000, 4500),
        next_action="Antwort von Wurzelwerk abwarten",
        due_in_days=5,
        members=("deniz",),
        topics=("hosting", "data-protection"),
        quiet_days=6,
        activities=(("call", 6, "deniz", "Frau Lorenz ist einverstanden, dass wir weitergeben."),),
    ),
    DemoLead(
        title="Videoanalyse-Plattform für Ordnungsamt",
        stage=Stage.NEW,
        client="Stadt Musterstadt, Ordnungsamt",
        description="Automatische Auswertung der Kamerabilder in der Innenstadt: Erkennung "
        "von Ordnungswidrigkeiten und Personenströmen, Anbindung an die Leitstelle.",
        source=LeadSource.INQUIRY,
        source_detail="Anfrage über das Kontaktformular",
        value=(60000, 90000),
        next_action="Besprechen, ob wir überhaupt antworten",
        due_in_days=3,
        topics=("web-development",),
    ),
    DemoLead(
        title="App for a cargo-bike sharing co-op",
        stage=Stage.LOST,
        client="Lastenrad-Genossenschaft Leipzig",
        description="Native apps for booking cargo bikes, with lock integration.",
        value=(30000, 45000),
        members=("lou",),
        topics=("mobile-apps",),
        quiet_days=150,
        closed_days_ago=150,
        closed_reason="They chose a larger agency; native apps are not our strength anyway.",
    ),
)


def _people(collective: Collective) -> dict[str, User]:
    found: dict[str, User] = {}
    members = collective.member_users()
    for name in PEOPLE:
        user = next((u for u in members if u.email.startswith(f"{name}@")), None)
        if user is not None:
            found[name] = user
    return found


def _red_lines(collective: Collective, creator: User | None) -> int:
    added = 0
    for data in RED_LINES:
        if RedLine.objects.filter(collective=collective, name=data["name"]).exists():
            continue
        red_line = RedLine(
            collective=collective,
            name=data["name"],
            explanation=data["explanation"],
            keywords_de=data["keywords_de"],
            keywords_en=data["keywords_en"],
            organisations=data["organisations"],
            created_by=creator,
            is_demo=True,
        )
        red_line.sector_codes = data["sectors"]
        red_line.save()
        added += 1
    return added


def _lead(collective: Collective, data: DemoLead, people: dict[str, User]) -> Lead:
    now = timezone.now()
    today = timezone.localdate()
    organisation = Organisation.objects.filter(
        collective=collective, name=data.organisation
    ).first()
    contact = Contact.objects.filter(collective=collective, full_name=data.contact).first()
    closed_at = now - timedelta(days=data.closed_days_ago) if data.closed_days_ago else None
    lead = Lead(
        collective=collective,
        title=data.title,
        organisation=organisation,
        contact=contact,
        client_name="" if organisation else data.client,
        description=data.description,
        source=data.source,
        source_detail=data.source_detail,
        value_min=data.value[0],
        value_max=data.value[1],
        stage=data.stage,
        stage_changed_at=closed_at or now - timedelta(days=data.quiet_days),
        closed_at=closed_at,
        closed_reason=data.closed_reason,
        next_action=data.next_action,
        next_action_due=today + timedelta(days=data.due_in_days)
        if data.due_in_days is not None
        else None,
        last_activity_at=now - timedelta(days=data.quiet_days),
        created_by=people.get(data.members[0]) if data.members else None,
        is_demo=True,
    )
    lead.save()
    Lead.objects.filter(pk=lead.pk).update(created_at=now - timedelta(days=data.quiet_days + 10))
    lead.members.set([people[name] for name in data.members if name in people])
    lead.topics.set(Topic.objects.filter(slug__in=data.topics))
    for kind, days_ago, who, text in data.activities:
        Activity.objects.create(
            lead=lead,
            kind=kind,
            occurred_at=now - timedelta(days=days_ago),
            by=people.get(who),
            text=text,
            contact=contact,
            is_demo=True,
        )
    return lead


def _decision(collective: Collective, lead: Lead, people: dict[str, User]) -> None:
    decision = Decision.objects.create(
        collective=collective,
        lead=lead,
        question="Nehmen wir das Mitgliederportal an? / Do we take the members' portal?",
        details="Es bindet bis Juni etwa drei Personentage pro Woche. Mira und Janne würden es "
        "tragen. It takes about three person-days a week until June.",
        deadline=timezone.now() + timedelta(days=4),
        rule=DecisionRule.CONSENT,
        quorum_percent=50,
        opened_by=people.get("mira"),
        is_demo=True,
    )
    for name, choice, reason in (
        ("mira", "agree", ""),
        ("janne", "abstain", "Ich bin im April drei Wochen weg. Away three weeks in April."),
    ):
        if name in people:
            Response.objects.create(
                decision=decision, member=people[name], choice=choice, reason=reason
            )
    for offset, (name, text) in enumerate(
        (
            (
                "janne",
                "Wer übernimmt die Wartung nach dem Launch? Who looks after it once it is live?",
            ),
            (
                "mira",
                "Ich würde das übernehmen, wenn wir es im Angebot als Wartungsvertrag ausweisen. "
                "I'll take it if the offer lists maintenance as its own contract.",
            ),
        )
    ):
        if name in people:
            DecisionComment.objects.create(
                decision=decision,
                author=people[name],
                text=text,
                created_at=timezone.now() - timedelta(hours=30 - offset * 6),
            )


def _referral(collective: Collective, lead: Lead, people: dict[str, User]) -> bool:
    target = Collective.objects.filter(slug=REFERRAL_TARGET).first()
    if target is None:
        return False
    topic = Topic.objects.filter(slug="hosting").first()
    referral = Referral.objects.create(
        lead=lead,
        from_collective=collective,
        to_collective=target,
        referred_by=people.get("deniz"),
        client_agreed=True,
        message="Das ist eher Betrieb als Entwicklung – bei euch in besseren Händen. "
        "More operations than development: you are better at this.",
        title=lead.title,
        client_name=lead.client_label,
        client_contact="Ingrid Lorenz, i.lorenz@energie-muldental.example",
        description=lead.description,
        value_min=lead.value_min,
        value_max=lead.value_max,
        topic=topic,
        is_demo=True,
    )
    ReferralLogEntry.objects.create(
        referral=referral,
        from_collective=collective,
        to_collective=target,
        topic=topic,
        referred_on=timezone.localdate(),
        state=referral.state,
    )
    return True


@transaction.atomic
def load_demo_content() -> str:
    """Fill the demo collective's workbench; running it again adds nothing."""
    collective = Collective.objects.filter(slug=DEMO_COLLECTIVE).first()
    if collective is None:
        return "workbench: no demo collective, nothing to add"
    people = _people(collective)
    added_lines = _red_lines(collective, people.get("mira"))
    if Lead.objects.filter(collective=collective, is_demo=True).exists():
        return f"workbench: {collective.name} already has its demo leads"
    leads: dict[str, Lead] = {}
    for data in LEADS:
        leads[data.title] = _lead(collective, data, people)
    _decision(collective, leads[LEADS[0].title], people)
    referred = _referral(collective, leads[LEADS[5].title], people)
    flagged = sum(1 for lead in leads.values() if lead.is_flagged)
    return (
        f"workbench: {len(leads)} leads ({flagged} flagged by a red line), "
        f"{added_lines} red lines, 1 open decision, {int(referred)} referral "
        f"for {collective.name}"
    )
