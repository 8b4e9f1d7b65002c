"""Demo workshops: ideas with interest and events with registrations, in German and English.

"Akquise für Kollektive" stays one interested person short of its threshold, so whoever tries
the demo can tip it and see the proposer's email go out. One event is full with a waitlist.
Everything is marked `is_demo`; running this again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from klinke.accounts.models import User
from klinke.core.models import Visibility
from klinke.topics.models import Topic
from klinke.workshops.models import (
    DEFAULT_TIMEZONE,
    Event,
    EventFormat,
    IdeaState,
    Interest,
    PreferredFormat,
    Registration,
    RegistrationStatus,
    WorkshopIdea,
    local_to_aware,
)

DOMAIN = "demo.klinke.example"


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


@dataclass(frozen=True)
class DemoIdea:
    title: str
    description: str
    language: str
    topics: tuple[str, ...]
    proposer: str
    threshold: int
    """Counts the proposer, who is interested too."""
    interested: tuple[tuple[str, str, str], ...]
    """(email local part, preferred format, region)"""
    state: str = IdeaState.OPEN


@dataclass(frozen=True)
class DemoEvent:
    title: str
    description: str
    language: str
    topics: tuple[str, ...]
    hosts: tuple[str, ...]
    in_days: int
    at: time
    hours: float
    capacity: int
    event_format: str
    venue: str = ""
    city: str = ""
    online_url: str = ""
    visibility: str = Visibility.PUBLIC
    registered: tuple[str, ...] = ()
    notes: str = ""
    idea: str = ""
    waitlisted: tuple[str, ...] = field(default=())


IDEAS = (
    DemoIdea(
        title="Akquise für Kollektive",
        description=(
            "Wie kommen kleine Tech-Kollektive an Aufträge, die zu ihnen passen – ohne "
            "Kaltakquise und ohne sich zu verbiegen? Wir wollen Erfahrungen austauschen: "
            "Empfehlungen, Netzwerke, öffentliche Ausschreibungen, Bietergemeinschaften, "
            "und wie man Akquise im Kollektiv fair verteilt.\n\n"
            "In English: how small tech collectives find clients that fit them – sharing "
            "what works, from referrals to public tenders."
        ),
        language="de",
        topics=("acquisition", "networking"),
        proposer="frieda.lorenzen",
        threshold=6,
        interested=(
            ("okan.sariguel", PreferredFormat.IN_PERSON, "Leipzig"),
            ("benno.rautenberg", PreferredFormat.ONLINE, ""),
            ("leonie.hrabal", PreferredFormat.EITHER, "Sachsen"),
            ("hanna.rieder", PreferredFormat.ONLINE, ""),
        ),
    ),
    DemoIdea(
        title="Open-source licences in client projects",
        description=(
            "Which licence do we put on code we write for clients, and how do we write that "
            "into the contract? Let's compare contract clauses, AGPL vs. MIT for public-sector "
            "work, and how to talk clients into publishing.\n\n"
            "Auf Deutsch: Welche Lizenz für Kund*innenprojekte, und wie steht das im Vertrag?"
        ),
        language="en",
        topics=("free-software", "contracts"),
        proposer="amir.pourmand",
        threshold=7,
        interested=(
            ("jules.perrenoud", PreferredFormat.ONLINE, ""),
            ("marisol.quintero", PreferredFormat.ONLINE, ""),
            ("valentina.arismendi", PreferredFormat.EITHER, "Berlin"),
        ),
    ),
    DemoIdea(
        title="Barrierefreiheit nach BITV 2.0 in der Praxis",
        description=(
            "Öffentliche Auftraggeber verlangen BITV 2.0 und WCAG 2.2. Wie prüfen wir "
            "unsere Projekte effizient, welche Werkzeuge taugen, und wie kalkulieren wir "
            "Audits? Ein Praxistag mit Beispielen aus echten Projekten."
        ),
        language="de",
        topics=("accessibility", "public-tenders"),
        proposer="kuebra.elmas",
        threshold=6,
        interested=(
            ("mira", PreferredFormat.IN_PERSON, "Leipzig"),
            ("theresa.poelzl", PreferredFormat.ONLINE, ""),
            ("carsten.pflaum", PreferredFormat.IN_PERSON, "Nürnberg"),
            ("imke.duwensee", PreferredFormat.EITHER, "Hamburg"),
            ("ole.brakhage", PreferredFormat.IN_PERSON, "Göttingen"),
        ),
    ),
    DemoIdea(
        title="Tagessätze ehrlich kalkulieren",
        description=(
            "Rücklagen, Steuern, Einheitslohn, unbezahlte Akquisezeit: was muss in einen "
            "Tagessatz, damit das Kollektiv davon leben kann?"
        ),
        language="de",
        topics=("pricing", "finance"),
        proposer="paula.kiessling",
        threshold=5,
        interested=(
            ("janne", PreferredFormat.ONLINE, ""),
            ("sanne.vogelsang", PreferredFormat.ONLINE, ""),
            ("reto.gasser", PreferredFormat.ONLINE, "Zürich"),
            ("elif.karadeniz", PreferredFormat.EITHER, ""),
            ("merle.tenbrink", PreferredFormat.ONLINE, ""),
        ),
        state=IdeaState.SCHEDULED,
    ),
)

EVENTS = (
    DemoEvent(
        title="Workshop: Akquise ohne Klinkenputzen",
        description=(
            "Ein Nachmittag für Kollektive, die ihre Akquise auf solide Füße stellen wollen: "
            "Wunschkund*innen beschreiben, Empfehlungen systematisch nutzen, Erstgespräche "
            "vorbereiten. Mit Übungen in kleinen Gruppen.\n\n"
            "Bitte bringt zwei, drei Beispiele von Aufträgen mit, die gut gepasst haben."
        ),
        language="de",
        topics=("acquisition", "marketing"),
        hosts=("ines.marquardt-lopes",),
        in_days=10,
        at=time(14, 0),
        hours=4,
        capacity=12,
        event_format=EventFormat.IN_PERSON,
        venue="Haus der Demokratie, Bernhard-Göring-Straße 152",
        city="Leipzig",
        registered=("mira", "deniz", "okan.sariguel", "leonie.hrabal", "konstantin.ebeling"),
    ),
    DemoEvent(
        title="Stundensatz kalkulieren, der wirklich alle Kosten deckt",
        description=(
            "Wir rechnen gemeinsam einen Stundensatz durch: Einheitslohn, Sozialabgaben, "
            "Rücklagen, nicht abrechenbare Zeit. Ihr bekommt eine Tabellenvorlage, die ihr "
            "danach mit euren eigenen Zahlen füllt."
        ),
        language="de",
        topics=("pricing", "finance"),
        hosts=("nadia.haddad-loewe",),
        in_days=14,
        at=time(10, 0),
        hours=2.5,
        capacity=8,
        event_format=EventFormat.ONLINE,
        online_url="https://meet.demo.klinke.example/stundensatz",
        registered=(
            "janne",
            "sanne.vogelsang",
            "reto.gasser",
            "elif.karadeniz",
            "merle.tenbrink",
            "zeynep.arslan",
            "emir.hadzic",
            "svenja.woehler",
        ),
        waitlisted=("lou", "noemi.stucki", "helene.kuckertz"),
        idea="Tagessätze ehrlich kalkulieren",
    ),
    DemoEvent(
        title="EU funding for collectives: consortia and work packages",
        description=(
            "An open session in English on Horizon Europe and Digital Europe calls: how "
            "small collectives join a consortium, cost a work package honestly, and survive "
            "the reporting. Bring your questions; there will be time for your own project "
            "ideas.\n\n"
            "Auf Englisch, Fragen gern auch auf Deutsch."
        ),
        language="en",
        topics=("funding", "finance"),
        hosts=("matthijs.van.der.kolk",),
        in_days=21,
        at=time(16, 0),
        hours=1.5,
        capacity=20,
        event_format=EventFormat.ONLINE,
        online_url="https://meet.demo.klinke.example/eu-funding",
        registered=("amir.pourmand", "femke.oosterhuis", "rohan.mehta-vos", "kwame.asante-berg"),
    ),
    DemoEvent(
        title="Leistungsbeschreibungen lesen und EVB-IT verstehen",
        description=(
            "Was steht wirklich in einer Leistungsbeschreibung, und welche EVB-IT-Verträge "
            "passen zu welchen Aufträgen? Ein Abend mit echten (anonymisierten) Beispielen."
        ),
        language="de",
        topics=("public-tenders", "contracts"),
        hosts=("benedikt.auerswald", "oluwaseun.brandt"),
        in_days=-18,
        at=time(18, 0),
        hours=2,
        capacity=15,
        event_format=EventFormat.HYBRID,
        venue="Mehringhof, Gneisenaustraße 2a",
        city="Berlin",
        online_url="https://meet.demo.klinke.example/evb-it",
        visibility=Visibility.MEMBERS,
        registered=("mira", "frieda.lorenzen", "tjark.hinrichs", "hendrik.broering"),
        notes=(
            "## Was wir besprochen haben\n\n"
            "- EVB-IT Dienstvertrag vs. Werkvertrag: wer trägt das Risiko?\n"
            "- Leistungsbeschreibungen: *Muss*- und *Soll*-Kriterien sauber trennen\n"
            "- Bietergemeinschaften: gemeinsame Haftung vorher klären\n\n"
            "## Nächste Schritte\n\n"
            "Wir sammeln Musterformulierungen im Wissensbereich. "
            "Notes in English: see the slides."
        ),
    ),
)


def _users(locals_: tuple[str, ...] | list[str]) -> list[User]:
    emails = [_email(local) for local in locals_]
    found = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [found[e] for e in emails if e in found]


def _topics(slugs: tuple[str, ...]) -> list[Topic]:
    return list(Topic.objects.filter(slug__in=slugs))


def _at(days: int, at: time) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return local_to_aware(datetime.combine(day, at), DEFAULT_TIMEZONE)


def _load_idea(spec: DemoIdea) -> tuple[WorkshopIdea | None, bool]:
    existing = WorkshopIdea.objects.filter(is_demo=True, title=spec.title).first()
    if existing is not None:
        return existing, False
    proposers = _users([spec.proposer])
    if not proposers:
        return None, False
    idea = WorkshopIdea.objects.create(
        title=spec.title,
        description=spec.description,
        language=spec.language,
        interest_threshold=spec.threshold,
        state=spec.state,
        is_demo=True,
    )
    idea.proposers.set(proposers)
    idea.topics.set(_topics(spec.topics))
    people = {u.email: u for u in _users([local for local, _f, _r in spec.interested])}
    for local, preferred, region in spec.interested:
        user = people.get(_email(local))
        if user is not None:
            Interest.objects.get_or_create(
                idea=idea,
                user=user,
                defaults={"preferred_format": preferred, "region": region, "language": "de"},
            )
    if idea.interested_count() >= idea.interest_threshold:
        # Reached in the story of the demo; nobody needs an email about it now.
        idea.threshold_reached_at = timezone.now()
        idea.save(update_fields=["threshold_reached_at"])
    idea.refresh_search_document()
    return idea, True


def _load_event(spec: DemoEvent, ideas: dict[str, WorkshopIdea]) -> tuple[Event | None, bool]:
    existing = Event.objects.filter(is_demo=True, title=spec.title).first()
    if existing is not None:
        return existing, False
    hosts = _users(spec.hosts)
    if not hosts:
        return None, False
    starts_at = _at(spec.in_days, spec.at)
    event = Event.objects.create(
        title=spec.title,
        description=spec.description,
        idea=ideas.get(spec.idea),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=spec.hours),
        time_zone=DEFAULT_TIMEZONE,
        format=spec.event_format,
        venue=spec.venue,
        city=spec.city,
        online_url=spec.online_url,
        capacity=spec.capacity,
        language=spec.language,
        visibility=spec.visibility,
        notes=spec.notes,
        created_by=hosts[0],
        is_demo=True,
    )
    event.hosts.set(hosts)
    event.topics.set(_topics(spec.topics))
    booked_at = min(timezone.now(), starts_at) - timedelta(days=5)
    for offset, user in enumerate(_users(spec.registered)[: spec.capacity]):
        at = booked_at + timedelta(minutes=offset)
        Registration.objects.create(
            event=event,
            user=user,
            status=RegistrationStatus.CONFIRMED,
            requested_at=at,
            confirmed_at=at,
            # Demo participants of past events were reminded back then.
            reminder_sent_at=at if spec.in_days < 1 else None,
        )
    for offset, user in enumerate(_users(spec.waitlisted)):
        Registration.objects.create(
            event=event,
            user=user,
            status=RegistrationStatus.WAITLISTED,
            requested_at=booked_at + timedelta(hours=1, minutes=offset),
        )
    event.refresh_search_document()
    return event, True


@transaction.atomic
def load_demo_content() -> str:
    """Create the demo ideas and events once; return a one-line summary."""
    ideas: dict[str, WorkshopIdea] = {}
    created_ideas = created_events = 0
    for idea_spec in IDEAS:
        idea, created = _load_idea(idea_spec)
        if idea is not None:
            ideas[idea.title] = idea
            created_ideas += created
    for event_spec in EVENTS:
        _event, created = _load_event(event_spec, ideas)
        created_events += created
    return (
        f"workshops: {len(ideas)} ideas and "
        f"{Event.objects.filter(is_demo=True).count()} events "
        f"({created_ideas} ideas and {created_events} events new)"
    )
