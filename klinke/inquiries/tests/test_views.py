"""The public door (form, traps, hostile input), the client's page, the collective's side and
the stewards' totals, through the pages."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from klinke.inquiries import actions
from klinke.inquiries.forms import time_stamp
from klinke.inquiries.models import Answer, Inquiry, InquiryOffer, InquirySettings, State
from klinke.inquiries.tests.conftest import PORTAL, Web, routed, submitted
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db

START = "/inquiries/"
HOSTILE = "<script>alert(1)</script>{{ settings.SECRET_KEY }}{% debug %}"


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": PORTAL,
        "topics": [Topic.objects.get(slug="web-development").pk],
        "organisation_type": "non-profit",
        "budget": "unknown",
        "time_frame": "quarter",
        "region": "DE",
        "remote": "on",
        "language": "de",
        "contact_name": "Tina Mieterin",
        "contact_email": "tina@mieterverein.example",
        "contact_phone": "",
        "consent": "on",
        "homepage": "",
        "started": time_stamp(time.time() - 60),
    }
    data.update(overrides)
    return data


def test_it_shows_the_form_in_both_languages(web: Web, client: Client) -> None:
    for language, words in (("de", "Projekt anfragen"), ("en", "Start a project")):
        response = client.get(START, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert words in response.content.decode()
    assert 'name="homepage"' in client.get(START).content.decode()


def test_it_sends_an_inquiry_without_javascript_and_mails_the_link(
    web: Web, client: Client
) -> None:
    response = client.post(START, form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("inquiries:sent")
    inquiry = Inquiry.objects.get()
    assert inquiry.state == State.UNCONFIRMED
    assert inquiry.remote and inquiry.region == "DE"
    assert "/inquiries/status/" in mail.outbox[0].body


def test_it_pretends_success_to_a_robot_that_fills_the_honeypot(web: Web, client: Client) -> None:
    response = client.post(START, form_data(homepage="http://spam.example"))
    assert response.status_code == 302
    assert not Inquiry.objects.exists()
    assert not mail.outbox


def test_it_refuses_a_form_sent_back_too_fast_or_forged(web: Web, client: Client) -> None:
    for started in (time_stamp(), "123:forged", ""):
        response = client.post(START, form_data(started=started))
        assert response.status_code == 200
        assert "started" in response.context["form"].errors
    assert not Inquiry.objects.exists()


def test_it_refuses_a_replayed_form_past_the_limits(web: Web, client: Client) -> None:
    data = form_data()
    for _i in range(actions.LIMIT_PER_EMAIL):
        assert client.post(START, data).status_code == 302
    response = client.post(START, data)
    assert response.status_code == 200
    assert "Too many" in response.content.decode() or "Zu viele" in response.content.decode()
    assert Inquiry.objects.count() == actions.LIMIT_PER_EMAIL


def test_it_refuses_header_injection_in_name_and_email(web: Web, client: Client) -> None:
    response = client.post(
        START, form_data(contact_email="tina@example.org\nBcc: victim@example.org")
    )
    assert response.status_code == 200
    assert "contact_email" in response.context["form"].errors
    response = client.post(START, form_data(contact_name="Tina\r\nBcc: victim@example.org"))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert "\n" not in inquiry.contact_name and "\r" not in inquiry.contact_name
    (message,) = mail.outbox
    assert message.to == ["tina@mieterverein.example"]
    assert "victim" not in str(message.message()["To"])
    assert not message.bcc


def test_it_stores_hostile_text_as_data_and_shows_it_escaped(web: Web, client: Client) -> None:
    long_text = "x" * 6000
    response = client.post(START, form_data(description=long_text))
    assert "description" in response.context["form"].errors
    response = client.post(
        START,
        form_data(
            description=HOSTILE + "\x07\x1b[31m ok\u202e",
            contact_name=HOSTILE[:100],
            contact_email="tina@mieterverein.example",
        ),
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.description.startswith("<script>alert(1)</script>{{ settings.SECRET_KEY }}")
    assert "\x07" not in inquiry.description and "\x1b" not in inquiry.description
    assert "\u202e" not in inquiry.description
    body = mail.outbox[0].body
    assert "{{" not in body.replace("{{ settings", "")  # the template was not run twice
    html = mail.outbox[0].alternatives[0][0]  # type: ignore[index]
    assert "<script>" not in str(html)
    token = body.split("/inquiries/status/")[1].split("/")[0]
    page = client.get(f"/inquiries/status/{token}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ settings.SECRET_KEY }}" in page


def test_it_refuses_a_nul_anywhere(web: Web, client: Client) -> None:
    response = client.post(START, form_data(region="D\x00E", contact_name="T\x00"))
    assert response.status_code == 200
    assert not Inquiry.objects.exists()


def test_it_sends_an_inquiry_for_one_collective_from_its_profile(web: Web, client: Client) -> None:
    page = client.get(web.collective_d.get_absolute_url()).content.decode()
    assert "/inquiries/?collective=portalbau" in page
    form = client.get(START + "?collective=portalbau")
    assert "Portalbau eG" in form.content.decode()
    client.post(START, form_data(collective="portalbau"))
    assert Inquiry.objects.get().collective == web.collective_d


def test_it_links_the_public_door_from_the_front_page(web: Web, client: Client) -> None:
    assert 'href="/inquiries/"' in client.get("/").content.decode()


def test_it_confirms_and_shows_the_status_privately(web: Web, client: Client) -> None:
    inquiry, raw = submitted()
    url = f"/inquiries/status/{raw}/"
    page = client.get(url)
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    client.post(url, {"action": "confirm"})
    inquiry.refresh_from_db()
    assert inquiry.state == State.OPEN
    assert client.get("/inquiries/status/inq_wrong/").status_code == 404


def test_it_lets_the_client_choose_among_the_interested(web: Web, client: Client) -> None:
    inquiry, raw = routed()
    offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    actions.do_answer_offer(
        offer=offers["quellcode"], user=web.network.alice, interested=True, note="<b>Gern</b>"
    )
    actions.do_answer_offer(offer=offers["webwerk"], user=web.carol, interested=True)
    actions.do_answer_offer(offer=offers["portalbau"], user=web.dave, interested=False)
    page = client.get(f"/inquiries/status/{raw}/").content.decode()
    assert "&lt;b&gt;Gern&lt;/b&gt;" in page
    assert "Portalbau" not in page  # who declined is not shown
    client.post(f"/inquiries/status/{raw}/", {"action": "choose", "offer": offers["quellcode"].pk})
    inquiry.refresh_from_db()
    assert inquiry.state == State.HANDED_OVER


def test_it_revokes_the_link_from_the_status_page(web: Web, client: Client) -> None:
    _inquiry, raw = submitted()
    client.post(f"/inquiries/status/{raw}/", {"action": "renew"})
    assert client.get(f"/inquiries/status/{raw}/").status_code == 404


def test_it_renders_the_published_rule(web: Web, client: Client) -> None:
    page = client.get("/inquiries/how-they-are-shared/", HTTP_ACCEPT_LANGUAGE="de")
    assert "Wie Anfragen verteilt werden" in page.content.decode()
    assert "15" in page.content.decode()
    # The page states the deficit counter the code uses, with the window's length.
    english = client.get("/inquiries/how-they-are-shared/", HTTP_ACCEPT_LANGUAGE="en")
    text = " ".join(english.content.decode().split())
    assert "those within 15 % of the best score of everyone asked are in the running" in text
    assert "in the running earns a share of your inquiry in proportion to its capacity" in text
    assert "over the last 90 days, this share included, minus the inquiries it received" in text
    assert "earns nothing and costs nothing" in text


# --- the collective's side -------------------------------------------------------------------


def test_it_lists_a_collectives_inquiries_to_members_only(web: Web) -> None:
    inquiry, _raw = routed()
    url = "/collectives/webwerk/inquiries/"
    members = web.network.client_for(web.carol)
    page = members.get(url)
    assert page.status_code == 200
    assert "Mitgliederportal" in page.content.decode()
    assert "tina@mieterverein.example" not in page.content.decode()
    assert web.network.client_for(web.network.bob).get(url).status_code == 404
    assert web.network.client_for(web.network.alice).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    other = InquiryOffer.objects.get(inquiry=inquiry, collective=web.network.collective_a)
    assert members.get(f"{url}{other.pk}/").status_code == 404
    assert members.post(f"{url}{other.pk}/", {"action": "answer"}).status_code == 404


def test_it_pins_the_queries_of_the_list(web: Web, django_assert_max_num_queries: Any) -> None:
    for i in range(4):
        routed(address=f"192.0.2.{10 + i}", contact_email=f"c{i}@example.org")
    members = web.network.client_for(web.carol)
    members.get("/collectives/webwerk/inquiries/")
    with django_assert_max_num_queries(14):
        members.get("/collectives/webwerk/inquiries/")


def test_it_takes_an_answer_with_a_note(web: Web) -> None:
    inquiry, _raw = routed()
    offer = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_c)
    url = f"/collectives/webwerk/inquiries/{offer.pk}/"
    members = web.network.client_for(web.carol)
    assert "Mitgliederportal" in members.get(url).content.decode()
    response = members.post(url, {"action": "answer", "answer": "interested", "note": "Gern"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.answer, offer.note, offer.answered_by) == (Answer.INTERESTED, "Gern", web.carol)
    response = members.post(url, {"action": "answer", "answer": "maybe"})
    assert response.status_code == 200


def test_it_opens_a_decision_from_an_inquiry(web: Web) -> None:
    inquiry, _raw = routed()
    offer = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_c)
    members = web.network.client_for(web.carol)
    response = members.post(f"/collectives/webwerk/inquiries/{offer.pk}/", {"action": "discuss"})
    assert response.status_code == 302
    assert "/workbench/decisions/" in response["Location"]


def test_it_saves_the_inquiry_settings(web: Web) -> None:
    members = web.network.client_for(web.carol)
    url = "/collectives/webwerk/inquiries/settings/"
    assert members.get(url).status_code == 200
    assert members.post(url, {"capacity": "5", "paused": "on"}).status_code == 302
    assert InquirySettings.objects.get(collective=web.collective_c).capacity == 5
    assert members.post(url, {"capacity": "-1"}).status_code == 200
    assert web.network.client_for(web.network.bob).post(url, {"capacity": "1"}).status_code == 404


def test_it_shows_stewards_totals_and_unmet_demand_without_clients(web: Web) -> None:
    routed()
    routed(topics=[], description="Brötchen backen", contact_email="baker@example.org")
    url = "/inquiries/unmet/"
    page = web.network.client_for(web.network.stella).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Webwerk Kollektiv" in text
    assert "tina@mieterverein.example" not in text and "Tina" not in text
    assert "baker@example.org" not in text and "Brötchen" not in text
    assert web.network.client_for(web.carol).get(url).status_code == 404
