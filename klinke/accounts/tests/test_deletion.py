"""Deleting one's account: proof first, then nothing personal remains anywhere in the database,
while what the person wrote for a collective stays there under "former member"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.db import connection
from django.test import Client

from klinke.accounts.deletion import DeletionRefused, Proof, do_delete_account
from klinke.accounts.models import User
from klinke.accounts.tests.person import EMAIL, NAME, PHONE, seed_person
from klinke.collectives.models import Collective, Membership
from klinke.conftest import PERSONA_PASSWORD, deliver_mail, text_body
from klinke.core.mail import send_notification
from klinke.exchange.models import Introduction, Need
from klinke.supporters.models import Supporter
from klinke.workbench.models import Response
from klinke.workshops.models import Registration

pytestmark = pytest.mark.django_db

NOW = 1_800_000_015.0


def find_everywhere(text: str) -> list[str]:
    """Every table.column, in the whole database, whose value contains `text` (any case)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            for column in columns:
                quoted_table = connection.ops.quote_name(table)
                quoted_column = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 - names from introspection
                    f"WHERE LOWER(CAST({quoted_column} AS TEXT)) LIKE %s",
                    [f"%{text.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def test_it_finds_what_it_searches_for(network) -> None:
    seed_person(network)
    assert "accounts_user.email" in find_everywhere(EMAIL)
    assert "accounts_user.phone" in find_everywhere(PHONE)


def test_it_leaves_the_persons_email_name_and_phone_nowhere_in_the_database(
    network, smtp_server
) -> None:
    person = seed_person(network)
    # A session, mail already sent about them and mail still queued for them.
    Client().force_login(person.user)
    send_notification(
        to="someone@example.org",
        template="exchange/email/item_expired",
        context={"item": SimpleNamespace(title=f"{NAME} posted this"), "renew_url": "x"},
    )
    deliver_mail()
    send_notification(
        to=EMAIL,
        template="exchange/email/item_expired",
        context={"item": SimpleNamespace(title="yours"), "renew_url": "x"},
    )

    do_delete_account(user=person.user, proof=Proof(password=PERSONA_PASSWORD))

    for trace in (EMAIL, NAME, PHONE):
        assert find_everywhere(trace) == [], trace


def test_it_keeps_what_they_wrote_for_a_collective_under_former_member(network) -> None:
    person = seed_person(network)

    do_delete_account(user=person.user, proof=Proof(password=PERSONA_PASSWORD))

    need = Need.objects.get(title="FACT need title")
    assert need.created_by is not None
    assert need.created_by.display_name == "former member"
    vote = Response.objects.get(reason="FACT vote")
    assert vote.member.display_name == "former member"
    user = User.objects.get(pk=person.user.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.is_deleted


def test_it_ends_memberships_and_archives_a_collective_left_without_members(network) -> None:
    person = seed_person(network)

    do_delete_account(user=person.user, proof=Proof(password=PERSONA_PASSWORD))

    assert not Membership.objects.filter(user=person.user).exists()
    assert Collective.objects.get(pk=person.own_collective.pk).is_archived
    shared = Collective.objects.get(pk=person.shared_collective.pk)
    assert not shared.is_archived
    assert shared.memberships.count() == 2  # alice and alina stay


def test_it_withdraws_their_open_requests_and_tells_the_other_side(network, smtp_server) -> None:
    person = seed_person(network)

    do_delete_account(user=person.user, proof=Proof(password=PERSONA_PASSWORD))
    deliver_mail()

    asked = Introduction.objects.get(message="FACT request message")
    assert asked.state == "withdrawn"
    assert asked.requester_email == ""
    [told] = smtp_server.to(network.sam.email)
    assert "zurückgezogen" in str(told["Subject"])  # Sam reads German
    assert NAME not in text_body(told)


def test_it_removes_the_supporter_profile_and_gives_up_event_places(network) -> None:
    person = seed_person(network)

    do_delete_account(user=person.user, proof=Proof(password=PERSONA_PASSWORD))

    assert not Supporter.objects.filter(slug="petra-hilft").exists()
    assert not Registration.objects.filter(user=person.user).exists()
    assert not person.user.api_tokens.exists()


def test_it_refuses_a_wrong_password_and_changes_nothing(network) -> None:
    person = seed_person(network)

    with pytest.raises(DeletionRefused) as refused:
        do_delete_account(user=person.user, proof=Proof(password="not it"))

    assert refused.value.field == "password"
    user = User.objects.get(pk=person.user.pk)
    assert user.email == EMAIL and user.is_active and not user.is_deleted
    assert Membership.objects.filter(user=user).count() == 2


@pytest.fixture
def with_totp(network, monkeypatch):
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: NOW))
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(network.outsider, secret)
    return secret


def code_for(secret: str) -> str:
    return str(totp.format_hotp_value(totp.hotp_value(secret, int(NOW) // 30)))


def test_it_asks_for_the_second_factor_when_one_is_set(network, with_totp) -> None:
    olga = network.outsider

    with pytest.raises(DeletionRefused) as missing:
        do_delete_account(user=olga, proof=Proof(password=PERSONA_PASSWORD))
    wrong = f"{(int(code_for(with_totp)) + 1) % 1_000_000:06d}"
    with pytest.raises(DeletionRefused) as wrong_code:
        do_delete_account(user=olga, proof=Proof(password=PERSONA_PASSWORD, code=wrong))

    assert missing.value.field == wrong_code.value.field == "code"
    assert User.objects.get(pk=olga.pk).is_active
    do_delete_account(user=olga, proof=Proof(password=PERSONA_PASSWORD, code=code_for(with_totp)))
    assert User.objects.get(pk=olga.pk).is_deleted
    assert not Authenticator.objects.filter(user=olga).exists()


def test_it_deletes_in_a_bounded_number_of_queries(network, django_assert_max_num_queries) -> None:
    person = seed_person(network)
    # One withdrawal and one event place go through their apps' actions; everything else is a
    # bulk statement per table, however much the person wrote.
    with django_assert_max_num_queries(90):
        do_delete_account(user=person.user, proof=Proof(password=PERSONA_PASSWORD))
