"""The database stages of ``bench/tenders.py``: a day of 3,000 notices imported, screened
against 50 collectives' red lines and ranked against 1,000 tender profiles, and the inbox page
of one collective with all of it stored (issue 10, section 6).

Runs on a fresh SQLite file under ``var/bench/`` (or ``--database URL``, which it empties): the
parsed fixtures get distinct identifiers and deadlines in the coming weeks, so every notice is a
new open tender, as on a real day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

from klinke.tenders.parsers import Outcome, Parsed
from klinke.tenders.parsers.records import Deadline, NoticeRecord

PROFILES = 1000
WITH_RED_LINES = 50
# What IT collectives look for: CPV prefixes (padded to 8 digits), keywords, regions.
CPV_CHOICES = (
    ["72000000"],
    ["72200000", "72400000"],
    ["48000000"],
    ["72500000", "72600000"],
    ["79400000"],
    ["80500000", "72000000"],
)
KEYWORDS = ("Webportal\nSoftware", "Datenschutz\nBeratung", "Schulung\nOpen Source", "Hosting")
REGIONS = (["DE"], ["DED", "DEE"], ["FR", "LU"], [], ["AT", "DE"])


def distinct_day(outcomes: Sequence[Outcome], today: dt.datetime) -> list[Outcome]:
    """The parsed outcomes with distinct notices and procedures, due in the coming weeks."""
    fresh: list[Outcome] = []
    for n, outcome in enumerate(outcomes):
        if not isinstance(outcome, Parsed):
            fresh.append(outcome)
            continue
        records = tuple(_fresh(record, n, today) for record in outcome.records)
        fresh.append(dataclasses.replace(outcome, records=records))
    return fresh


def _fresh(record: NoticeRecord, n: int, today: dt.datetime) -> NoticeRecord:
    due = today + dt.timedelta(days=5 + n % 40, hours=12)
    deadline = Deadline(kind="BT-131", written=due.isoformat(), utc=due)
    lots = tuple(
        dataclasses.replace(lot, deadline=deadline if lot.deadline else None) for lot in record.lots
    )
    title = dict(record.title)
    if n % 20 == 0 and title:
        # One notice in twenty is about surveillance, so the red lines have work to do.
        title["de"] = f"Videoüberwachung und {next(iter(title.values()))}"
    return dataclasses.replace(
        record,
        title=title,
        notice_id=f"{record.notice_id}-{n}",
        procedure_id=f"{record.procedure_id}-{n}",
        role="competition" if record.role == "other" else record.role,
        deadline=deadline,
        lots=lots,
    )


def run(outcomes: Sequence[Outcome], database: str | None) -> dict[str, str]:
    os.environ["DATABASE_URL"] = database or "sqlite:///var/bench/tenders-day.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klinke.settings")
    if database is None:
        os.makedirs("var/bench", exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            path = f"var/bench/tenders-day.sqlite3{suffix}"
            if os.path.exists(path):
                os.remove(path)
    import django

    django.setup()
    from django.core.management import call_command

    if database is not None:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    return _measure(outcomes)


def _measure(outcomes: Sequence[Outcome]) -> dict[str, str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from klinke.tenders.actions import do_refresh_all_inboxes
    from klinke.tenders.importing import do_import_outcomes
    from klinke.tenders.models import InboxEntry

    day = distinct_day(outcomes, timezone.now())
    started = time.perf_counter()
    summary = do_import_outcomes(day)
    imported = time.perf_counter() - started

    member = _collectives()
    started = time.perf_counter()
    inboxes = do_refresh_all_inboxes()
    ranked = time.perf_counter() - started
    entries = InboxEntry.objects.count()
    flagged = InboxEntry.objects.filter(is_flagged=True).count()

    client = Client(SERVER_NAME="localhost")
    client.force_login(member)
    url = f"/collectives/{member.memberships.get().collective.slug}/tenders/"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    times = []
    for _ in range(20):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
    shown = response.content.count(b'class="tender"') or "?"
    whole = imported + ranked
    return {
        "import": (
            f"{summary.new} new tenders, {len(summary.rejected)} rejected, {imported:.1f} s "
            f"({len(day) / imported:.0f} files/s)"
        ),
        "screen and rank": (
            f"{inboxes} profiles ({WITH_RED_LINES} with red lines): {entries} inbox entries, "
            f"{flagged} flagged, {ranked:.1f} s"
        ),
        "whole day": f"{whole:.1f} s (target <= 60 s: {'ok' if whole <= 60 else 'ABOVE TARGET'})",
        "inbox page": (
            f"p50 {statistics.median(times) * 1000:.0f} ms, {len(queries)} queries "
            f"({shown} tenders shown)"
        ),
    }


def _collectives() -> Any:
    """1,000 collectives with a profile each, 50 of them with red lines; one member returned."""
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective, Membership
    from klinke.tenders.models import TenderProfile
    from klinke.workbench.models import RedLine

    collectives = Collective.objects.bulk_create(
        Collective(slug=f"bench-{n:04d}", name=f"Bench-Kollektiv {n}", language_codes=["de"])
        for n in range(PROFILES)
    )
    TenderProfile.objects.bulk_create(
        TenderProfile(
            collective=c,
            cpv_codes=CPV_CHOICES[n % len(CPV_CHOICES)],
            keywords_de=KEYWORDS[n % len(KEYWORDS)],
            regions=REGIONS[n % len(REGIONS)],
            remote_ok=n % 3 == 0,
            languages=["de", "en"],
        )
        for n, c in enumerate(collectives)
    )
    RedLine.objects.bulk_create(
        RedLine(
            collective=c,
            name="Keine Überwachung",
            keywords_de="Überwachung\nVideoüberwachung",
            keywords_en="surveillance\nCCTV",
        )
        for c in collectives[:WITH_RED_LINES]
    )
    member = User.objects.create(email="bench@example.org", name="Bench")
    Membership.objects.create(collective=collectives[0], user=member)
    return member
