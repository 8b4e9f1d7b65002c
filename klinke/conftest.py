"""Shared test personas and services: a real SMTP server on loopback and Debian's chromium.

Personas follow the style guide: a member of collective A, a member of collective B, a
supporter, a steward and an anonymous visitor.

The suite runs in parallel (pytest-xdist, `-n 2` in `make test`): every worker process has its
own test database, its own live server on a free port and, through `own_files` below, its own
media, export and tender folders. docs/development.md lists the rules for test authors.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import Group
from django.test import Client

from klinke.accounts.models import STEWARD_GROUP, User
from klinke.collectives.models import Collective, Membership
from klinke.core.models import Visibility
from klinke.supporters.models import Supporter
from klinke.testing import StatusWatch
from klinke.topics.models import Topic

CHROMIUM = "/usr/bin/chromium"


class QuickArgon2(Argon2PasswordHasher):
    """Argon2 at low cost: the same "argon2$" hashes, made in a millisecond instead of a tenth
    of a second. Tests exercise klinke, not the strength of the hash."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def quick_argon2(settings: Any) -> None:
    """New passwords in tests are hashed with QuickArgon2; hashes at the production cost (and
    PBKDF2) still verify, since the hashers stay in the list behind it."""
    settings.PASSWORD_HASHERS = [
        "klinke.conftest.QuickArgon2",
        *[h for h in settings.PASSWORD_HASHERS if h != "klinke.conftest.QuickArgon2"],
    ]


@pytest.fixture(scope="session", autouse=True)
def own_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files a test writes land in this worker's temporary folder, never in the shared var/:
    parallel workers (and parallel runs) cannot delete or overwrite each other's uploads."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("var")
    override = override_settings(
        MEDIA_ROOT=root / "media",
        PERSONAL_EXPORTS_ROOT=root / "exports",
        TENDER_FETCH_DIR=str(root / "tenders"),
        KLINKE_FRAGMENT_GENERATION_FILE=root / "fragment-generation",
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def english_by_default(settings: Any) -> Iterator[None]:
    """Tests read English unless they ask for German (production defaults to German)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    # Rankings in tests are lexical, whether or not the optional embedding model is installed.
    settings.KLINKE_SEMANTIC_MATCHING = False
    # Counts are exact in tests (klinke.core.counts); test_query_plans turns the cache on.
    settings.KLINKE_COUNT_CACHE_SECONDS = 0
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_page_parts(settings: Any) -> None:
    """Each test starts with no kept page parts (klinke.core.fragments), which stay on in
    tests: a test's data is rolled back behind the application's back, unseen by the
    generations, so parts kept by the test before must not be served to this one.

    Every part served as kept is built again and compared (`KLINKE_FRAGMENT_CHECK`): a part
    whose build read something its key and recorded tables do not hold fails the test that
    serves it stale. Tests that count builds or queries of kept parts turn it off."""
    from klinke.core import fragments

    settings.KLINKE_FRAGMENT_CHECK = True
    fragments.forget_all()


def _building(assert_queries: Any) -> Any:
    """`assert_queries` (pytest-django's query-count fixture) measuring pages as they are
    built: a kept page part (klinke.core.fragments) would hide the queries a pin is for."""

    @contextmanager
    def measured(*args: Any, **kwargs: Any) -> Iterator[Any]:
        from klinke.core import fragments

        fragments.forget_all()
        with assert_queries(*args, **kwargs) as captured:
            yield captured

    return measured


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries: Any) -> Any:
    return _building(django_assert_num_queries)


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries: Any) -> Any:
    return _building(django_assert_max_num_queries)


@pytest.fixture(autouse=True)
def own_match_index(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test has its own (empty) shared matching index: suggestions come from the overlay
    of changes until a test builds a generation (klinke.exchange.match_index)."""
    settings.KLINKE_MATCH_INDEX_DIR = tmp_path_factory.mktemp("match-index")


@pytest.fixture(autouse=True)
def error_pages_are_looked_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that got a 4xx or 5xx from the test client and never read the status.

    Otherwise a test that asserts a word is *absent* passes on a 404 page, and one that reads
    JSON passes on an error body. Tests that expect an error say so: `status_code == 404`.
    """
    watch = StatusWatch()
    request = Client.request

    def watched_request(self: Client, **environ: Any) -> Any:
        return watch.watch(request(self, **environ), environ)

    monkeypatch.setattr(Client, "request", watched_request)
    yield
    unread = watch.unread_errors()
    if unread:
        pytest.fail("the test never checked these error statuses: " + "; ".join(unread))


@dataclass
class Network:
    alice: User
    alice2: User
    bob: User
    sam: User
    stella: User
    outsider: User
    collective_a: Collective
    collective_b: Collective
    hidden: Collective
    supporter: Supporter
    hidden_supporter: Supporter

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


PERSONA_PASSWORD = "correct horse battery"  # noqa: S105 - a test persona's password


@functools.cache
def persona_password_hash() -> str:
    # Hashed once per session, with a hasher every test's PASSWORD_HASHERS can verify (whatever
    # the settings of the test that happens to ask first).
    hasher = QuickArgon2()
    return hasher.encode(PERSONA_PASSWORD, hasher.salt())


def make_user(email: str, name: str = "", **extra: Any) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.create(email=email, password=persona_password_hash(), name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_collective(slug: str, name: str, *, members: list[User], **fields: Any) -> Collective:
    topics = fields.pop("topics", [])
    collective = Collective(slug=slug, name=name, **fields)
    if "languages" not in fields:
        collective.language_codes = ["de", "en"]
    collective.save()
    collective.topics.set(Topic.objects.filter(slug__in=topics))
    for member in members:
        Membership.objects.create(collective=collective, user=member)
    collective.refresh_search_document()
    return collective


@pytest.fixture
def network(db: Any) -> Network:
    alice = make_user("alice@example.org", "Alice")
    alice2 = make_user("alina@example.org", "Alina")
    bob = make_user("bob@example.org", "Bob")
    sam = make_user("sam@example.org", "Sam")
    stella = make_user("stella@example.org", "Stella", is_staff=True)
    stella.groups.add(Group.objects.get(name=STEWARD_GROUP))
    outsider = make_user("olga@example.org", "Olga")
    collective_a = make_collective(
        "quellcode",
        "Kollektiv Quellcode",
        members=[alice, alice2],
        description_de="Wir machen Webentwicklung mit Django in Leipzig.",
        city="Leipzig",
        country="DE",
        nuts_code="DED51",
        red_lines="Keine Überwachungstechnik.",
        capacity_person_days_per_month=12,
        topics=["web-development", "consulting"],
    )
    collective_b = make_collective(
        "rotkehlchen",
        "Rotkehlchen Hosting",
        members=[bob],
        description_en="We run hosting and operations for NGOs.",
        city="Wien",
        country="AT",
        nuts_code="AT130",
        topics=["hosting"],
    )
    hidden = make_collective(
        "verborgen",
        "Verborgenes Kollektiv",
        members=[bob],
        description_de="Nur für Mitglieder sichtbar.",
        visibility=Visibility.MEMBERS,
    )
    supporter = Supporter(
        slug="sam-berater",
        name="Sam Beispiel",
        user=sam,
        bio_en="I help with pricing and acquisition.",
        hours_per_month=4,
        city="Berlin",
        country="DE",
    )
    supporter.language_codes = ["de", "en"]
    supporter.save()
    supporter.topics.set(Topic.objects.filter(slug__in=["pricing", "acquisition"]))
    supporter.refresh_search_document()
    hidden_supporter = Supporter.objects.create(
        slug="stille-hilfe", name="Stille Hilfe", visibility=Visibility.MEMBERS
    )
    return Network(
        alice,
        alice2,
        bob,
        sam,
        stella,
        outsider,
        collective_a,
        collective_b,
        hidden,
        supporter,
        hidden_supporter,
    )


@dataclass
class SMTPServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SMTPServer]:
    """A real SMTP server on loopback (aiosmtpd); Django's SMTP backend is pointed at it."""
    from aiosmtpd.controller import Controller

    server = SMTPServer(host="127.0.0.1", port=free_port())

    class Handler:
        async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
            server.messages.append(
                message_from_bytes(envelope.original_content, policy=policy.default)  # type: ignore[arg-type]
            )
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    # Django's test runner swaps in the locmem backend; this fixture restores the real path:
    # klinke's outbox, then SMTP.
    settings.EMAIL_BACKEND = "klinke.core.outbox.OutboxBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        controller.stop()


def deliver_mail() -> int:
    """Run the outbox worker once, as `manage.py run_worker --once` would for its outbox job."""
    from klinke.core.outbox import deliver_outbox

    sent, _failed, _requeued = deliver_outbox()
    return sent


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Playwright page in Debian's chromium, or a skip with a reason outside CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous, so they are allowed explicitly.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The cache lives in a database table that the live server's flush between tests leaves
    # alone: clear it, so one test's rate limits (allauth counts a confirmation mail per
    # address for three minutes) never silence the next test's mail.
    from django.core.cache import cache

    cache.clear()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in_browser(page: Any, user: User, live_server_url: str) -> None:
    """Give the browser a session for `user`, as if they had logged in."""
    from django.conf import settings as django_settings

    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server_url,
            }
        ]
    )
