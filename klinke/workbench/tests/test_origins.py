"""Apps above the workbench tell the lead page where a lead came from (registration hook)."""

from __future__ import annotations

import pytest

from klinke.workbench import origins
from klinke.workbench.models import Lead
from klinke.workbench.origins import LeadOrigin, lead_origins, register_lead_origin

pytestmark = pytest.mark.django_db


def test_it_asks_each_registered_finder_once_and_keeps_its_answers(network, monkeypatch):
    monkeypatch.setattr(origins, "_FINDERS", [])
    lead = Lead.objects.create(collective=network.collective_a, title="Webshop")
    found = LeadOrigin(kind="Event", title="Barcamp", url="/events/1/")

    def finder(asked: Lead) -> LeadOrigin | None:
        return found if asked.pk == lead.pk else None

    register_lead_origin(finder)
    register_lead_origin(finder)
    register_lead_origin(lambda asked: None)

    assert lead_origins(lead) == [found]
    other = Lead.objects.create(collective=network.collective_a, title="Andere")
    assert lead_origins(other) == []
