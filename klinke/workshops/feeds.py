"""Events as iCalendar (RFC 5545): one event's .ics file, the public feed, personal feeds.

Each VEVENT carries its start and end in the event's own zone (DTSTART;TZID=Europe/Berlin:…)
and the calendar carries a VTIMEZONE for every zone used, built by `icalendar` from the tz
database for the years the events span. The UID is the event's UUID, so a calendar that
subscribed to several feeds sees one event, and SEQUENCE rises whenever time or place change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klinke.workshops.models import Event, EventFormat, RegistrationStatus

PRODID = "-//klinke//workshops//EN"
UID_DOMAIN = "klinke.workshops"


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _location(event: Event, *, show_link: bool) -> str:
    place = ", ".join(part for part in (event.venue, event.city) if part)
    if event.format == EventFormat.IN_PERSON:
        return place
    online = event.online_url if show_link and event.online_url else _("Online")
    if event.format == EventFormat.ONLINE:
        return online
    return f"{place} / {online}" if place else online


def event_component(
    event: Event,
    *,
    show_link: bool = False,
    status: str | None = None,
    stamp: datetime | None = None,
) -> icalendar.Event:
    """One VEVENT. `show_link` adds the online link, which only participants may see."""
    url = _absolute(event.get_absolute_url())
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", event.sequence)
    component.add("dtstart", event.local_start)
    component.add("dtend", event.local_end)
    summary = event.title
    if status == RegistrationStatus.WAITLISTED:
        summary = _("[Waitlist] %(title)s") % {"title": event.title}
    component.add("summary", summary)
    description = event.description.strip()
    if show_link and event.online_url:
        description += "\n\n" + _("Online: %(url)s") % {"url": event.online_url}
    description += "\n\n" + url
    component.add("description", description)
    location = _location(event, show_link=show_link)
    if location:
        component.add("location", location)
    component.add("url", url)
    topics = [topic.name for topic in event.topics.all()]
    if topics:
        component.add("categories", topics)
    if event.is_cancelled:
        component.add("status", "CANCELLED")
    elif status == RegistrationStatus.WAITLISTED:
        component.add("status", "TENTATIVE")
    else:
        component.add("status", "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def build_calendar(
    entries: Iterable[tuple[Event, bool, str | None]],
    *,
    name: str,
    language: str = "de",
    feed: bool = False,
    description: str = "",
) -> bytes:
    """A VCALENDAR for (event, show_link, registration status) entries, as bytes."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar writes unknown X- properties verbatim; these are TEXT (an event title may
    # hold a comma or a newline), so they are escaped as vText explicitly.
    calendar.add("x-wr-calname", icalendar.vText(name))
    if description:
        calendar.add("x-wr-caldesc", icalendar.vText(description))
    if feed:
        # Subscribed calendars poll; once an hour keeps cancellations and moves current.
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    first: date | None = None
    last: date | None = None
    with translation.override(language):
        for event, show_link, status in entries:
            calendar.add_component(
                event_component(event, show_link=show_link, status=status, stamp=stamp)
            )
            start, end = event.local_start.date(), event.local_end.date()
            first = start if first is None else min(first, start)
            last = end if last is None else max(last, end)
    if first is not None and last is not None:
        # VTIMEZONEs cover the span the events need (and a little more), not decades.
        calendar.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 12, 31)
        )
    return bytes(calendar.to_ical())


def calendar_response(content: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
