"""The key pages stay fast as the network grows: their queries use indexes (PostgreSQL).

Seeds a few thousand collectives, supporters, needs, offers, articles and events in bulk, runs
ANALYZE so the planner knows the sizes, fetches each key page as a network member (once to
warm cached counts and the matching index, then once under `CaptureQueriesContext`), and runs
EXPLAIN on every query the page made: none may read a big table with a Seq Scan. The query
count of each page is pinned too, so a page cannot trade its plans for an N+1.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.conftest import Network
from klinke.core import fragments
from klinke.core.models import Visibility
from klinke.exchange.models import Need, Offer
from klinke.knowledge.models import Article
from klinke.matching.analysis import search_document
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic
from klinke.workbench.models import Decision, Lead
from klinke.workshops.models import Event, WorkshopIdea

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's"),
]

ROWS = 3000
BIG = 1000
"""A table with more rows than this must not be read whole."""

WORDS = [
    ("Webentwicklung mit Django", "web development with Django"),
    ("Akquise und Vertrieb", "acquisition and sales"),
    ("Barrierefreiheit im Netz", "accessibility on the web"),
    ("Hosting und Betrieb", "hosting and operations"),
    ("Datenschutz und Sicherheit", "privacy and security"),
    ("Gestaltung von Oberflächen", "interface design"),
]


def _words(index: int) -> tuple[str, str]:
    """Texts for seeded row `index`: one of a few themes, and for about one row in a hundred
    the word the pages search for (a search finds a small part of a big network)."""
    de, en = WORDS[index % len(WORDS)]
    # Real profiles and articles run to a few hundred words; so many terms make a row's
    # search document (and stored tsvector) about as long as theirs.
    en += " " + " ".join(f"topic{index % 50}n{number}" for number in range(80))
    if index % 97 == 0:
        return f"{de}, Preisgestaltung", f"{en}, pricing"
    return de, en


def _stored(model: Any, rows: Any) -> list[Any]:
    """`rows` saved in bulk in a shuffled order, and returned in their own order (with their
    keys). A table that has lived for years holds its rows in no order the pages sort by; saved
    in order, every index would look as cheap as a walk of the table, and whether a plan read
    the table whole would depend on what earlier tests left in it (its free space)."""
    rows = list(rows)
    model.objects.bulk_create(random.Random(len(rows)).sample(rows, len(rows)))
    return rows


def _seed(network: Network) -> None:
    now = timezone.now()
    today = timezone.localdate()
    collectives = []
    for index in range(ROWS):
        de, en = _words(index)
        collectives.append(
            Collective(
                slug=f"seed-{index}",
                name=f"Seed {index:05} {WORDS[index % len(WORDS)][1]}",
                description_de=de,
                description_en=en,
                country="DE",
                city="Leipzig" if index % 7 else "Wien",
                languages=",de,en,",
                visibility=Visibility.PUBLIC if index % 5 else Visibility.MEMBERS,
                search_document=search_document(f"Seed {index}", de, en),
                created_at=now - timedelta(minutes=index),
            )
        )
    collectives = _stored(Collective, collectives)
    supporters = _stored(
        Supporter,
        (
            Supporter(
                slug=f"seed-supporter-{index}",
                name=f"Helper {index:05}",
                bio_de=_words(index)[0],
                country="DE",
                languages=",de,",
                search_document=search_document(f"Helper {index}", _words(index)[0]),
            )
            for index in range(ROWS)
        ),
    )
    _stored(
        Need,
        (
            Need(
                ref=f"need-seed-{index}",
                collective=collectives[index],
                title=f"Hilfe bei {_words(index)[0]}",
                description=_words(index)[1],
                kinds=",advice,",
                expires_on=today + timedelta(days=30 if index % 3 else -3),
                created_at=now - timedelta(minutes=index),
            )
            for index in range(ROWS)
        ),
    )
    _stored(
        Offer,
        (
            Offer(
                ref=f"offer-seed-{index}",
                supporter=supporters[index],
                title=f"Ich helfe bei {_words(index)[0]}",
                description=_words(index)[1],
                kinds=",advice,",
                expires_on=today + timedelta(days=30),
                created_at=now - timedelta(minutes=index),
            )
            for index in range(ROWS)
        ),
    )
    _stored(
        Article,
        (
            Article(
                slug=f"seed-article-{index}",
                title=f"{_words(index)[0]} {index}",
                body=_words(index)[1],
                visibility=Visibility.PUBLIC,
                search_document=search_document(*_words(index), str(index)),
                title_document=search_document(_words(index)[0]),
            )
            for index in range(ROWS)
        ),
    )
    _stored(
        Event,
        (
            Event(
                title=f"Werkstatt {_words(index)[0]}",
                description=_words(index)[1],
                # As in a network that has run for years: most events are past, a few upcoming
                # (with half of them upcoming, a scan is as good a plan as the index).
                starts_at=now + timedelta(days=index - ROWS + UPCOMING),
                ends_at=now + timedelta(days=index - ROWS + UPCOMING, hours=2),
                capacity=20,
                search_document=search_document(*_words(index)),
            )
            for index in range(ROWS)
        ),
    )
    _stored(
        Lead,
        (Lead(collective=collectives[index], title=f"Auftrag {index}") for index in range(ROWS)),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


UPCOMING = 100  # so the searched word is in a few upcoming events too


def _big_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [BIG])
        return {row[0] for row in cursor.fetchall()}


def _seq_scans(sql: str, params: Any, big: set[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    scanned = {found.group(1) for line in plan if (found := re.search(r"Seq Scan on (\w+)", line))}
    return ["\n".join(plan)] if scanned & big else []


@pytest.fixture
def seeded(network: Network, settings: Any) -> Network:
    settings.KLINKE_COUNT_CACHE_SECONDS = 60
    _seed(network)
    return network


def _pages(network: Network) -> list[tuple[str, str, int]]:
    """(name, URL, number of queries) of every key page, as a member of collective A."""
    need = Need.objects.create(
        ref="need-of-a",
        collective=network.collective_a,
        title="Wir brauchen Hilfe bei Preisgestaltung",
        description="Wie kalkulieren wir unseren Tagessatz?",
        kinds=",advice,",
    )
    need.topics.set(Topic.objects.filter(slug__in=["pricing", "acquisition"]))
    # An idea gathering interest beside the events, and a decision waiting on the board.
    idea = WorkshopIdea.objects.create(title="Preisgestaltung für Kollektive", description="…")
    idea.topics.set(Topic.objects.filter(slug="pricing"))
    Decision.objects.create(
        collective=network.collective_a,
        question="Nehmen wir den Auftrag an?",
        deadline=timezone.now() + timedelta(days=3),
        quorum_percent=50,
    )
    slug = network.collective_a.slug
    return [
        # the personal home: what waits, suggestions, decisions, events, first steps
        ("front page", "/", 16),
        # both kinds' counts come from the cache in one query
        ("directory", "/directory/", 8),
        # A late page asks each kind for its first 400 rows in order (the merge needs them),
        # through the sort index. A third of a table (page 50 here) is read faster whole.
        ("directory page 20", "/directory/?page=20", 8),
        # A few matches of each kind, sorted by relevance, each row with its card's columns;
        # the supporters' shorter documents fill the first page (their topics), the second
        # has both kinds (each kind's topics).
        ("directory search", "/directory/?q=Preisgestaltung", 8),
        ("directory search page 2", "/directory/?q=Preisgestaltung&page=2", 9),
        # A sixth of each kind matches. Hosting rows are among the shortest: a walk of the
        # index order finds the page. Web development rows are the longest: both walks find
        # too few, and the matches are sorted, through the search index (the setting read,
        # table scans off for the one query, and back).
        ("directory search common word", "/directory/?q=Hosting", 8),
        ("directory search common word, late", "/directory/?q=Webentwicklung", 16),
        ("directory filter", "/directory/?region=DE&language=de&kind=collective", 7),
        # the member sees "Gesuch veröffentlichen": one query for their collective
        ("exchange needs", "/exchange/", 7),
        ("exchange offers", "/exchange/?show=offers", 7),
        ("knowledge search", "/knowledge/?q=Preisgestaltung", 8),
        # the events with their topics, the ideas with theirs, the topic filter's choices; a
        # search finds fewer events than a page holds, so it needs no count
        ("workshops", "/workshops/", 10),
        ("workshops search", "/workshops/?q=Preisgestaltung", 9),
        # the collective with the membership check in one query; leads, members, settings,
        # offered referrals, open decisions
        ("workbench board", f"/collectives/{slug}/workbench/", 8),
        # its public vouches: one query. Pages are counted as built; with their kept parts
        # (klinke.core.fragments) the profile and the need page first read a few fields of
        # the collective or need (and its members), and read it whole only to build a part.
        ("collective profile", f"/collectives/{slug}/", 10),
        ("need page", need.get_absolute_url(), 12),
    ]


def test_it_reads_no_big_table_whole_on_any_key_page(seeded: Network) -> None:
    big = _big_tables()
    assert {"collectives_collective", "supporters_supporter", "exchange_need"} <= big
    client = seeded.client_for(seeded.alice)
    problems = []
    counts: dict[str, tuple[int, int]] = {}
    for name, url, queries in _pages(seeded):
        assert client.get(url).status_code == 200, name  # warms cached counts and indexes
        fragments.forget_all()  # the page as it is built, not a kept part of it
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        # Every page's count is reported at once, so one run shows every page that changed.
        if len(captured) != queries:
            counts[name] = (queries, len(captured))
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            for plan in _seq_scans(sql, None, big):
                problems.append(f"{name}: {sql}\n{plan}")
    assert not problems, "\n\n".join(problems)
    assert counts == {}, "pinned, measured: " + repr(counts)
