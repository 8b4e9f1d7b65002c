"""Concurrent registrations and cancellations in real, parallel transactions (PostgreSQL).

Each worker thread has its own database connection and starts at the same moment (a barrier),
so the transactions really overlap. Without the row lock on the event, ten people registering
for three places would all count zero taken places and all get one.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.core import mail

from klinke.testing import postgresql_only, run_at_once
from klinke.workshops import actions
from klinke.workshops.models import Interest, Registration, RegistrationStatus
from klinke.workshops.tests.conftest import make_event, make_idea

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_topics"),
    postgresql_only,
]

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED


def test_it_never_oversells_when_ten_people_register_for_three_places(network, people):
    event = make_event(network.alice, capacity=3)
    guests = people(10)

    results = run_at_once([partial(actions.do_register, event_id=event.pk, user=g) for g in guests])

    assert all(isinstance(r, Registration) for r in results), results
    assert event.confirmed().count() == 3
    waitlist = list(event.waitlist())
    assert len(waitlist) == 7
    assert [r.waitlist_position() for r in waitlist] == list(range(1, 8))
    assert len(mail.outbox) == 10  # one confirmation or waitlist email each


def test_it_never_loses_a_waitlisted_person_when_cancellations_and_registrations_race(
    network, people
):
    for round_ in range(4):
        event = make_event(network.alice, f"Runde {round_}", capacity=3)
        holders = people(3, f"holder{round_}-")
        waiting = people(2, f"waiting{round_}-")
        newcomers = people(3, f"new{round_}-")
        for person in holders + waiting:
            actions.do_register(event_id=event.pk, user=person)

        calls = [
            partial(actions.do_cancel_registration, event_id=event.pk, user=h) for h in holders[:2]
        ]
        calls += [partial(actions.do_register, event_id=event.pk, user=n) for n in newcomers]
        results = run_at_once(calls)

        assert not [r for r in results if isinstance(r, Exception)], results
        assert event.confirmed().count() == 3
        # The two freed places went to the two who waited, never to a newcomer.
        for person in waiting:
            assert Registration.objects.get(event=event, user=person).status == CONFIRMED
        assert {r.user for r in event.waitlist()} == set(newcomers)
        assert [r.waitlist_position() for r in event.waitlist()] == [1, 2, 3]


def test_it_registers_a_double_click_once(network):
    event = make_event(network.alice, capacity=3)
    results = run_at_once([partial(actions.do_register, event_id=event.pk, user=network.bob)] * 4)
    assert sum(isinstance(r, Registration) for r in results) == 1
    assert all(
        isinstance(r, actions.WorkshopError) for r in results if not isinstance(r, Registration)
    )
    assert event.registrations.count() == 1


def test_it_emails_the_proposer_once_when_several_tip_the_threshold_together(network, people):
    idea = make_idea(network.sam, interest_threshold=3)
    guests = people(6)
    mail.outbox.clear()
    run_at_once(
        [
            partial(
                actions.do_register_interest, idea_id=idea.pk, user=g, preferred_format="online"
            )
            for g in guests
        ]
    )
    assert Interest.objects.filter(idea=idea).count() == 6
    assert [m.to for m in mail.outbox] == [[network.sam.email]]


def test_it_two_reminder_workers_send_each_reminder_once(network, people):
    from datetime import timedelta

    from django.utils import timezone

    event = make_event(network.alice, capacity=10, starts_at=timezone.now() + timedelta(days=3))
    guests = people(6)
    for guest in guests:
        actions.do_register(event_id=event.pk, user=guest)
    event.starts_at = timezone.now() + timedelta(hours=10)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    mail.outbox.clear()
    results = run_at_once([actions.do_send_reminders] * 3)
    assert sum(results) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(g.email for g in guests)
