"""A person's workshop ideas, interests, events, registrations and calendar feed: exported with
their data; on deletion their places are given up (the waitlist moves up) and their feed ends."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from django.db.models import Q

from klinke.core.personal_data import ExportFile, PersonalData, rows
from klinke.workshops.actions import WorkshopError, do_cancel_registration
from klinke.workshops.models import (
    ACTIVE_REGISTRATION,
    CalendarToken,
    Event,
    EventMessage,
    Interest,
    Material,
    Registration,
    WorkshopIdea,
)

if TYPE_CHECKING:
    from klinke.accounts.models import User


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="workshop_ideas",
            about_en="Workshop ideas you proposed.",
            about_de="Workshop-Ideen, die du vorgeschlagen hast.",
            content=rows(
                WorkshopIdea.objects.filter(proposers=user).order_by("created_at"),
                "title",
                "description",
                "language",
                "state",
                "visibility",
                "created_at",
            ),
        ),
        ExportFile(
            name="interests",
            about_en="Workshop ideas you said you are interested in, with your wishes.",
            about_de="Workshop-Ideen, für die du Interesse angemeldet hast, mit deinen Wünschen.",
            content=rows(
                Interest.objects.filter(user=user).order_by("created_at"),
                "idea__title",
                "preferred_format",
                "region",
                "language",
                "created_at",
            ),
        ),
        ExportFile(
            name="events_hosted",
            about_en="Events you created or host.",
            about_de="Veranstaltungen, die du angelegt hast oder ausrichtest.",
            content=rows(
                Event.objects.filter(Q(created_by=user) | Q(hosts=user))
                .distinct()
                .order_by("starts_at"),
                "title",
                "starts_at",
                "ends_at",
                "format",
                "venue",
                "city",
                "state",
            ),
        ),
        ExportFile(
            name="registrations",
            about_en="Events you registered for, and what became of each registration.",
            about_de=(
                "Veranstaltungen, für die du dich angemeldet hast, und was aus jeder Anmeldung "
                "wurde."
            ),
            content=rows(
                Registration.objects.filter(user=user).order_by("requested_at"),
                "event__title",
                "event__starts_at",
                "status",
                "requested_at",
                "confirmed_at",
                "promoted_at",
                "cancelled_at",
            ),
        ),
        ExportFile(
            name="event_messages",
            about_en="Messages you sent to the participants of an event.",
            about_de="Nachrichten, die du an die Teilnehmenden einer Veranstaltung geschickt hast.",
            content=rows(
                EventMessage.objects.filter(sender=user).order_by("sent_at"),
                "event__title",
                "subject",
                "body",
                "recipient_count",
                "sent_at",
            ),
        ),
        ExportFile(
            name="event_materials",
            about_en=(
                "Materials you uploaded to an event (their names; the files stay with the event)."
            ),
            about_de=(
                "Materialien, die du zu einer Veranstaltung hochgeladen hast (ihre Namen; die "
                "Dateien bleiben bei der Veranstaltung)."
            ),
            content=rows(
                Material.objects.filter(uploaded_by=user).order_by("created_at"),
                "event__title",
                "title",
                "original_name",
                "size",
                "created_at",
            ),
        ),
        ExportFile(
            name="calendar_feed",
            about_en=(
                "Your private calendar feed: when it was made and last used (never its secret)."
            ),
            about_de=(
                "Dein privater Kalender-Feed: wann er angelegt und zuletzt benutzt wurde (nie "
                "sein Geheimnis)."
            ),
            content=rows(CalendarToken.objects.filter(user=user), "created_at", "last_used_at"),
        ),
    ]


def erase(user: User) -> None:
    active = Registration.objects.filter(user=user, status__in=ACTIVE_REGISTRATION)
    for event_id in active.values_list("event_id", flat=True):
        # An event that has started keeps its places; the row goes below all the same.
        with contextlib.suppress(WorkshopError):
            do_cancel_registration(event_id=event_id, user=user)
    Registration.objects.filter(user=user).delete()
    Interest.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()


PERSONAL_DATA = PersonalData(
    app_label="workshops",
    covers=(
        "workshops.WorkshopIdea.proposers",
        "workshops.Interest.user",
        "workshops.Event.created_by",
        "workshops.Event.hosts",
        "workshops.Registration.user",
        "workshops.EventMessage.sender",
        "workshops.Material.uploaded_by",
        "workshops.CalendarToken.user",
    ),
    export=export,
    erase=erase,
)
