"""The daily reminder digest: due and overdue next actions, once a day, and the opt-out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klinke.conftest import deliver_mail, text_body
from klinke.core.mail import unsubscribe_token
from klinke.core.models import NotificationKind, NotificationMute
from klinke.workbench import actions
from klinke.workbench.models import DigestRecord, WorkbenchPreference
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def morning(day: date | None = None) -> datetime:
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


@pytest.fixture
def due_leads(network):
    today = timezone.localdate()
    overdue = make_lead(
        network.collective_a,
        "Angebot für die Tafel",
        next_action="Angebot nachfassen",
        next_action_due=today - timedelta(days=3),
        members=[network.alice],
    )
    due = make_lead(
        network.collective_a,
        "Website für die Kita",
        next_action="Termin vereinbaren",
        next_action_due=today,
        members=[network.alice2],
    )
    make_lead(
        network.collective_a,
        "Später",
        next_action="Irgendwann",
        next_action_due=today + timedelta(days=5),
        members=[network.alice],
    )
    make_lead(
        network.collective_a,
        "Schon gewonnen",
        stage="won",
        closed_reason="ok",
        next_action_due=today - timedelta(days=1),
        members=[network.alice],
    )
    return overdue, due


def test_it_mails_each_member_the_due_actions_of_their_leads_through_the_outbox(
    network, due_leads, smtp_server
):
    assert actions.do_send_digests(morning()) == 2
    assert deliver_mail() == 2
    [alice_mail] = smtp_server.to("alice@example.org")
    body = text_body(alice_mail)
    assert "Angebot für die Tafel" in body and "Angebot nachfassen" in body
    assert "Website für die Kita" not in body  # Alina's lead
    assert "Später" not in body and "Schon gewonnen" not in body
    assert "/notifications/off/" in body
    assert alice_mail["List-Unsubscribe"]
    [alina_mail] = smtp_server.to("alina@example.org")
    assert "Website für die Kita" in text_body(alina_mail)


def test_it_sends_at_most_one_digest_a_day(network, due_leads, mailoutbox):
    assert actions.do_send_digests(morning()) == 2
    assert actions.do_send_digests(morning() + timedelta(hours=5)) == 0
    assert len(mailoutbox) == 2
    assert DigestRecord.objects.filter(sent_on=timezone.localdate()).count() == 2
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert actions.do_send_digests(morning(tomorrow)) == 2


def test_it_waits_for_the_morning(network, due_leads, mailoutbox):
    night = timezone.make_aware(datetime.combine(timezone.localdate(), time(3, 0)))
    assert actions.do_send_digests(night) == 0
    assert not mailoutbox and not DigestRecord.objects.exists()


def test_it_sends_nothing_on_days_without_due_actions(network, mailoutbox):
    make_lead(
        network.collective_a,
        "Später",
        next_action_due=timezone.localdate() + timedelta(days=3),
        members=[network.alice],
    )
    assert actions.do_send_digests(morning()) == 0
    assert not DigestRecord.objects.exists()


def test_it_covers_all_leads_of_the_collective_when_a_member_asks(network, due_leads, mailoutbox):
    client = network.client_for(network.alice)
    client.post(
        reverse("workbench:settings", args=["quellcode"]),
        {"form": "reminders", "enabled": "on", "scope": "all"},
    )
    assert WorkbenchPreference.objects.get(user=network.alice).digest_scope == "all"
    actions.do_send_digests(morning())
    [alice_mail] = [m for m in mailoutbox if m.to == ["alice@example.org"]]
    assert "Angebot für die Tafel" in alice_mail.body and "Website für die Kita" in alice_mail.body


def test_it_turns_the_digest_off_and_on_from_the_settings_page(network, due_leads, mailoutbox):
    client = network.client_for(network.alice)
    client.post(
        reverse("workbench:settings", args=["quellcode"]),
        {"form": "reminders", "scope": "mine"},
    )
    assert NotificationMute.objects.filter(user=network.alice, kind="workbench").exists()
    assert actions.do_send_digests(morning()) == 1
    assert [m.to for m in mailoutbox] == [["alina@example.org"]]
    # Turning it on again removes the mute.
    client.post(
        reverse("workbench:settings", args=["quellcode"]),
        {"form": "reminders", "enabled": "on", "scope": "mine"},
    )
    assert not NotificationMute.objects.filter(user=network.alice).exists()


def test_it_turns_the_digest_off_from_the_link_in_the_email(network, due_leads, mailoutbox):
    token = unsubscribe_token(network.alice.pk, NotificationKind.WORKBENCH)
    network.client_for(None).post(reverse("notifications_off", args=[token]))
    assert actions.do_send_digests(morning()) == 1
    assert not DigestRecord.objects.filter(user=network.alice).exists()


def test_it_writes_the_digest_in_the_recipients_language(network, due_leads, mailoutbox):
    network.alice.language = "en"
    network.alice.save()
    actions.do_send_digests(morning())
    [alice_mail] = [m for m in mailoutbox if m.to == ["alice@example.org"]]
    assert "next action is due" in alice_mail.subject
    assert "Overdue:" in alice_mail.body


def test_it_gives_the_worker_the_workbench_jobs(network, due_leads, mailoutbox):
    from klinke.core.jobs import all_jobs

    jobs = {job.target: job for job in all_jobs() if job.target.startswith("klinke.workbench")}
    assert set(jobs) == {
        "klinke.workbench.actions.do_decide_due_decisions",
        "klinke.workbench.actions.do_remind_decisions",
        "klinke.workbench.actions.do_send_digests",
    }
    for job in jobs.values():
        assert isinstance(job.run(), int)
