"""The workshops' demo content: bilingual, marked as demo, idempotent, and ready to try."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from klinke.accounts.models import User
from klinke.network import demo_loader
from klinke.workshops import actions
from klinke.workshops.demo import load_demo_content
from klinke.workshops.models import Event, Interest, Registration, WorkshopIdea

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_network(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo network with its logins, and of the app demos only this one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(demo_loader, "DEMO_EXTENSIONS", ("klinke.workshops.demo",))
    demo_loader.do_load_demo_network()


def snapshot() -> tuple[int, ...]:
    return (
        WorkshopIdea.objects.count(),
        Interest.objects.count(),
        Event.objects.count(),
        Registration.objects.count(),
    )


def test_it_loads_bilingual_demo_ideas_and_events_once(demo_network):
    before = snapshot()
    assert before[0] >= 3 and 3 <= before[2] <= 4
    summary = load_demo_content()
    assert snapshot() == before
    assert "workshops" in summary
    assert not WorkshopIdea.objects.filter(is_demo=False).exists()
    assert not Event.objects.filter(is_demo=False).exists()
    assert {"de", "en"} <= set(Event.objects.values_list("language", flat=True))
    assert {"de", "en"} <= set(WorkshopIdea.objects.values_list("language", flat=True))
    hosts = User.objects.filter(hosted_events__isnull=False).distinct()
    assert hosts and all(h.email.endswith("@demo.klinke.example") for h in hosts)
    assert all(hasattr(h, "supporter") for h in hosts)


def test_it_one_demo_event_is_full_with_a_waitlist(demo_network):
    full = [
        e
        for e in Event.objects.with_counts()
        if e.confirmed_count == e.capacity and e.waitlist_count > 0
    ]
    assert len(full) == 1
    assert full[0].ends_at > full[0].created_at  # still upcoming when loaded


def test_it_a_demo_login_can_tip_akquise_fuer_kollektive_over_its_threshold(demo_network):
    idea = WorkshopIdea.objects.get(title="Akquise für Kollektive")
    assert idea.interested_count() == idea.interest_threshold - 1
    mira = User.objects.get(email="mira@demo.klinke.example")
    assert not idea.is_proposer(mira)
    mail.outbox.clear()
    actions.do_register_interest(idea_id=idea.pk, user=mira, preferred_format="online")
    proposers = {p.email for p in idea.proposers.all()}
    assert {m.to[0] for m in mail.outbox} == proposers
