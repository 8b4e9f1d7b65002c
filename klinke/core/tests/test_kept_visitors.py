"""What every signed-in page asks first, kept by each web process (klinke.core.sessions,
KeptUserMiddleware, the network-member check): served without a query, and never a moment
longer than the session row and the user row say."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Membership
from klinke.conftest import Network
from klinke.core import fragments, sessions
from klinke.core.models import is_network_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counting_queries(settings) -> None:
    """These tests count the queries of kept values: a kept value is served without
    building it again to check it (`KLINKE_FRAGMENT_CHECK`)."""
    settings.KLINKE_FRAGMENT_CHECK = False


def board(slug: str = "quellcode") -> str:
    return reverse("workbench:index", args=[slug])


def queries_of(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in captured.captured_queries]


def test_it_keeps_a_value_until_a_table_it_read_changes(network: Network) -> None:
    built: list[str] = []

    def build(model: type[Model]) -> Callable[[], int]:
        def count() -> int:
            built.append(model.__name__)
            return model._default_manager.count()

        return count

    def collectives() -> int | None:
        return fragments.kept_value("probe", ("a",), build(Collective))

    def sessions() -> int | None:
        return fragments.kept_value("probe", ("b",), build(Session))

    collectives(), collectives(), sessions(), sessions()
    assert built == ["Collective", "Session"]
    network.collective_a.save()  # collectives
    collectives(), sessions()
    assert built == ["Collective", "Session", "Collective"]
    Client().force_login(network.bob)  # a session row (and bob's last login: users)
    collectives(), sessions()
    assert built == ["Collective", "Session", "Collective", "Session"]


def test_it_keeps_no_value_built_as_none(network: Network) -> None:
    built: list[int] = []

    def build() -> None:
        built.append(1)

    fragments.kept_value("probe", (), build)
    fragments.kept_value("probe", (), build)
    assert len(built) == 2


def test_it_serves_a_signed_in_page_again_without_asking_for_session_user_or_membership(
    network: Network,
) -> None:
    client = network.client_for(network.alice)
    status, first = queries_of(client, board())
    status_again, again = queries_of(client, board())

    assert (status, status_again) == (200, 200)
    assert any("django_session" in sql for sql in first)
    assert not any("django_session" in sql for sql in again)
    assert not any('FROM "accounts_user"' in sql for sql in again)
    assert len(again) < len(first)


def test_it_gives_each_request_its_own_user_object(network: Network) -> None:
    client = network.client_for(network.alice)
    first = client.get(board()).wsgi_request.user
    first.name = "Changed in memory only"
    second = client.get(board()).wsgi_request.user

    assert second is not first
    assert second.pk == network.alice.pk
    assert second.name == "Alice"


def test_it_ends_a_session_signed_out_elsewhere_at_once(network: Network) -> None:
    client = network.client_for(network.alice)
    assert client.get(board()).status_code == 200
    replay = Client()
    replay.cookies = client.cookies  # the same session cookie, as another tab or a thief
    assert replay.get(board()).status_code == 200

    client.post(reverse("account_logout"))

    assert replay.get(board()).status_code == 302


@pytest.mark.parametrize("change", ["password", "deactivated", "session deleted", "expired"])
def test_it_signs_out_as_soon_as_the_rows_say_so(network: Network, change: str) -> None:
    client = network.client_for(network.alice)
    assert client.get(board()).status_code == 200
    key = client.session.session_key
    if change == "password":
        alice = User.objects.get(pk=network.alice.pk)
        alice.set_password("a new and long passphrase")
        alice.save()
    elif change == "deactivated":
        User.objects.filter(pk=network.alice.pk).update(is_active=False)
    elif change == "session deleted":
        Session.objects.filter(session_key=key).delete()
    else:
        Session.objects.filter(session_key=key).update(expire_date=timezone.now())

    assert client.get(board()).status_code == 302


def test_it_does_not_serve_a_kept_session_past_its_expiry(network: Network, monkeypatch) -> None:
    client = network.client_for(network.alice)
    assert client.get(board()).status_code == 200
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    later = expiry + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert client.get(board()).status_code == 302


def test_it_keeps_sessions_apart(network: Network) -> None:
    alice = network.client_for(network.alice)
    bob = network.client_for(network.bob)
    for _ in range(2):
        assert alice.get(board()).wsgi_request.user.pk == network.alice.pk
        as_bob = bob.get(board())
        assert as_bob.status_code == 404  # not a member of Quellcode
        assert as_bob.wsgi_request.user.pk == network.bob.pk
        assert Client().get(board()).status_code == 302


def test_it_sees_a_changed_session_at_once(network: Network) -> None:
    client = network.client_for(network.alice)
    client.get(board())
    session = Session.objects.get(session_key=client.session.session_key)
    data = session.get_decoded()
    data[SESSION_KEY] = str(network.bob.pk)  # as a login in another process would
    Session.objects.filter(pk=session.pk).update(session_data=sessions.SessionStore().encode(data))

    response = client.get(board())

    # The test personas share a password, so the session's hash holds for bob as well.
    assert response.status_code == 404
    assert response.wsgi_request.user.pk == network.bob.pk


def test_it_sees_a_new_membership_at_once(network: Network) -> None:
    client = network.client_for(network.outsider)
    before = client.get(board())
    assert before.status_code == 404
    assert not is_network_member(before.wsgi_request.user)
    Membership.objects.create(collective=network.collective_a, user=network.outsider)

    response = client.get(board())

    assert response.status_code == 200
    assert is_network_member(response.wsgi_request.user)


def test_it_keeps_nothing_when_turned_off(network: Network, settings) -> None:
    settings.KLINKE_FRAGMENT_SECONDS = 0
    client = network.client_for(network.alice)
    client.get(board())
    _, again = queries_of(client, board())

    assert any("django_session" in sql for sql in again)


def test_it_serves_what_a_member_alone_sees_again_without_a_query(network: Network) -> None:
    """The members' area's collective, the collectives a need may be posted for and the
    visitor's own registrations are kept per visitor, like the pages' shared parts."""
    from klinke.core.models import Visibility
    from klinke.workshops import actions
    from klinke.workshops.tests.conftest import make_event

    event = make_event(network.bob, "Preise kalkulieren", visibility=Visibility.PUBLIC)
    actions.do_register(event_id=event.pk, user=network.alice)
    client = network.client_for(network.alice)
    pages = {
        board(): "Quellcode",
        reverse("exchange:index"): reverse("exchange:need_create", args=["quellcode"]),
        reverse("workshops:index"): "You are registered",
    }
    for url, shown in pages.items():
        client.get(url)
        status, again = queries_of(client, url)
        assert status == 200
        assert again == [], url
        assert shown in client.get(url, HTTP_ACCEPT_LANGUAGE="en").text, url


def test_it_closes_the_members_area_to_a_member_who_left_at_once(network: Network) -> None:
    client = network.client_for(network.alice)
    assert client.get(board()).status_code == 200
    Membership.objects.filter(user=network.alice, collective=network.collective_a).delete()

    assert client.get(board()).status_code == 404


def test_it_offers_to_post_a_need_for_a_collective_joined_since(network: Network) -> None:
    client = network.client_for(network.alice)
    url = reverse("exchange:index")
    post_for_b = reverse("exchange:need_create", args=[network.collective_b.slug])
    assert post_for_b not in client.get(url).text
    Membership.objects.create(collective=network.collective_b, user=network.alice)

    assert post_for_b in client.get(url).text


def test_it_serves_every_part_of_the_key_pages_kept_on_a_second_visit(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A part whose build reads tables that cannot be told (a comma join) is built on every
    # visit; so is one whose build gives None. Neither may happen on the pages that matter.
    from klinke.exchange.tests.factories import make_pricing_need_and_offer

    need, _offer = make_pricing_need_and_offer(network.collective_a, network.supporter)
    slug = network.collective_a.slug
    public = [
        reverse("directory:index"),
        reverse("directory:index") + "?q=Preisgestaltung",
        reverse("exchange:index"),
        reverse("workshops:index"),
        reverse("knowledge:index") + "?q=Preisgestaltung",
        reverse("collectives:detail", args=[slug]),
        reverse("home"),
    ]
    members = [need.get_absolute_url(), reverse("workbench:index", args=[slug])]
    builds: list[str] = []
    snapshot = fragments._snapshot

    def counted() -> bytes | None:
        builds.append("build")
        return snapshot()

    monkeypatch.setattr(fragments, "_snapshot", counted)
    for client, pages in (
        (network.client_for(network.alice), public + members),
        (Client(), public),
    ):
        for url in pages:
            assert client.get(url).status_code == 200, url
        first = len(builds)
        for url in pages:
            client.get(url)
        assert len(builds) == first, f"built again on a second visit: {len(builds) - first}"
    assert builds  # the first visits built them
