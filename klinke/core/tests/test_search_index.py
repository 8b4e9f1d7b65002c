"""The search index (`core.search`): in step with every write, safe with any query, repairable.

These run on both databases (PostgreSQL: a GIN expression index; SQLite: FTS5 with triggers).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

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


def test_it_ranks_the_closer_match_first_in_the_database():
    make_collective(
        "both",
        "Both",
        members=[],
        description_de="Webentwicklung",
        description_en="hosting hosting",
    )
    make_collective("one", "One", members=[], description_en="hosting and much more besides")
    query = TextQuery.all_of(query_terms("Webentwicklung hosting"))
    rows = search.matching(Collective.objects.all(), query)
    assert list(rows.values_list("slug", flat=True)) == ["both"]
    query = TextQuery.all_of(query_terms("hosting"))
    rows = search.matching(Collective.objects.all(), query)
    ranked = search.ranked(rows, query, "r").order_by("-r", "slug")
    assert {slug for slug, _rank in ranked.values_list("slug", "r")} == {"both", "one"}
    assert all(rank > 0 for rank in ranked.values_list("r", flat=True))


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
