"""Needs and offers through their pages: who may post and edit, states, bad input, expiry."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from klinke.conftest import deliver_mail, text_body
from klinke.core.models import NotificationMute
from klinke.exchange import actions
from klinke.exchange.models import ITEM_LIFETIME_DAYS, ItemState, Need, Offer
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


def need_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Hilfe bei der Preisgestaltung",
        "description": "Wie setzen wir unseren Tagessatz fest?",
        "kind_choices": ["experience-exchange"],
        "topics": [Topic.objects.get(slug="pricing").pk],
        "remote_ok": "on",
        "expires_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "visibility": "public",
    }
    data.update(overrides)
    return data


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def off_link_in(message: Any) -> str:
    """The "turn these emails off" link of a notification, from its text part."""
    (link,) = [u for u in links_in(text_body(message)) if "/notifications/off/" in u]
    return link


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- posting ---------------------------------------------------------------------------


def test_it_lets_a_member_post_a_need_for_the_collective(network):
    response = network.client_for(network.alice).post(
        reverse("exchange:need_create", args=["quellcode"]), need_data()
    )

    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == need.get_absolute_url()
    assert need.collective == network.collective_a
    assert need.created_by == network.alice
    assert need.kind_codes == ["experience-exchange"]
    assert [t.slug for t in need.topics.all()] == ["pricing"]
    # Place and languages left empty come from the collective.
    assert (need.city, need.country, need.nuts_code) == ("Leipzig", "DE", "DED51")
    assert need.language_codes == ["de", "en"]
    assert need.state == ItemState.OPEN


def test_it_refuses_needs_from_members_of_other_collectives(network):
    for user in (network.bob, network.outsider, network.sam):
        client = network.client_for(user)
        url = reverse("exchange:need_create", args=["quellcode"])
        assert client.get(url).status_code == 403
        assert client.post(url, need_data()).status_code == 403
    assert not Need.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login_before_posting(network, client):
    for url in (
        reverse("exchange:need_create", args=["quellcode"]),
        reverse("exchange:offer_create"),
        reverse("exchange:collective_offer_create", args=["quellcode"]),
    ):
        assert is_login_redirect(client.get(url))
        assert is_login_redirect(client.post(url, need_data()))
    assert not Need.objects.exists()
    assert not Offer.objects.exists()


def test_it_hides_a_members_only_collective_from_outsiders_who_try_to_post(network):
    url = reverse("exchange:need_create", args=["verborgen"])
    assert network.client_for(network.outsider).post(url, need_data()).status_code == 404
    assert network.client_for(network.bob).post(url, need_data()).status_code == 302
    assert Need.objects.get().collective == network.hidden


def test_it_lets_a_supporter_post_an_offer_as_their_profile(network):
    response = network.client_for(network.sam).post(
        reverse("exchange:offer_create"), need_data(title="Preise kalkulieren")
    )

    offer = Offer.objects.get()
    assert response["Location"] == offer.get_absolute_url()
    assert offer.supporter == network.supporter
    assert offer.collective is None
    assert (offer.city, offer.country) == ("Berlin", "DE")


def test_it_sends_people_without_a_supporter_profile_to_create_one(network):
    response = network.client_for(network.alice).post(reverse("exchange:offer_create"), need_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("supporters:edit_own")
    assert not Offer.objects.exists()


def test_it_lets_members_post_offers_for_their_collective_only(network):
    url = reverse("exchange:collective_offer_create", args=["quellcode"])
    assert network.client_for(network.bob).post(url, need_data()).status_code == 403
    assert not Offer.objects.exists()

    assert network.client_for(network.alice2).post(url, need_data()).status_code == 302
    offer = Offer.objects.get()
    assert (offer.collective, offer.supporter) == (network.collective_a, None)


# --- who sees what -----------------------------------------------------------------------


def test_it_hides_members_only_needs_from_outsiders_in_list_and_detail(network, client):
    secret = make_need(network.collective_a, "Geheimes Gesuch", "Nur für das Netzwerk.")
    secret.visibility = "members"
    secret.save()
    in_hidden = make_need(network.hidden, "Gesuch im Verborgenen", "Öffentlich, aber …")
    public = make_need(network.collective_a, "Öffentliches Gesuch", "Für alle sichtbar.")

    for viewer in (client, network.client_for(network.outsider)):
        listing = viewer.get(reverse("exchange:index")).content.decode()
        assert "Öffentliches Gesuch" in listing
        assert "Geheimes Gesuch" not in listing
        assert "Gesuch im Verborgenen" not in listing
        assert viewer.get(secret.get_absolute_url()).status_code == 404
        assert viewer.get(in_hidden.get_absolute_url()).status_code == 404
        assert viewer.get(public.get_absolute_url()).status_code == 200

    member = network.client_for(network.bob)
    listing = member.get(reverse("exchange:index")).content.decode()
    assert "Geheimes Gesuch" in listing
    assert "Gesuch im Verborgenen" in listing
    assert member.get(secret.get_absolute_url()).status_code == 200


def test_it_hides_members_only_offers_and_offers_of_members_only_owners(network, client):
    secret = make_offer(network.supporter, "Geheimes Angebot", "Nur für das Netzwerk.")
    secret.visibility = "members"
    secret.save()
    # A public offer of a members-only profile would name that profile to everyone.
    of_hidden = make_offer(network.hidden_supporter, "Stilles Angebot", "Öffentlich, aber …")
    public = make_offer(network.supporter, "Offenes Angebot", "Für alle sichtbar.")

    for viewer in (client, network.client_for(network.outsider)):
        listing = viewer.get(reverse("exchange:index"), {"show": "offers"}).content.decode()
        assert "Offenes Angebot" in listing
        assert "Geheimes Angebot" not in listing
        assert "Stilles Angebot" not in listing
        assert "Stille Hilfe" not in listing
        assert viewer.get(secret.get_absolute_url()).status_code == 404
        assert viewer.get(of_hidden.get_absolute_url()).status_code == 404
        assert viewer.get(public.get_absolute_url()).status_code == 200

    member = network.client_for(network.alice)
    listing = member.get(reverse("exchange:index"), {"show": "offers"}).content.decode()
    assert "Geheimes Angebot" in listing
    assert "Stilles Angebot" in listing
    assert member.get(of_hidden.get_absolute_url()).status_code == 200


def test_it_shows_owner_place_kinds_and_topics_on_each_card_of_the_index(network, client):
    make_need(
        network.collective_a,
        "Gesuch mit Themen",
        "…",
        city="Leipzig",
        country="DE",
        remote_ok=True,
        kinds=["workshop", "project-cooperation"],
        topics=["pricing", "frontend"],
    )
    make_offer(network.supporter, "Angebot mit Themen", "…", remote_ok=False, topics=["pricing"])
    pricing = Topic.objects.get(slug="pricing")
    frontend = Topic.objects.get(slug="frontend")
    # The topics in their own order (kind, then English name), after the kinds of help.
    first, second = sorted([pricing, frontend], key=lambda topic: (topic.kind, topic.name_en))

    with translation.override("de"):
        needs = client.get(reverse("exchange:index"), HTTP_ACCEPT_LANGUAGE="de")
        offers = client.get(
            reverse("exchange:index"), {"show": "offers"}, HTTP_ACCEPT_LANGUAGE="de"
        )
    card = re.search(
        r'<li class="card">.*?Gesuch mit Themen.*?</li>\s*</ul>', needs.content.decode(), re.S
    )
    assert card is not None
    text = card.group(0)
    tags = re.findall(r'<li class="tag">([^<]*)</li>', text)
    with translation.override("de"):
        meta = f"{network.collective_a.name} · Leipzig, DE · {gettext('remote is fine')}"
        assert f'<p class="meta">{meta}</p>' in text
        assert tags == [
            gettext("project cooperation"),
            gettext("workshop"),
            first.name_de,
            second.name_de,
        ]
    assert 'href="/exchange/needs/' in text
    offer_card = offers.content.decode()
    assert network.supporter.name in offer_card
    assert pricing.name_de in offer_card


def test_it_leaves_closed_and_expired_items_out_of_the_list(network, client):
    make_need(network.collective_a, "Laufendes Gesuch", "Noch offen.")
    closed = make_need(network.collective_a, "Erledigtes Gesuch", "Schon erledigt.")
    actions.do_set_item_state(item=closed, state="closed", outcome="fulfilled")
    make_need(
        network.collective_a,
        "Abgelaufenes Gesuch",
        "Zu alt.",
        expires_on=timezone.localdate() - timedelta(days=1),
    )

    listing = client.get(reverse("exchange:index")).content.decode()
    assert "Laufendes Gesuch" in listing
    assert "Erledigtes Gesuch" not in listing
    assert "Abgelaufenes Gesuch" not in listing


# --- editing -------------------------------------------------------------------------------


def test_it_lets_any_member_of_the_owning_collective_edit_a_need(network):
    network.client_for(network.alice).post(
        reverse("exchange:need_create", args=["quellcode"]), need_data()
    )
    need = Need.objects.get()
    url = reverse("exchange:need_edit", args=[need.ref])
    alina = network.client_for(network.alice2)

    assert alina.get(url).status_code == 200
    response = alina.post(url, need_data(title="Preise und Akquise"))

    assert response["Location"] == need.get_absolute_url()
    need.refresh_from_db()
    assert need.title == "Preise und Akquise"
    assert need.created_by == network.alice


def test_it_refuses_need_edits_from_everyone_else(network, client):
    need = make_need(network.collective_a, "Unverändert", "Bleibt so.", topics=["pricing"])
    url = reverse("exchange:need_edit", args=[need.ref])

    for user in (network.bob, network.sam, network.stella, network.outsider):
        viewer = network.client_for(user)
        assert viewer.get(url).status_code == 403
        assert viewer.post(url, need_data(title="Übernommen")).status_code == 403
    assert is_login_redirect(client.post(url, need_data(title="Übernommen")))
    need.refresh_from_db()
    assert need.title == "Unverändert"


def test_it_lets_only_the_supporter_edit_their_offers(network, client):
    offer = make_offer(network.supporter, "Sams Angebot", "Preise kalkulieren.")
    url = reverse("exchange:offer_edit", args=[offer.ref])

    for user in (network.alice, network.bob, network.stella, network.outsider):
        viewer = network.client_for(user)
        assert viewer.get(url).status_code == 403
        assert viewer.post(url, need_data(title="Übernommen")).status_code == 403
        state_url = reverse("exchange:offer_state", args=[offer.ref])
        assert viewer.post(state_url, {"state": "in-progress"}).status_code == 403
    assert is_login_redirect(client.post(url, need_data(title="Übernommen")))
    offer.refresh_from_db()
    assert (offer.title, offer.state) == ("Sams Angebot", ItemState.OPEN)

    response = network.client_for(network.sam).post(url, need_data(title="Sams neues Angebot"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Sams neues Angebot"


def test_it_lets_any_member_edit_a_collective_offer(network):
    offer = make_offer(network.collective_a, "Django-Mentoring", "Wir zeigen Django.")
    url = reverse("exchange:offer_edit", args=[offer.ref])

    assert network.client_for(network.bob).post(url, need_data(title="X")).status_code == 403
    response = network.client_for(network.alice2).post(url, need_data(title="Django lernen"))

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Django lernen"


# --- states -------------------------------------------------------------------------------


def test_it_moves_a_need_from_open_to_in_progress_to_closed_with_an_outcome(network):
    need = make_need(network.collective_a, "Ein Gesuch", "Text.")
    url = reverse("exchange:need_state", args=[need.ref])
    alice = network.client_for(network.alice)

    alice.post(url, {"state": "in-progress"})
    need.refresh_from_db()
    assert need.state == ItemState.IN_PROGRESS

    response = alice.post(url, {"state": "closed", "outcome": "fulfilled"})
    assert messages_of(response)[-1] == "The state is now “closed”."
    need.refresh_from_db()
    assert (need.state, need.outcome) == (ItemState.CLOSED, "fulfilled")
    assert need.closed_at is not None

    alice.post(url, {"state": "open"})
    need.refresh_from_db()
    assert (need.state, need.outcome, need.closed_at) == (ItemState.OPEN, "", None)


def test_it_refuses_to_close_without_an_outcome_and_changes_nothing(network):
    need = make_need(network.collective_a, "Ein Gesuch", "Text.")
    actions.do_set_item_state(item=need, state="in-progress")
    need.refresh_from_db()
    before = (need.state, need.outcome, need.closed_at, need.updated_at)
    url = reverse("exchange:need_state", args=[need.ref])

    for data in ({"state": "closed"}, {"state": "closed", "outcome": "whatever"}):
        response = network.client_for(network.alice).post(url, data)
        assert response["Location"] == need.get_absolute_url()
        assert messages_of(response) == ["Say how it ended when you close it."]
        need.refresh_from_db()
        assert (need.state, need.outcome, need.closed_at, need.updated_at) == before


def test_it_shows_the_refusal_on_the_need_page(network):
    need = make_need(
        network.collective_a, "Preise", "Wie kalkulieren wir Preise?", topics=["pricing"]
    )
    response = network.client_for(network.alice).post(
        reverse("exchange:need_state", args=[need.ref]), {"state": "closed"}, follow=True
    )
    assert "Say how it ended when you close it." in response.content.decode()


def test_it_refuses_an_unknown_state(network):
    offer = make_offer(network.supporter, "Angebot", "Text.")
    response = network.client_for(network.sam).post(
        reverse("exchange:offer_state", args=[offer.ref]), {"state": "paused"}
    )
    assert messages_of(response) == ["Unknown state."]
    offer.refresh_from_db()
    assert offer.state == ItemState.OPEN


def test_it_refuses_state_changes_from_other_collectives(network):
    need = make_need(network.collective_a, "Ein Gesuch", "Text.")
    response = network.client_for(network.bob).post(
        reverse("exchange:need_state", args=[need.ref]), {"state": "closed", "outcome": "dropped"}
    )
    assert response.status_code == 403
    need.refresh_from_db()
    assert need.state == ItemState.OPEN


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind_choices": []}, "kind_choices", "This field is required."),
        (
            {"starts_on": "2030-05-01", "ends_on": "2030-04-01"},
            "ends_on",
            "The end lies before the start.",
        ),
        ({"topics": [987654]}, "topics", "Select a valid choice."),
        ({"title": ""}, "title", "This field is required."),
        ({"effort_hours": "0"}, "effort_hours", "greater than or equal to 1"),
    ],
)
def test_it_shows_form_errors_for_bad_input_and_writes_nothing(network, overrides, field, message):
    alice = network.client_for(network.alice)
    response = alice.post(
        reverse("exchange:need_create", args=["quellcode"]),
        need_data(**overrides),
        headers={"accept-language": "en"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Need.objects.exists()


def test_it_writes_nothing_when_an_edit_is_invalid(network):
    need = make_need(network.collective_a, "Ein Gesuch", "Text.", topics=["pricing"])
    response = network.client_for(network.alice).post(
        reverse("exchange:need_edit", args=[need.ref]),
        need_data(title="Geändert", starts_on="2030-05-01", ends_on="2030-04-01"),
    )
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.title == "Ein Gesuch"
    assert need.starts_on is None


# --- expiry and renewal --------------------------------------------------------------------


def expired_need(network: Any, title: str = "Altes Gesuch") -> Need:
    return make_need(
        network.collective_a,
        title,
        "Zu lange her.",
        expires_on=timezone.localdate() - timedelta(days=1),
    )


def test_it_emails_the_owners_of_expired_items_once_with_a_renewal_link(network, smtp_server):
    network.alice.language = "en"
    network.alice.save()
    need = expired_need(network)
    offer = make_offer(
        network.supporter,
        "Altes Angebot",
        "Zu lange her.",
        expires_on=timezone.localdate() - timedelta(days=3),
    )
    make_need(network.collective_b, "Frisches Gesuch", "Läuft noch.")

    assert actions.do_notify_expired_items() == 3
    deliver_mail()

    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "alice@example.org",
        "alina@example.org",
        "sam@example.org",
    ]
    alice_mail = smtp_server.to("alice@example.org")[0]
    assert str(alice_mail["Subject"]) == "[klinke] “Altes Gesuch” has expired"
    # Alina reads German (the default).
    alina_mail = smtp_server.to("alina@example.org")[0]
    with translation.override("de"):
        german = gettext("“%(title)s” has expired") % {"title": "Altes Gesuch"}
    assert str(alina_mail["Subject"]) == f"[klinke] {german}"
    renew_links = [u for u in links_in(text_body(alice_mail)) if "/exchange/renew/" in u]
    assert len(renew_links) == 1
    html = alice_mail.get_body(preferencelist=("html",)).get_content()
    assert renew_links[0] in html
    assert "Altes Angebot" in str(smtp_server.to("sam@example.org")[0]["Subject"])
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.expiry_notified_at is not None
    assert offer.expiry_notified_at is not None

    # A second run finds nothing new to say.
    assert actions.do_notify_expired_items() == 0
    deliver_mail()
    assert len(smtp_server.messages) == 3


def test_it_renews_an_item_from_the_link_in_the_email(network, smtp_server, client):
    need = expired_need(network)
    actions.do_notify_expired_items()
    deliver_mail()
    mail = smtp_server.to("alice@example.org")[0]
    link = next(u for u in links_in(text_body(mail)) if "/exchange/renew/" in u)

    # Opening the link (as a mail scanner would) changes nothing; its one button renews.
    response = client.get(path_of(link))
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.is_expired
    response = client.post(path_of(link))

    assert response.status_code == 200
    assert "Renewed" in response.content.decode()
    need.refresh_from_db()
    assert need.expires_on == timezone.localdate() + timedelta(days=ITEM_LIFETIME_DAYS)
    assert need.expiry_notified_at is None
    assert not need.is_expired


def test_it_refuses_a_forged_renewal_link_and_changes_nothing(network, client):
    need = expired_need(network)
    actions.do_notify_expired_items()
    need.refresh_from_db()
    before = (need.expires_on, need.expiry_notified_at)
    token = actions.renew_token(need)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "need-" + need.ref,
        token.replace(":", ":x", 1),
    ]

    for bad in forged:
        response = client.get(reverse("exchange:renew", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    need.refresh_from_db()
    assert (need.expires_on, need.expiry_notified_at) == before


def test_it_does_not_send_expiry_mail_to_someone_who_turned_it_off(network, smtp_server, client):
    expired_need(network, "Erstes altes Gesuch")
    actions.do_notify_expired_items()
    deliver_mail()
    first = smtp_server.to("alice@example.org")[0]
    off_link = off_link_in(first)
    assert str(first["List-Unsubscribe"]).strip() == f"<{off_link}>"

    page = client.get(path_of(off_link))
    assert page.status_code == 200
    assert "Turn them off" in page.content.decode()
    assert not NotificationMute.objects.exists()  # a GET alone changes nothing
    client.post(path_of(off_link))
    assert NotificationMute.objects.filter(user=network.alice, kind="expiry").exists()

    smtp_server.messages.clear()
    expired_need(network, "Zweites altes Gesuch")
    assert actions.do_notify_expired_items() == 1
    deliver_mail()
    assert [str(m["To"]) for m in smtp_server.messages] == ["alina@example.org"]


def test_it_stops_suggesting_the_needs_and_offers_of_an_archived_collective(network):
    from klinke.exchange.models import Need, Offer
    from klinke.exchange.tests.factories import make_need, make_offer

    need = make_need(network.collective_b, "Hosting help", "Backups.", topics=["hosting"])
    offer = make_offer(network.collective_b, "Hosting for you", "Backups.", topics=["hosting"])
    supporter_offer = make_offer(network.supporter, "Pricing", "Rates.", topics=["pricing"])
    assert set(Need.objects.current()) == {need}
    assert set(Offer.objects.current()) == {offer, supporter_offer}

    network.collective_b.archived_at = timezone.now()
    network.collective_b.save()

    assert not Need.objects.current().exists()
    assert list(Offer.objects.current()) == [supporter_offer]


def test_it_checks_item_fields_in_the_action_for_every_caller(network):
    """The page's form and the API both call the action, which keeps the rules itself."""
    fields = actions.ItemFields(
        title="Gesuch",
        description="Text.",
        kinds=["coffee"],
        languages=["xx"],
        starts_on=timezone.localdate() + timedelta(days=9),
        ends_on=timezone.localdate() + timedelta(days=2),
        effort_hours=0,
    )

    with pytest.raises(ValidationError) as refused:
        actions.do_post_need(collective=network.collective_a, user=network.alice, fields=fields)

    assert set(refused.value.message_dict) == {"kinds", "languages", "ends_on", "effort_hours"}
    assert not Need.objects.exists()


def test_it_posts_and_updates_an_item_from_plain_values(network):
    pricing = Topic.objects.get(slug="pricing")
    fields = actions.ItemFields(
        title="Gesuch", description="Text.", kinds=["workshop"], topics=[pricing], country="de"
    )

    need = actions.do_post_need(collective=network.collective_a, user=network.alice, fields=fields)
    actions.do_update_item(item=need, fields=dataclasses.replace(fields, title="Neu", topics=[]))

    need.refresh_from_db()
    assert (need.title, need.country, need.kind_codes) == ("Neu", "DE", ["workshop"])
    assert not need.topics.exists()
    assert need.expires_on == timezone.localdate() + timedelta(days=ITEM_LIFETIME_DAYS)
