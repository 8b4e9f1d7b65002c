"""Kept page parts (klinke.core.fragments): stale after any write, never across audiences."""

from __future__ import annotations

import re

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


class Builds:
    """A part builder that counts how often it ran and shows what the database holds now."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return ",".join(Collective.objects.order_by("slug").values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("sql", "writes", "sessions_written"),
    [
        ("SELECT 1", False, False),
        ("  select * from x", False, False),
        ('SELECT * FROM "django_session"', False, False),
        ("SAVEPOINT s1", False, False),
        ("RELEASE SAVEPOINT s1", False, False),
        ("ROLLBACK TO SAVEPOINT s1", False, False),
        ("PRAGMA foreign_keys = ON", False, False),
        ('INSERT INTO "collectives_collective" ("slug") VALUES (%s)', True, False),
        ('UPDATE "collectives_collective" SET "name" = %s', True, False),
        ('DELETE FROM "collectives_collective"', True, False),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", True, True),
        ("WITH x AS (DELETE FROM django_session RETURNING *) SELECT * FROM x", True, True),
        ("CREATE TABLE t (x int)", True, True),
        ('TRUNCATE "django_session", "collectives_collective"', True, True),
        ('UPDATE "django_session" SET "session_data" = %s', False, True),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False, True),
        ('DELETE FROM "django_session" WHERE "expire_date" < %s', False, True),
        ('INSERT INTO "klinke_cache" (cache_key) VALUES (%s)', False, False),
        ('DELETE FROM "klinke_cache" WHERE cache_key = %s', False, False),
        ('DELETE FROM "klinke_cache"', False, False),
        ('UPDATE "post_office_email" SET "status" = %s', False, False),
        ('INSERT INTO "post_office_log" ("email_id") VALUES (%s)', False, False),
    ],
)
def test_it_tells_writes_from_reads_and_writes_to_sessions(
    sql: str, writes: bool, sessions_written: bool
) -> None:
    assert fragments.is_write(sql) is writes
    assert fragments.writes_sessions(sql) is sessions_written


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
    before = fragments.generation()
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
    assert fragments.generation() != before


def test_it_does_not_move_on_for_writes_that_change_no_row(network: Network) -> None:
    before = fragments.generation()
    assert Collective.objects.filter(slug="no-such-collective").update(name="Nobody") == 0
    Collective.objects.filter(slug="no-such-collective").delete()
    assert fragments.generation() == before
    assert Collective.objects.filter(pk=network.collective_a.pk).update(name="Renamed") == 1
    assert fragments.generation() != before


def test_it_moves_on_when_a_write_fails_half_way(network: Network) -> None:
    before = fragments.generation()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE collectives_collective SET slug = %s", ["same-for-all"])
    assert fragments.generation() != before


def test_it_does_not_move_on_for_reads_or_sessions(network: Network, client) -> None:
    client.force_login(network.alice)
    before = fragments.generation()
    list(Collective.objects.all())
    session = client.session
    session["seen"] = True
    session.save()
    assert fragments.generation() == before


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
        moved = fragments.generation()
        assert fragments.kept("probe", (), build).endswith("zzz-newer")
        fragments.kept("probe", (), build)
        assert build.count == 3  # its own uncommitted rows: neither served nor kept
    assert fragments.bump_generation in callbacks  # moved on when it commits ...
    assert fragments.generation() != moved  # ... when it commits
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
