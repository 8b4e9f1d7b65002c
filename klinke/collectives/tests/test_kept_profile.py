"""A collective's profile is kept per audience (klinke.core.fragments): members-only facts never
reach the public, the vouch links speak to each visitor, and an edit shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.conftest import Network

pytestmark = pytest.mark.django_db


def test_it_never_shows_members_only_facts_kept_for_members_to_the_public(
    network: Network,
) -> None:
    Collective.objects.filter(pk=network.collective_a.pk).update(
        red_lines="Keine Überwachungssoftware"
    )
    url = network.collective_a.get_absolute_url()
    assert "Keine Überwachungssoftware" in network.client_for(network.bob).get(url).text
    public = network.client_for(None).get(url).text
    assert network.collective_a.name in public
    assert "Keine Überwachungssoftware" not in public
    assert "Keine Überwachungssoftware" in network.client_for(network.sam).get(url).text


def test_it_fills_the_vouch_links_for_each_visitor(network: Network) -> None:
    url = network.collective_a.get_absolute_url()
    member = network.client_for(network.alice).get(url).text  # its own member: no links
    bob = network.client_for(network.bob).get(url).text  # of collective B: vouch from it
    assert "Vouch for them" not in member
    assert "Worked with them? Vouch for them:" in bob
    assert network.collective_b.name in bob[bob.index("Vouch for them") :]
    assert "Vouch for them" not in network.client_for(network.alice).get(url).text


def test_it_shows_an_edit_at_once(network: Network) -> None:
    client = network.client_for(None)
    url = network.collective_a.get_absolute_url()
    assert "Genossenschaft seit gestern" not in client.get(url).text
    collective = Collective.objects.get(pk=network.collective_a.pk)
    collective.description_de = collective.description_en = "Genossenschaft seit gestern"
    collective.save()
    assert "Genossenschaft seit gestern" in client.get(url).text


def test_it_keeps_who_may_see_a_profile_per_audience(network: Network) -> None:
    # Members-only: found for a network member, then kept; the public still gets 404.
    hidden = network.hidden.get_absolute_url()
    for _ in range(2):
        assert network.client_for(network.sam).get(hidden).status_code == 200
        assert network.client_for(None).get(hidden).status_code == 404
    # Archived: its members still see it from what was kept, nobody else does.
    Collective.objects.filter(pk=network.collective_a.pk).update(archived_at=timezone.now())
    url = network.collective_a.get_absolute_url()
    for _ in range(2):
        assert network.client_for(network.alice).get(url).status_code == 200
        assert network.client_for(network.bob).get(url).status_code == 404
        assert network.client_for(None).get(url).status_code == 404


def test_it_asks_no_query_for_a_kept_profile(network: Network) -> None:
    client = network.client_for(network.bob)
    url = network.collective_a.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url)
    assert (first.status_code, again.status_code) == (200, 200)
    assert network.collective_a.name in again.text
    # bob is not one of its members: where he may vouch from is asked per visit (2 queries)
    assert len(kept) == 2
