"""The search index (`core.search`): in step with every write, safe with any query, repairable.

These run on both databases (PostgreSQL: a GIN expression index; SQLite: FTS5 with triggers).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext

from klinke.collectives.models import Collective
from klinke.conftest import make_collective
from klinke.core import search
from klinke.core.search import TextQuery
from klinke.matching.analysis import query_terms, search_document
from klinke.supporters.models import Supporter

pytestmark = pytest.mark.django_db


def found(text: str) -> set[str]:
    query = TextQuery.all_of(query_terms(text))
    return set(search.matching(Collective.objects.all(), query).values_list("slug", flat=True))


def test_it_finds_a_profile_as_soon_as_its_document_is_stored():
    make_collective("probe", "Probe", members=[], description_de="Wir bauen Webentwicklung.")
    assert found("web development") == {"probe"}
    assert found("Web-Entwicklung") == {"probe"}
    assert found("Buchhaltung") == set()


def test_it_follows_updates_bulk_writes_and_deletes_that_bypass_save():
    probe = make_collective("probe", "Probe", members=[], description_de="Buchhaltung.")
    Collective.objects.filter(pk=probe.pk).update(search_document=search_document("Hosting"))
    assert found("Buchhaltung") == set()
    assert found("hosting") == {"probe"}
    Collective.objects.bulk_create(
        [Collective(slug="bulk", name="Bulk", search_document=search_document("Hosting"))]
    )
    assert found("hosting") == {"probe", "bulk"}
    Collective.objects.filter(slug="probe").delete()
    assert found("hosting") == {"bulk"}


@pytest.mark.parametrize(
    "text",
    [
        'Zirkus" OR "web',
        "NEAR(zirkus web)",
        "zirkus* OR web",
        "zirkus'; DROP TABLE x; -- web",
        "zirkus:* | web",
        "zirkus ((( web",
        "!zirkus & web",
        'zirkus" web',
    ],
)
def test_it_treats_query_syntax_as_plain_words(text):
    # "zirkus" is not in the document: read as words (AND), nothing is found; read as syntax
    # (OR, NOT, prefix), the profile would be.
    make_collective("probe", "Probe", members=[], description_de="Webentwicklung")
    assert found("web") == {"probe"}
    assert found(text) == set()
    assert found('"') == {"probe"}  # no words at all: no constraint


def test_it_treats_every_term_as_a_quoted_string_in_both_query_languages():
    query = TextQuery(((("web", 'a"b'), ("near",)), (("x",),)))
    assert query.fts5() == '((("web" AND "a""b") OR "near") AND "x")'
    assert not TextQuery(())
    assert not TextQuery.all_of([])


def _first(query: TextQuery, stop: int, found: int) -> list[str]:
    keys = Collective.objects.annotate(
        relevance=F("search_length"), sort_name=Lower("name"), key=F("pk")
    ).values_list("relevance", "sort_name", "key")
    rows = search.first_matches(keys, query, ("relevance", "sort_name", "key"), stop, found=found)
    slugs = dict(Collective.objects.values_list("pk", "slug"))
    return [slugs[key] for _relevance, _name, key in rows]


def test_it_ranks_the_more_focused_match_first_in_the_database():
    make_collective(
        "both",
        "Both",
        members=[],
        description_de="Webentwicklung",
        description_en="hosting hosting",
    )
    make_collective("one", "One", members=[], description_en="hosting and much more besides")
    make_collective("only", "Only", members=[], description_en="hosting")
    query = TextQuery.all_of(query_terms("Webentwicklung hosting"))
    rows = search.matching(Collective.objects.all(), query)
    assert list(rows.values_list("slug", flat=True)) == ["both"]
    query = TextQuery.all_of(query_terms("hosting"))
    # A document holds each term once, so what ranks is how few other terms it holds: the
    # shorter document first (as BM25 ranks them), then by name; on both databases alike.
    lengths = dict(Collective.objects.values_list("slug", "search_length"))
    assert lengths["only"] < lengths["one"] < lengths["both"]
    assert _first(query, 10, found=3) == ["only", "one", "both"]
    assert _first(query, 2, found=3) == ["only", "one"]


def test_it_counts_the_terms_of_every_document_in_the_database():
    probe = make_collective("probe", "Probe", members=[], description_de="Wir bauen Webseiten.")
    probe.refresh_from_db()
    assert probe.search_length == len(probe.search_document.split())
    Collective.objects.filter(pk=probe.pk).update(search_document=search_document("Hosting"))
    probe.refresh_from_db()
    assert probe.search_length == len(search_document("Hosting").split())


@pytest.mark.parametrize("matches_first", [True, False])
@pytest.mark.parametrize("stop", [1, 3, 7])
def test_it_finds_the_same_first_matches_whether_it_walks_the_order_or_sorts_them(
    stop, matches_first
):
    """Many matches make PostgreSQL walk the index order first, and sort every match only when
    the walk found too few (the matches come late in the order); few matches are sorted at
    once. Either way the page is the same, on both databases."""
    for index in range(35):
        extra = " ".join(
            f"word{number}" for number in range(index % 5 + (8 if matches_first else 0))
        )
        make_collective(f"g{index:02}", f"Garten {index:02}", members=[], description_en=extra)
    for index in range(14):
        extra = " ".join(
            f"word{number}" for number in range(index % 4 + (0 if matches_first else 8))
        )
        make_collective(
            f"h{index:02}",
            f"Hosting {13 - index:02}",
            members=[],
            description_en=f"hosting {extra}",
        )
    query = TextQuery.all_of(query_terms("hosting"))
    everything = list(
        search.matching(Collective.objects.all(), query)
        .order_by("search_length", Lower("name"), "pk")
        .values_list("slug", flat=True)
    )
    assert len(everything) == 14
    with CaptureQueriesContext(connection) as walked_queries:
        walked = _first(query, stop, found=10**6)  # many: walk first
    with CaptureQueriesContext(connection) as sorted_queries:
        sorted_ = _first(query, stop, found=0)  # few: find every match and sort
    assert walked == sorted_ == everything[:stop]
    if connection.vendor == "postgresql":
        # One walk, and a sort only when the walk (ten rows per result) found too few; that
        # sort keeps PostgreSQL to the search index (reading the setting, turning table scans
        # off for the one query, and back).
        walk_found_them = matches_first or stop == 7
        assert len(walked_queries) == (2 if walk_found_them else 6)  # + the slugs
        assert len(sorted_queries) == 2
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan')")
            assert cursor.fetchone() == ("on",)


def test_it_rebuilds_documents_and_indexes_from_the_texts(network):
    Collective.objects.update(search_document="  ")
    Supporter.objects.update(search_document="  ")
    assert found("Webentwicklung") == set()
    out = StringIO()
    call_command("rebuild_search", stdout=out)
    assert "collectives.Collective: " in out.getvalue()
    assert "quellcode" in found("Webentwicklung")
    # Nothing changed since, so a second run changes nothing.
    assert search.rebuild(Collective) == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps its index by triggers")
def test_it_repairs_triggers_a_table_rebuild_dropped(network):
    with connection.cursor() as cursor:
        cursor.execute('DROP TRIGGER "collectives_collective_search_update"')
    Collective.objects.filter(slug="quellcode").update(search_document=search_document("Zirkus"))
    assert found("Zirkus") == set()
    assert search.heal() == ["collectives.Collective"]
    assert found("Zirkus") == {"quellcode"}
    assert search.heal() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_it_answers_a_search_through_the_gin_index():
    query = TextQuery.all_of(query_terms("Webentwicklung"))
    rows = search.matching(Collective.objects.all(), query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = rows.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "collectives_collective_search" in plan, plan
