"""The board is kept for the collective's members (klinke.core.fragments): each member's move
buttons carry their own CSRF token, a move shows at once, and no one else sees it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from klinke.conftest import Network
from klinke.workbench.models import Lead
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def test_it_keeps_the_board_for_the_next_member_whose_moves_work(network: Network) -> None:
    lead = make_lead(network.collective_a, "Relaunch der Stadtbibliothek")
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(network.alice)
    alina = Client(enforce_csrf_checks=True)
    alina.force_login(network.alice2)
    url = reverse("workbench:index", args=[network.collective_a.slug])
    assert "Relaunch der Stadtbibliothek" in alice.get(url).text
    kept = alina.get(url).text
    board = kept[kept.index('id="board"') :]
    board = board[: board.index("</main>")]
    assert "klinke-slot" not in kept
    (token,) = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', board))
    response = alina.post(
        reverse("workbench:lead_move", args=[network.collective_a.slug, lead.pk]),
        {
            "from_stage": "new",
            "to_stage": "qualified",
            "direction": "next",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).stage == "qualified"
    # ... and shows at once, for every member.
    assert "Move “Relaunch der Stadtbibliothek” back to New" in alice.get(url).text


def test_it_shows_a_kept_board_to_no_one_else(network: Network) -> None:
    make_lead(network.collective_a, "Relaunch der Stadtbibliothek")
    url = reverse("workbench:index", args=[network.collective_a.slug])
    assert "Relaunch" in network.client_for(network.alice).get(url).text
    for viewer in (network.bob, network.sam, network.stella, network.outsider, None):
        response = network.client_for(viewer).get(url)
        assert response.status_code in (302, 403, 404)
        assert "Relaunch" not in response.text
