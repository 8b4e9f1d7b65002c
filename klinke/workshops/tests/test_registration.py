"""Registration: capacity, the ordered waitlist, promotion, reminders, attendees and messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from klinke.conftest import deliver_mail, text_body
from klinke.workshops import actions
from klinke.workshops.models import Event, EventMessage, Registration, RegistrationStatus
from klinke.workshops.tests.conftest import make_event

pytestmark = pytest.mark.django_db

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


def statuses(event: Event) -> list[tuple[str, str]]:
    rows = Registration.objects.filter(event=event).order_by("requested_at", "pk")
    return [(r.user.email.split("@")[0], r.status) for r in rows]


def test_it_fills_places_then_the_waitlist_in_order(network, people):
    event = make_event(network.alice, capacity=2)
    guests = people(4)
    registrations = [actions.do_register(event_id=event.pk, user=g) for g in guests]
    assert [r.status for r in registrations] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [r.waitlist_position() for r in registrations] == [None, None, 1, 2]
    assert event.confirmed().count() == 2


def test_it_promotes_the_first_on_the_waitlist_when_someone_cancels(network, people, smtp_server):
    event = make_event(network.alice, capacity=2)
    first, second, waiting1, waiting2 = people(4)
    for guest in (first, second, waiting1, waiting2):
        actions.do_register(event_id=event.pk, user=guest)
    deliver_mail()
    smtp_server.messages.clear()

    actions.do_cancel_registration(event_id=event.pk, user=first)
    assert statuses(event) == [
        ("guest0", CANCELLED),
        ("guest1", CONFIRMED),
        ("guest2", CONFIRMED),
        ("guest3", WAITLISTED),
    ]
    promoted = Registration.objects.get(user=waiting1)
    assert promoted.promoted_at is not None
    assert Registration.objects.get(user=waiting2).waitlist_position() == 1

    deliver_mail()
    (message,) = smtp_server.messages
    assert message["To"] == waiting1.email
    assert event.title in message["Subject"]
    body = text_body(message)
    assert "it is yours now" in body
    assert event.get_absolute_url() in body


def test_it_does_not_promote_when_someone_leaves_the_waitlist(network, people):
    event = make_event(network.alice, capacity=1)
    first, waiting1, waiting2 = people(3)
    for guest in (first, waiting1, waiting2):
        actions.do_register(event_id=event.pk, user=guest)
    mail.outbox.clear()
    actions.do_cancel_registration(event_id=event.pk, user=waiting1)
    assert Registration.objects.get(user=first).status == CONFIRMED
    assert Registration.objects.get(user=waiting2).status == WAITLISTED
    assert Registration.objects.get(user=waiting2).waitlist_position() == 1
    assert mail.outbox == []


def test_it_puts_people_who_register_again_at_the_end_of_the_waitlist(network, people):
    event = make_event(network.alice, capacity=1)
    first, second, third = people(3)
    for guest in (first, second, third):
        actions.do_register(event_id=event.pk, user=guest)
    actions.do_cancel_registration(event_id=event.pk, user=first)  # second moves up
    again = actions.do_register(event_id=event.pk, user=first)
    assert again.status == WAITLISTED
    assert again.waitlist_position() == 2
    assert Registration.objects.filter(user=first).count() == 1


def test_it_refuses_double_registration_and_hosts(network, people):
    event = make_event(network.alice, capacity=5)
    (guest,) = people(1)
    actions.do_register(event_id=event.pk, user=guest)
    with pytest.raises(actions.WorkshopError, match="already"):
        actions.do_register(event_id=event.pk, user=guest)
    with pytest.raises(actions.WorkshopError, match="host"):
        actions.do_register(event_id=event.pk, user=network.alice)
    with pytest.raises(actions.WorkshopError, match="not registered"):
        actions.do_cancel_registration(event_id=event.pk, user=network.bob)
    assert event.registrations.count() == 1


def test_it_confirms_registration_and_waitlist_places_by_email(network, people, smtp_server):
    event = make_event(
        network.alice,
        capacity=1,
        format="hybrid",
        online_url="https://meet.example.org/raum",
    )
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    deliver_mail()
    confirmed_body = text_body(smtp_server.to(guest.email)[0])
    assert "https://meet.example.org/raum" in confirmed_body
    assert reverse("workshops:event_ics", args=[event.pk]) in confirmed_body
    waiting_body = text_body(smtp_server.to(waiting.email)[0])
    assert "number 1" in waiting_body
    assert "https://meet.example.org/raum" not in waiting_body


def test_it_registers_and_cancels_through_the_page(network, people):
    event = make_event(network.alice, capacity=1)
    guest, waiting = people(2)
    register = reverse("workshops:event_register", args=[event.pk])
    unregister = reverse("workshops:event_unregister", args=[event.pk])
    response = network.client_for(guest).post(register)
    assert response.status_code == 302
    html = network.client_for(guest).get(event.get_absolute_url()).content.decode()
    assert 'id="registration-status"' in html

    response = network.client_for(waiting).post(register, HTTP_HX_REQUEST="true")
    panel = response.content.decode()
    assert panel.lstrip().startswith('<section id="registration"')
    assert "number 1 on the waitlist" in panel

    response = network.client_for(guest).post(unregister, HTTP_HX_REQUEST="true")
    assert (
        "Your registration is cancelled." in response.content.decode()
        or response.status_code == 200
    )
    assert Registration.objects.get(user=waiting).status == CONFIRMED


def test_it_needs_a_login_and_post_to_register(network, client):
    event = make_event(network.alice)
    url = reverse("workshops:event_register", args=[event.pk])
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert network.client_for(network.bob).get(url).status_code == 405
    assert not event.registrations.exists()


def test_it_requires_csrf_to_register(network):
    from django.test import Client

    event = make_event(network.alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.bob)
    assert client.post(reverse("workshops:event_register", args=[event.pk])).status_code == 403
    assert not event.registrations.exists()


# --- reminders -----------------------------------------------------------------------


def test_it_sends_each_reminder_once_within_a_day_before_the_start(network, people, smtp_server):
    soon = make_event(
        network.alice, "Bald", capacity=1, starts_at=timezone.now() + timedelta(days=3)
    )
    later = make_event(network.alice, "Später", starts_at=timezone.now() + timedelta(days=5))
    guest, waiting, other = people(3)
    actions.do_register(event_id=soon.pk, user=guest)
    actions.do_register(event_id=soon.pk, user=waiting)
    actions.do_register(event_id=later.pk, user=other)
    assert actions.do_send_reminders() == 0  # too early for both

    # Two days pass: "Bald" now starts in 23 hours.
    for event in (soon, later):
        event.starts_at -= timedelta(days=2, hours=1)
        event.ends_at -= timedelta(days=2, hours=1)
        event.save()
    deliver_mail()
    smtp_server.messages.clear()
    assert actions.do_send_reminders() == 1
    assert actions.do_send_reminders() == 0  # a second run, or a second worker, sends nothing
    deliver_mail()
    (message,) = smtp_server.messages
    assert message["To"] == guest.email
    assert "Bald" in message["Subject"]
    assert Registration.objects.get(user=guest).reminder_sent_at is not None
    assert Registration.objects.get(user=waiting).reminder_sent_at is None


def test_it_does_not_remind_of_cancelled_events_or_cancelled_registrations(network, people):
    soon = make_event(network.alice, "Bald", starts_at=timezone.now() + timedelta(days=2))
    guest, leaver = people(2)
    actions.do_register(event_id=soon.pk, user=guest)
    actions.do_register(event_id=soon.pk, user=leaver)
    actions.do_cancel_registration(event_id=soon.pk, user=leaver)
    soon.starts_at = timezone.now() + timedelta(hours=3)
    soon.ends_at = soon.starts_at + timedelta(hours=2)
    soon.save()
    actions.do_cancel_event(event_id=soon.pk, user=network.alice)
    mail.outbox.clear()
    assert actions.do_send_reminders() == 0
    assert mail.outbox == []


def test_it_counts_the_promotion_email_as_the_reminder_close_to_the_start(network, people):
    event = make_event(network.alice, capacity=1, starts_at=timezone.now() + timedelta(hours=5))
    first, waiting = people(2)
    actions.do_register(event_id=event.pk, user=first)
    actions.do_register(event_id=event.pk, user=waiting)
    actions.do_cancel_registration(event_id=event.pk, user=first)
    mail.outbox.clear()
    assert actions.do_send_reminders() == 0
    assert Registration.objects.get(user=waiting).reminder_sent_at is not None


def test_it_the_worker_runs_the_reminder_job():
    from klinke.core.jobs import all_jobs

    (job,) = [j for j in all_jobs() if j.target.endswith("do_send_reminders")]
    assert job.every_seconds <= 600
    assert job.run() == 0


# --- attendees and messages ---------------------------------------------------------------


def test_it_shows_the_attendee_list_to_hosts_only(network, people, client, members_event):
    event = make_event(network.alice, capacity=1)
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    url = reverse("workshops:event_attendees", args=[event.pk])
    for outsider in (guest, network.bob, network.outsider):
        assert network.client_for(outsider).get(url).status_code == 403
        assert network.client_for(outsider).get(url, {"format": "csv"}).status_code == 403
    assert client.get(url).status_code == 302
    members_url = reverse("workshops:event_attendees", args=[members_event.pk])
    assert network.client_for(network.outsider).get(members_url).status_code == 404

    response = network.client_for(network.alice).get(url)
    assert [r.user for r in response.context["confirmed"]] == [guest]
    assert [r.user for r in response.context["waitlist"]] == [waiting]
    assert guest.email in response.content.decode()
    # Nobody else's page names the participants.
    detail = network.client_for(network.bob).get(event.get_absolute_url()).content.decode()
    assert guest.email not in detail and guest.name not in detail


def test_it_exports_participants_as_csv_safely(network, people):
    event = make_event(network.alice)
    (guest,) = people(1)
    guest.name = '=HYPERLINK("http://evil.example")'
    guest.save()
    actions.do_register(event_id=event.pk, user=guest)
    response = network.client_for(network.alice).get(
        reverse("workshops:event_attendees", args=[event.pk]), {"format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("'=HYPERLINK") or lines[1].startswith("\"'=HYPERLINK")


def test_it_hosts_message_participants_through_the_outbox(network, people, smtp_server):
    event = make_event(network.alice, capacity=1)
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    deliver_mail()
    smtp_server.messages.clear()
    url = reverse("workshops:event_message", args=[event.pk])
    data = {"subject": "Raumänderung", "body": "Wir treffen uns im 2. Stock."}
    assert network.client_for(guest).post(url, data).status_code == 403
    response = network.client_for(network.alice).post(url, data)
    assert response.status_code == 302
    assert smtp_server.messages == []  # queued, not yet sent
    deliver_mail()
    (message,) = smtp_server.messages
    assert message["To"] == guest.email
    assert "Raumänderung" in message["Subject"]
    assert "Wir treffen uns im 2. Stock." in text_body(message)

    network.client_for(network.alice).post(url, {**data, "include_waitlist": "on"})
    deliver_mail()
    (to_waitlist,) = smtp_server.to(waiting.email)
    assert "Raumänderung" in to_waitlist["Subject"]
    assert len(smtp_server.to(guest.email)) == 2
    assert EventMessage.objects.filter(event=event).count() == 2


def test_it_limits_how_often_hosts_write(network, people):
    event = make_event(network.alice)
    actions.do_register(event_id=event.pk, user=people(1)[0])
    for index in range(actions.MESSAGES_PER_DAY):
        actions.do_message_participants(
            event=event, user=network.alice, subject=f"#{index}", body="…"
        )
    response = network.client_for(network.alice).post(
        reverse("workshops:event_message", args=[event.pk]), {"subject": "one more", "body": "…"}
    )
    assert response.status_code == 400
    assert "24 hours" in response.content.decode()
    assert EventMessage.objects.count() == actions.MESSAGES_PER_DAY


def test_it_my_workshops_lists_registrations_hosting_and_ideas(network, people):
    event = make_event(network.alice, "Mein Abend")
    actions.do_register(event_id=event.pk, user=network.bob)
    html = network.client_for(network.bob).get(reverse("workshops:mine")).content.decode()
    assert "Mein Abend" in html
    html = network.client_for(network.alice).get(reverse("workshops:mine")).content.decode()
    assert "Mein Abend" in html
