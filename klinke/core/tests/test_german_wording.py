"""German pages speak German, in one wording: labels start with a capital letter ("Deine
Frage"), the labels imports give phone numbers are translated, a link to a translation is in
the page's language, and "as entered" has one German wording."""

from __future__ import annotations

import re

import polib  # type: ignore[import-untyped]
import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from klinke.contacts.models import ContactPhone
from klinke.contacts.tests.conftest import make_contact
from klinke.core.tests.test_date_inputs import fields_of, project_form_classes
from klinke.knowledge.tests.conftest import write_article

CATALOGUE = settings.BASE_DIR / "klinke" / "locale" / "de" / "LC_MESSAGES" / "django.po"


def _labels(language: str) -> list[tuple[str, str]]:
    """(where, rendered label text) of every visible field of every form of klinke."""
    found = []
    with translation.override(language):
        for form_class in project_form_classes():
            fields = {
                name: field
                for name, field in fields_of(form_class).items()
                if not field.widget.is_hidden and field.label
            }
            bare = type("Bare", (forms.Form,), dict(fields))()
            for name in fields:
                tag = str(bare[name].label_tag())
                text = re.sub(r"<[^>]+>", "", tag).strip()
                found.append((f"{form_class.__qualname__}.{name}", text))
    return found


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_starts_every_form_label_with_a_capital_letter(language):
    small = [(where, text) for where, text in _labels(language) if text[:1].islower()]
    assert small == []


def test_it_capitalises_your_question_and_your_answer_in_german():
    labels = dict(_labels("de"))
    assert labels["QuestionForm.title"].startswith("Deine Frage")
    assert labels["AnswerForm.body"].startswith("Deine Antwort")


def test_it_has_one_german_wording_for_as_entered():
    """What people typed, kept as it was, reads "wie eingegeben" (in English "as entered");
    "as written" is what a tender notice says, another thing."""
    catalogue = polib.pofile(str(CATALOGUE))
    kept = [entry for entry in catalogue if re.search(r"\bas (entered|typed)\b", entry.msgid)]
    assert kept, "the phone number's wording is gone"
    assert all("wie eingegeben" in entry.msgstr for entry in kept), [e.msgstr for e in kept]
    written = [entry.msgid for entry in catalogue if re.search(r"\bas written\b", entry.msgid)]
    assert all("notice" in msgid or "Deadline" in msgid for msgid in written), written


@pytest.mark.django_db
def test_it_shows_imported_phone_labels_in_german(network):
    contact = make_contact(network.collective_a, "Mira Muster", phones=["+49 30 1234567"])
    ContactPhone.objects.filter(contact=contact).update(label="work, fax")
    ContactPhone.objects.create(contact=contact, raw="+49 170 1234567", label="mobile")
    ContactPhone.objects.create(contact=contact, raw="+49 30 7654321", label="Büro Nord")
    client = network.client_for(network.alice)
    html = client.get(contact.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "(Arbeit, Fax)" in html and "(Mobil)" in html and "(Büro Nord)" in html
    assert "(mobile)" not in html and "(work, fax)" not in html
    english = client.get(contact.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(work, fax)" in english and "(mobile)" in english


@pytest.mark.django_db
def test_it_links_a_translation_in_the_pages_language(network):
    english = write_article(network.alice, title="Pricing")
    german = write_article(
        network.bob, title="Preise", language="de", translation_of=english, body="Text."
    )
    client = network.client_for(None)
    html = client.get(german.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'Auch auf Englisch: <span lang="en">Pricing</span>' in html
    assert "Also in English" not in html


@pytest.mark.django_db
def test_it_offers_people_without_a_supporter_profile_to_become_a_supporter(network):
    html = network.client_for(network.alice).get(reverse("home")).content.decode()
    menu = html[html.index('class="user-menu menu"') :]
    assert "Become a supporter" in menu
    assert "My supporter profile" not in html
    german = network.client_for(network.outsider).get(
        reverse("collectives:create"), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert "Unterstützer*in werden" in german.content.decode()
    assert "Mein Unterstützer*innen-Profil" not in german.content.decode()


@pytest.mark.django_db
def test_it_shows_supporters_their_profile_in_the_menu(network):
    html = network.client_for(network.sam).get(reverse("home")).content.decode()
    menu = html[html.index('class="user-menu menu"') :]
    assert "My supporter profile" in menu
    assert "Become a supporter" not in menu
    assert reverse("supporters:edit_own") in menu


@pytest.mark.django_db
def test_it_shows_no_user_menu_to_visitors(network):
    html = network.client_for(None).get(reverse("directory:index")).content.decode()
    assert "Become a supporter" not in html and "My supporter profile" not in html


@pytest.mark.django_db
def test_it_changes_the_menu_once_a_supporter_profile_is_saved(network):
    client = network.client_for(network.alice)
    response = client.post(
        reverse("supporters:edit_own"),
        {"name": "Alice", "slug": "alice-hilft", "kind": "person", "visibility": "public"},
    )
    assert response.status_code == 302, response.context["form"].errors
    html = client.get(reverse("home")).content.decode()
    assert "My supporter profile" in html[html.index('class="user-menu menu"') :]
