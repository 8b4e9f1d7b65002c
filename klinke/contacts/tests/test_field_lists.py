"""The contact and organisation forms take their fields from the actions' value types, so a
field added to one is written by the other."""

from __future__ import annotations

from typing import Any

import pytest

from klinke.contacts.actions import (
    CONTACT_PLAIN_FIELDS,
    ORGANISATION_PLAIN_FIELDS,
    ContactValues,
    OrganisationValues,
    do_write_contact,
    do_write_organisation,
)
from klinke.contacts.forms import ContactForm, OrganisationForm
from klinke.contacts.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def test_it_the_contact_form_gives_every_value_the_action_takes(network: Any) -> None:
    organisation = Organisation.objects.create(collective=network.collective_a, name="Werk 2")
    form = ContactForm(
        {
            "given_name": "Anna",
            "family_name": "Müller",
            "organisation": organisation.pk,
            "tags": "board, culture",
            "source": "manual",
            "consent": "agreed",
        },
        collective=network.collective_a,
    )
    assert form.is_valid(), form.errors

    values = form.contact_values()

    assert set(values) == set(ContactValues.__annotations__)
    assert values["organisation_id"] == organisation.pk
    assert values["tags"] == ["board", "culture"]


def test_it_the_organisation_form_gives_every_value_the_action_takes(network: Any) -> None:
    form = OrganisationForm({"name": "Werk 2", "country": "DE", "tags": "culture"})
    assert form.is_valid(), form.errors

    values = form.organisation_values()

    assert set(values) == set(OrganisationValues.__annotations__)
    assert values["tags"] == ["culture"]


def test_it_every_plain_value_is_a_model_field() -> None:
    contact_fields = {f.name for f in Contact._meta.get_fields()}
    organisation_fields = {f.name for f in Organisation._meta.get_fields()}

    assert set(CONTACT_PLAIN_FIELDS) <= contact_fields
    assert set(ORGANISATION_PLAIN_FIELDS) <= organisation_fields
    assert "source" in CONTACT_PLAIN_FIELDS


def test_it_writes_a_contact_and_organisation_from_plain_values(network: Any) -> None:
    organisation = do_write_organisation(
        collective=network.collective_a,
        user=network.alice,
        organisation=None,
        values=OrganisationValues(name="Werk 2", city="Leipzig", tags=["culture"]),
    )
    contact = do_write_contact(
        collective=network.collective_a,
        user=network.alice,
        contact=None,
        values=ContactValues(
            given_name="Anna", organisation_id=organisation.pk, source="event", tags=["board"]
        ),
    )

    contact.refresh_from_db()
    assert (contact.given_name, contact.source, contact.tag_list) == ("Anna", "event", ["board"])
    assert contact.organisation == organisation
    assert (organisation.city, organisation.tag_list) == ("Leipzig", ["culture"])
