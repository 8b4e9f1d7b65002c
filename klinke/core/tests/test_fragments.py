"""Kept page parts (klinke.core.fragments): stale after any write, never across audiences."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from klinke.collectives.models import Collective
from klinke.conftest import Network, make_collective
from klinke.core import fragments
from klinke.core.models import Visibility
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counting_builds(settings) -> None:
    """These tests count builds: a kept part is served without building it again to check
    it (`KLINKE_FRAGMENT_CHECK`, which one test here turns on)."""
    settings.KLINKE_FRAGMENT_CHECK = False


class Builds:
    """A part builder that counts how often it ran and shows what the database holds now."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return ",".join(Collective.objects.order_by("slug").values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("SELECT 1", None),
        ("  select * from x", None),
        ('SELECT * FROM "django_session"', None),
        ("SAVEPOINT s1", None),
        ("RELEASE SAVEPOINT s1", None),
        ("ROLLBACK TO SAVEPOINT s1", None),
        ("PRAGMA foreign_keys = ON", None),
        ('INSERT INTO "collectives_collective" ("slug") VALUES (%s)', "collectives_collective"),
        ('UPDATE "collectives_collective" SET "name" = %s', "collectives_collective"),
        ('DELETE FROM "collectives_collective"', "collectives_collective"),
        ("update Topics_Topic set name_en = %s", "topics_topic"),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", fragments.EVERY_TABLE),
        ("CREATE TABLE t (x int)", fragments.EVERY_TABLE),
        ('TRUNCATE "django_session", "collectives_collective"', fragments.EVERY_TABLE),
        ('UPDATE "django_session" SET "session_data" = %s', "django_session"),
        ('DELETE FROM "klinke_cache" WHERE cache_key = %s', "klinke_cache"),
    ],
)
def test_it_tells_which_table_a_statement_writes(sql: str, table: str | None) -> None:
    assert fragments.written_table(sql) == table


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ("SELECT 1", set()),
        ('SELECT "a"."x" FROM "a" WHERE "a"."id" = %s', {"a"}),
        (
            'SELECT "a"."x" FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id")'
            ' LEFT OUTER JOIN "c" ON ("b"."c_id" = "c"."id")',
            {"a", "b", "c"},
        ),
        ('SELECT 1 FROM "a" U0 WHERE U0."id" IN (SELECT V0."a_id" FROM "d" V0)', {"a", "d"}),
        (
            "SELECT rowid FROM supporters_supporter_search WHERE document MATCH %s",
            {"supporters_supporter_search"},
        ),
        ('SELECT COUNT(*) FROM (SELECT "a"."id" FROM "a") subquery', {"a"}),
        ('SELECT "a"."x" FROM "a" ORDER BY "a"."x", "a"."id"', {"a"}),
        ('SELECT EXTRACT(YEAR FROM "a"."at"), "a"."x" FROM "a"', {"a"}),
        ('SELECT "a"."x" FROM "a", "b" WHERE "a"."id" = "b"."id"', None),
        ('SELECT "a"."x" FROM "a" T1 , "b" WHERE T1."id" = "b"."id"', None),
    ],
)
def test_it_tells_which_tables_a_select_reads(sql: str, tables: set[str] | None) -> None:
    assert fragments.read_tables(sql) == (None if tables is None else frozenset(tables))


def test_it_counts_a_search_table_as_its_table() -> None:
    # SQLite's FTS5 tables are filled by triggers (klinke.core.search), which no execute
    # wrapper sees: a write to the table must make what read its search table stale.
    assert fragments.table_slot("supporters_supporter_search") == fragments.table_slot(
        "supporters_supporter"
    )
    assert fragments.table_slot("Supporters_Supporter") == fragments.table_slot(
        "supporters_supporter"
    )


COLLECTIVE_TABLES = ["collectives_collective", "collectives_collective_topics", "topics_topic"]


@pytest.mark.parametrize(
    "write",
    [
        "create",
        "save",
        "queryset update",
        "bulk create",
        "delete",
        "many-to-many",
        "raw sql",
    ],
)
def test_it_moves_the_generation_on_with_every_kind_of_write(network: Network, write: str) -> None:
    before = fragments.generation(COLLECTIVE_TABLES)
    collective = network.collective_a
    if write == "create":
        make_collective("new-one", "New One", members=[])
    elif write == "save":
        collective.name = "Renamed"
        collective.save()
    elif write == "queryset update":
        Collective.objects.filter(pk=collective.pk).update(name="Renamed")
    elif write == "bulk create":
        Topic.objects.bulk_create([Topic(slug="bulk-topic", name_en="Bulk", name_de="Bulk")])
    elif write == "delete":
        network.hidden.delete()
    elif write == "many-to-many":
        collective.topics.clear()
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Collective._meta.db_table} SET name = %s WHERE id = %s",  # noqa: S608
                ["Renamed", collective.pk],
            )
    assert fragments.generation(COLLECTIVE_TABLES) != before


def test_it_does_not_move_on_for_writes_that_change_no_row(network: Network) -> None:
    before = fragments.generation(["collectives_collective"])
    assert Collective.objects.filter(slug="no-such-collective").update(name="Nobody") == 0
    Collective.objects.filter(slug="no-such-collective").delete()
    assert fragments.generation(["collectives_collective"]) == before
    assert Collective.objects.filter(pk=network.collective_a.pk).update(name="Renamed") == 1
    assert fragments.generation(["collectives_collective"]) != before


def test_it_moves_on_when_a_write_fails_half_way(network: Network) -> None:
    before = fragments.generation(["collectives_collective"])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE collectives_collective SET slug = %s", ["same-for-all"])
    assert fragments.generation(["collectives_collective"]) != before


def test_it_moves_only_the_written_tables_on(network: Network, client) -> None:
    client.force_login(network.alice)
    tables = ["collectives_collective", "topics_topic"]
    before = fragments.generation(tables)
    list(Collective.objects.all())
    session = client.session
    session["seen"] = True
    session.save()
    Topic.objects.filter(pk=Topic.objects.first().pk).update(name_en="Renamed")
    assert fragments.generation(["collectives_collective"]) == fragments.generation(tables[:1])
    assert fragments.generation(tables[:1]) == before.rsplit("|", 1)[0]
    assert fragments.generation(tables) != before


class Reads:
    """A build that counts how often it ran and reads one table (or a kept value first)."""

    def __init__(self, read: Callable[[], object]) -> None:
        self.count = 0
        self.read = read

    def __call__(self) -> str:
        self.count += 1
        return repr(self.read())


def slugs() -> list[str]:
    return list(Collective.objects.order_by("slug").values_list("slug", flat=True))


def topic_names() -> list[str]:
    return list(Topic.objects.order_by("slug").values_list("name_en", flat=True))


def test_it_builds_a_part_again_only_when_a_table_it_read_changed(network: Network) -> None:
    build = Reads(slugs)
    fragments.kept("probe", (), build)
    Topic.objects.filter(pk=Topic.objects.first().pk).update(name_en="Renamed")
    network.alice.save()
    assert fragments.kept("probe", (), build) == repr(slugs())
    assert build.count == 1
    Collective.objects.filter(pk=network.collective_a.pk).update(slug="zzz-renamed")
    assert "zzz-renamed" in fragments.kept("probe", (), build)
    assert build.count == 2


@pytest.mark.parametrize("inner_first", [True, False], ids=["served", "built"])
def test_it_makes_a_part_depend_on_what_kept_values_inside_it_read(
    network: Network, inner_first: bool
) -> None:
    inner = Reads(topic_names)
    outer = Reads(lambda: (slugs(), fragments.kept_value("inner", (), inner)))
    if inner_first:
        fragments.kept_value("inner", (), inner)  # kept first: served to the outer build
    fragments.kept("outer", (), outer)
    assert (inner.count, outer.count) == (1, 1)
    assert fragments.kept_value("inner", (), inner) == repr(topic_names())
    Topic.objects.filter(pk=Topic.objects.first().pk).update(name_en="Renamed topic")
    assert "Renamed topic" in fragments.kept("outer", (), outer)
    assert (inner.count, outer.count) == (2, 2)


@contextmanager
def request() -> Iterator[None]:
    fragments.start_request()
    try:
        yield
    finally:
        fragments.end_request()


def test_it_makes_a_part_depend_on_what_its_request_read_before_it(network: Network) -> None:
    # A view reads what it checks access to, then hands it to the build (a need, the
    # collective of a workbench): the part shows it, so it must be stale when that changes.
    def page() -> str:
        with request():
            names = topic_names()
            return fragments.kept("probe", (), build(names))

    builds: list[list[str]] = []

    def build(names: list[str]) -> Callable[[], str]:
        def run() -> str:
            builds.append(names)
            return repr((slugs(), names))

        return run

    page()
    page()
    assert len(builds) == 1
    Topic.objects.filter(pk=Topic.objects.first().pk).update(name_en="Renamed topic")
    assert "Renamed topic" in page()
    assert len(builds) == 2


def test_it_leaves_parts_kept_when_a_value_that_feeds_no_part_changes(
    network: Network,
) -> None:
    # The session and user rows are read first on every page, but no part is built from
    # them: a login elsewhere must not make every part stale.
    build = Reads(slugs)

    def page() -> str:
        with request():
            fragments.kept_value("session", (), topic_names, feeds_parts=False)
            return fragments.kept("probe", (), build)

    page()
    Topic.objects.filter(pk=Topic.objects.first().pk).update(name_en="Renamed topic")
    page()
    assert build.count == 1
    assert "Renamed topic" in fragments.kept_value("session", (), topic_names, feeds_parts=False)


def test_it_never_keeps_a_part_whose_reads_it_cannot_tell(network: Network) -> None:

    def joined() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.slug FROM collectives_collective c, topics_topic t WHERE c.id = t.id"
            )
            return cursor.fetchall()

    build = Reads(joined)
    fragments.kept("probe", (), build)
    fragments.kept("probe", (), build)
    assert build.count == 2


def test_it_keeps_a_part_under_the_generations_from_before_its_build(network: Network) -> None:
    # Another process writes while the build runs: the part shows the data from before that
    # write, so the next visitor must get it built again.
    def build() -> str:
        shown = repr(slugs())
        Collective.objects.filter(pk=network.collective_a.pk).update(slug="zzz-meanwhile")
        return shown

    first = fragments.kept("probe", (), build)
    assert "zzz-meanwhile" not in first
    assert "zzz-meanwhile" in fragments.kept("probe", (), lambda: repr(slugs()))


def test_it_fails_a_part_served_stale_when_checking(network: Network, settings) -> None:
    # KLINKE_FRAGMENT_CHECK is on in the test suite: a build that depends on something
    # neither its key nor the database holds is caught the first time it would be stale.
    settings.KLINKE_FRAGMENT_CHECK = True
    outside = ["one"]
    fragments.kept("probe", (), lambda: outside[0])
    outside[0] = "two"
    with pytest.raises(fragments.StalePart):
        fragments.kept("probe", (), lambda: outside[0])


def test_it_keeps_a_part_until_the_database_changes(network: Network) -> None:
    build = Builds()
    first = fragments.kept("probe", ("a",), build)
    assert fragments.kept("probe", ("a",), build) == first
    assert build.count == 1
    make_collective("zzz-new", "New", members=[])
    again = fragments.kept("probe", ("a",), build)
    assert build.count == 2
    assert again.endswith("zzz-new")


def test_it_keeps_a_part_per_name_values_and_language(network: Network) -> None:
    build = Builds()
    fragments.kept("probe", ("a",), build)
    fragments.kept("probe", ("b",), build)
    fragments.kept("other", ("a",), build)
    with translation.override("de"):
        fragments.kept("probe", ("a",), build)
    assert build.count == 4
    fragments.kept("probe", ("b",), build)
    assert build.count == 4


def test_it_keeps_nothing_inside_a_transaction_and_moves_on_when_it_commits(
    network: Network, django_capture_on_commit_callbacks
) -> None:
    build = Builds()
    fragments.kept("probe", (), build)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        make_collective("zzz-new", "New", members=[])
        make_collective("zzz-newer", "Newer", members=[])
        moved = fragments.generation(["collectives_collective"])
        assert fragments.kept("probe", (), build).endswith("zzz-newer")
        fragments.kept("probe", (), build)
        assert build.count == 3  # its own uncommitted rows: neither served nor kept
    assert fragments._bump("collectives_collective") in callbacks  # moved on ...
    assert fragments.generation(["collectives_collective"]) != moved  # ... when it commits
    fragments.kept("probe", (), build)
    fragments.kept("probe", (), build)
    assert build.count == 4


def test_it_moves_on_at_each_write_of_a_savepoint_inside_a_test(network: Network) -> None:
    # A test case's own transaction never commits: a write inside the application's
    # transaction (a savepoint of the test's) is as good as committed for the test.
    build = Builds()
    for slug in ("zzz-one", "zzz-two"):
        with transaction.atomic():
            make_collective(slug, slug, members=[])
        assert fragments.kept("probe", (), build).endswith(slug)
    assert build.count == 2


def test_it_serves_what_was_kept_before_a_rolled_back_transaction(network: Network) -> None:
    build = Builds()
    kept = fragments.kept("probe", (), build)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_collective("zzz-new", "New", members=[])
        raise RuntimeError
    assert fragments.kept("probe", (), build) == fragments.kept("probe", (), build)
    assert "zzz-new" not in fragments.kept("probe", (), build)
    assert kept == fragments.kept("probe", (), build)


def test_it_sees_another_process_move_the_generation_on(network: Network) -> None:
    build = Builds()
    fragments.kept("probe", (), build)
    settings_file = fragments._generation_file()
    settings_file.write_text("written-by-another-process")
    fragments.kept("probe", (), build)
    assert build.count == 2


def test_it_keeps_nothing_when_turned_off(network: Network, settings) -> None:
    settings.KLINKE_FRAGMENT_SECONDS = 0
    build = Builds()
    fragments.kept("probe", (), build)
    fragments.kept("probe", (), build)
    assert build.count == 2


def test_it_stops_keeping_when_the_generation_cannot_be_written(
    network: Network, settings, tmp_path, monkeypatch, caplog
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings.KLINKE_FRAGMENT_GENERATION_FILE = blocked / "generation"  # under a file: fails
    monkeypatch.setattr(fragments, "_disabled", set())
    build = Builds()
    fragments.kept("probe", (), build)
    make_collective("zzz-new", "New", members=[])
    assert "page parts are no longer kept" in caplog.text
    assert fragments.kept("probe", (), build).endswith("zzz-new")
    fragments.kept("probe", (), build)
    assert build.count == 3


@pytest.mark.parametrize("name", fragments.REFUSED)
def test_it_refuses_a_part_that_uses_the_visitor(name: str) -> None:
    template = engines["django"].from_string(f"{{% if {name} %}}yes{{% endif %}}")
    context = {other: fragments.NotInAPart(other) for other in fragments.REFUSED}
    with pytest.raises(ImproperlyConfigured, match=name):
        template.render(context)
    with pytest.raises(ImproperlyConfigured, match=name):
        fragments.render_part("directory/results.html", {name: "given"})


def test_it_refuses_the_csrf_token_in_a_part() -> None:
    template = engines["django"].from_string("{% csrf_token %}")
    with pytest.raises(ImproperlyConfigured, match="csrf_token"):
        template.render({"csrf_token": fragments.NotInAPart("csrf_token")})


def test_it_never_shows_members_only_profiles_kept_for_a_member_to_the_public(
    network: Network,
) -> None:
    url = reverse("directory:index")
    member = network.client_for(network.alice).get(url)
    assert network.hidden.name in member.text
    public = network.client_for(None).get(url)
    assert network.hidden.name not in public.text
    again = network.client_for(network.alice).get(url)
    assert network.hidden.name in again.text


def test_it_shows_a_new_profile_on_the_next_directory_page(network: Network) -> None:
    client = network.client_for(None)
    url = reverse("directory:index")
    assert "Brand New Kollektiv" not in client.get(url).text
    assert "Brand New Kollektiv" not in client.get(url).text  # kept now
    make_collective("brand-new", "Brand New Kollektiv", members=[], visibility=Visibility.PUBLIC)
    assert "Brand New Kollektiv" in client.get(url).text


def test_it_keeps_the_directory_page_for_the_next_visitor(network: Network) -> None:
    url = reverse("directory:index")
    with CaptureQueriesContext(connection) as building:
        built = network.client_for(None).get(url, {"q": "Quellcode"})
    with CaptureQueriesContext(connection) as keeping:
        kept = network.client_for(None).get(url, {"q": "Quellcode"})
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(kept.text).group() == main.search(built.text).group()  # type: ignore[union-attr]
    assert "Kollektiv Quellcode" in kept.text
    assert len(keeping) < len(building)
    caches[fragments.CACHE_ALIAS].clear()
    with CaptureQueriesContext(connection) as rebuilding:
        network.client_for(None).get(url, {"q": "Quellcode"})
    assert len(rebuilding) == len(building)
