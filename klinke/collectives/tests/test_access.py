"""Who belongs to the network, and which collective a request may see or act for."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from klinke.collectives.access import (
    collective_to_act_for,
    member_collective,
    visible_collective,
)
from klinke.collectives.models import Membership
from klinke.conftest import Network, make_user
from klinke.core import models as core_models
from klinke.core.models import is_network_member, network_roles


def test_it_registers_the_roles_of_collectives_supporters_and_stewards_with_core() -> None:
    assert network_roles() == ["collective member", "network steward", "supporter"]


def test_it_counts_members_supporters_and_stewards_as_the_network(network: Network) -> None:
    assert is_network_member(network.alice)
    assert is_network_member(network.sam)  # a supporter, in no collective
    assert is_network_member(network.stella)  # a steward
    assert not is_network_member(network.outsider)
    assert not is_network_member(make_user("nobody@example.org"))


def test_it_asks_network_membership_in_one_query_whose_rows_agree_with_every_role(
    network: Network, django_assert_num_queries: Any
) -> None:
    archived = make_user("archived@example.org")
    Membership.objects.create(collective=network.hidden, user=archived)
    network.hidden.archived_at = timezone.now()
    network.hidden.save()
    people = [network.alice, network.sam, network.stella, network.outsider, archived]
    for name in network_roles():
        holds, rows = core_models._network_roles[name], core_models._network_role_rows[name]
        for person in people:
            fresh = type(person).objects.get(pk=person.pk)
            assert holds(fresh) == rows(person.pk).exists(), (name, person.email)
    for person in people:
        fresh = type(person).objects.get(pk=person.pk)
        with django_assert_num_queries(1):
            member = is_network_member(fresh)
        assert member == (person not in (network.outsider, archived))


def test_it_follows_the_registered_roles_in_the_compiled_membership_question(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question's SQL is compiled once per process with a stand-in key; a role registered
    later (or a changed one) compiles it anew, and every visitor gets their own answer."""
    monkeypatch.setattr(core_models, "_network_roles", dict(core_models._network_roles))
    monkeypatch.setattr(core_models, "_network_role_rows", dict(core_models._network_role_rows))
    monkeypatch.setattr(core_models, "_network_member_sql", {})

    def fresh(person: Any) -> Any:
        return type(person).objects.get(pk=person.pk)

    assert is_network_member(fresh(network.alice))
    assert not is_network_member(fresh(network.outsider))
    assert len(core_models._network_member_sql) == 1
    (sql, _params, slots) = next(iter(core_models._network_member_sql.values()))
    assert str(core_models._STAND_IN_PK) not in sql  # a parameter, never spliced into the text
    assert len(slots) == 1 + len(network_roles())

    users = type(network.outsider).objects
    users.filter(pk=network.outsider.pk).update(name="Olga, invited guest")
    core_models.register_network_role(
        "invited guest",
        lambda user: user.name == "Olga, invited guest",
        lambda pk: users.filter(pk=pk, name="Olga, invited guest"),
    )
    assert core_models._network_member_sql == {}
    assert is_network_member(fresh(network.outsider))
    assert not is_network_member(make_user("still-nobody@example.org"))


def test_it_refuses_a_role_whose_rows_ignore_the_person(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_models, "_network_roles", dict(core_models._network_roles))
    monkeypatch.setattr(core_models, "_network_role_rows", dict(core_models._network_role_rows))
    monkeypatch.setattr(core_models, "_network_member_sql", {})
    core_models.register_network_role(
        "anyone at all", lambda user: True, lambda pk: Membership.objects.all()
    )
    with pytest.raises(AssertionError, match="ignore the user"):
        is_network_member(type(network.outsider).objects.get(pk=network.outsider.pk))


def test_it_does_not_count_membership_of_an_archived_collective(network: Network) -> None:
    network.collective_a.archived_at = timezone.now()
    network.collective_a.save()
    alice = type(network.alice).objects.get(pk=network.alice.pk)  # a fresh, uncached user
    assert not is_network_member(alice)


def _request(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_it_answers_404_to_non_members_and_403_only_for_acting_in_a_visible_collective(
    network: Network,
) -> None:
    with pytest.raises(Http404):
        visible_collective(_request(network.outsider), network.hidden.slug)
    with pytest.raises(Http404):
        member_collective(_request(network.outsider), network.collective_a.slug)
    with pytest.raises(PermissionDenied):
        collective_to_act_for(_request(network.outsider), network.collective_a.slug)
    assert member_collective(_request(network.alice), "quellcode") == network.collective_a
    assert visible_collective(_request(network.bob), "verborgen") == network.hidden


def test_it_lets_only_members_into_the_members_area_in_one_query(
    network: Network, django_assert_num_queries: Any
) -> None:
    alice = type(network.alice).objects.get(pk=network.alice.pk)
    is_network_member(alice)  # the base of every page has asked already
    with django_assert_num_queries(1):
        assert member_collective(_request(alice), "quellcode") == network.collective_a
    for user in (network.outsider, AnonymousUser()):
        with pytest.raises(Http404):
            member_collective(_request(user), "quellcode")
    with pytest.raises(Http404):
        member_collective(_request(alice), "no-such-collective")
    # A member still enters a collective that was archived, when they may see it at all.
    network.collective_a.archived_at = timezone.now()
    network.collective_a.save()
    assert member_collective(_request(network.alice2), "quellcode") == network.collective_a


def test_it_keeps_a_members_only_collective_hidden_from_a_member_outside_the_network(
    network: Network,
) -> None:
    """Someone whose only collective is archived is no network member: a members-only
    collective stays hidden from them, even their own."""
    network.hidden.archived_at = timezone.now()
    network.hidden.save()
    member = make_user("only-archived@example.org")
    network.hidden.memberships.create(user=member)
    member = type(member).objects.get(pk=member.pk)
    assert not is_network_member(member)
    with pytest.raises(Http404):
        member_collective(_request(member), network.hidden.slug)
