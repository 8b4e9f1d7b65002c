"""JSON API of a collective's address book, for its members only.

Mounted at /api/v1/workbench. Every endpoint needs a login (401 otherwise) and answers 404
for a collective the caller is not a member of, exactly as for one that does not exist,
before the body is read (`klinke.collectives.access.collective_member`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from klinke.accounts import request_user
from klinke.collectives.access import collective_member, request_collective
from klinke.collectives.models import Collective
from klinke.contacts import actions, limits
from klinke.contacts.actions import ContactValues, OrganisationValues
from klinke.contacts.models import (
    Consent,
    Contact,
    ContactQuerySet,
    Organisation,
    OrganisationQuerySet,
    Source,
)
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, answers
from klinke.matching.analysis import query_terms
from klinke.supporters.models import Sector

router = Router(tags=["contacts"], auth=collective_member)


class EmailOut(Schema):
    email: str
    label: str


class PhoneOut(Schema):
    number: str
    """E.164 when it could be parsed, otherwise as entered."""
    raw: str
    e164: str | None
    label: str


class OrganisationRef(Schema):
    id: int
    name: str


class ContactOut(Schema):
    id: int
    full_name: str
    given_name: str
    family_name: str
    organisation: OrganisationRef | None
    role: str
    emails: list[EmailOut]
    phones: list[PhoneOut]
    notes: str
    tags: list[str]
    source: str
    source_detail: str
    source_at: datetime
    introduction: int | None
    consent: str
    consent_on: date | None
    consent_note: str
    contact_preferences: str
    last_contacted_on: date | None
    is_demo: bool
    created_at: datetime
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_full_name(obj: Contact) -> str:
        return obj.display_name

    @staticmethod
    def resolve_organisation(obj: Contact) -> OrganisationRef | None:
        if obj.organisation is None:
            return None
        return OrganisationRef(id=obj.organisation.pk, name=obj.organisation.name)

    @staticmethod
    def resolve_emails(obj: Contact) -> list[EmailOut]:
        return [EmailOut(email=e.email, label=e.label) for e in obj.emails.all()]

    @staticmethod
    def resolve_phones(obj: Contact) -> list[PhoneOut]:
        return [
            PhoneOut(number=p.number, raw=p.raw, e164=p.e164 or None, label=p.label)
            for p in obj.phones.all()
        ]

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return obj.tag_list

    @staticmethod
    def resolve_introduction(obj: Contact) -> int | None:
        return obj.introduction_id

    @staticmethod
    def resolve_url(obj: Contact) -> str:
        return obj.get_absolute_url()


class EmailIn(InputSchema):
    email: str
    label: str = Field("", max_length=40)


class PhoneIn(InputSchema):
    number: str = Field(max_length=60)
    label: str = Field("", max_length=40)


class ContactIn(InputSchema):
    given_name: str = Field("", max_length=120)
    family_name: str = Field("", max_length=120)
    full_name: str = Field("", max_length=250)
    organisation: int | None = None
    role: str = Field("", max_length=200)
    emails: list[EmailIn] = Field(default_factory=list, max_length=limits.MAX_EMAILS)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=limits.MAX_PHONES)
    notes: str = Field("", max_length=10000)
    tags: list[str] = Field(default_factory=list, max_length=limits.MAX_TAGS)
    source: str = Source.MANUAL
    source_detail: str = Field("", max_length=255)
    consent: str = ""
    consent_on: date | None = None
    consent_note: str = Field("", max_length=500)
    contact_preferences: str = Field("", max_length=2000)
    last_contacted_on: date | None = None


class ContactPatch(ContactIn):
    """Like ContactIn; only the fields sent are changed."""


class OrganisationOut(Schema):
    id: int
    name: str
    website: str
    sector: str
    city: str
    country: str
    notes: str
    tags: list[str]
    is_demo: bool
    contact_count: int
    created_at: datetime
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_tags(obj: Organisation) -> list[str]:
        return obj.tag_list

    @staticmethod
    def resolve_contact_count(obj: Organisation) -> int:
        return int(getattr(obj, "contact_count", 0) or obj.contacts.count())

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return obj.get_absolute_url()


class OrganisationIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    website: str = Field("", max_length=200)
    sector: str = ""
    city: str = Field("", max_length=120)
    country: str = Field("", max_length=2)
    notes: str = Field("", max_length=10000)
    tags: list[str] = Field(default_factory=list, max_length=limits.MAX_TAGS)


class OrganisationPatch(OrganisationIn):
    name: str = Field("", max_length=200)


def _contacts(collective: Collective) -> ContactQuerySet:
    return Contact.objects.for_collective(collective).with_details()


def _organisations(collective: Collective) -> OrganisationQuerySet:
    from django.db.models import Count

    return (
        Organisation.objects.for_collective(collective)
        .select_related("collective")
        .annotate(contact_count=Count("contacts"))
        .order_by("name", "pk")
    )


Pairs = list[tuple[str, str]]


def _contact_values(
    payload: ContactIn, *, partial: bool
) -> tuple[ContactValues, Pairs | None, Pairs | None]:
    """The payload's fields, checked, under ContactValues' keys; its emails and phones."""
    data = payload.dict(exclude_unset=partial)
    if "consent" in data and data["consent"] not in Consent.values:
        raise HttpError(422, f"consent: choose one of {sorted(Consent.values)}")
    if "source" in data and data["source"] not in (Source.MANUAL, Source.EVENT):
        raise HttpError(422, "source: the API sets 'manual' or 'event'")
    if "organisation" in data:
        data["organisation_id"] = data.pop("organisation")
    for item in data.get("emails", []):
        try:
            validate_email(item["email"].strip())
        except ValidationError as exc:
            raise HttpError(422, f"emails: {item['email']!r} is not an email address") from exc
    if not partial and not (data["given_name"] or data["family_name"] or data["full_name"]):
        raise HttpError(422, "full_name: give at least a name")
    emails, phones = data.pop("emails", None), data.pop("phones", None)
    return cast(ContactValues, data), _pairs(emails, "email"), _pairs(phones, "number")


def _pairs(items: Sequence[Mapping[str, object]] | None, key: str) -> Pairs | None:
    if items is None:
        return None
    return [(str(item[key]), str(item.get("label", ""))) for item in items]


def _write_contact(
    request: HttpRequest, slug: str, contact: Contact | None, payload: ContactIn, partial: bool
) -> Contact:
    collective = request_collective(request)
    values, emails, phones = _contact_values(payload, partial=partial)
    try:
        written = actions.do_write_contact(
            collective=collective,
            user=request_user(request),
            contact=contact,
            values=values,
            emails=emails,
            phones=phones,
        )
    except actions.ContactsError as exc:
        raise HttpError(422, str(exc)) from exc
    return get_object_or_404(_contacts(collective), pk=written.pk)


@router.get("/{collective}/contacts", response=answers(list[ContactOut], 401, 404, 422))
@paginate(Pagination)
def list_contacts(
    request: HttpRequest, collective: str, q: str = "", tag: str = "", organisation: int = 0
) -> QuerySet[Contact]:
    contacts = _contacts(request_collective(request))
    if q:
        contacts = contacts.matching_terms(query_terms(q))
    if tag:
        contacts = contacts.tagged(tag)
    if organisation:
        contacts = contacts.at_organisation(organisation)
    return contacts


@router.post("/{collective}/contacts", response=answers(ContactOut, 401, 403, 404, 422, status=201))
def create_contact(request: HttpRequest, collective: str, payload: ContactIn) -> Status[Contact]:
    return Status(201, _write_contact(request, collective, None, payload, partial=False))


@router.get("/{collective}/contacts/{contact_id}", response=answers(ContactOut, 401, 404, 422))
def get_contact(request: HttpRequest, collective: str, contact_id: int) -> Contact:
    return get_object_or_404(_contacts(request_collective(request)), pk=contact_id)


@router.put("/{collective}/contacts/{contact_id}", response=answers(ContactOut, 401, 403, 404, 422))
def update_contact(
    request: HttpRequest, collective: str, contact_id: int, payload: ContactIn
) -> Contact:
    contact = get_object_or_404(_contacts(request_collective(request)), pk=contact_id)
    return _write_contact(request, collective, contact, payload, partial=False)


@router.patch(
    "/{collective}/contacts/{contact_id}", response=answers(ContactOut, 401, 403, 404, 422)
)
def patch_contact(
    request: HttpRequest, collective: str, contact_id: int, payload: ContactPatch
) -> Contact:
    contact = get_object_or_404(_contacts(request_collective(request)), pk=contact_id)
    return _write_contact(request, collective, contact, payload, partial=True)


@router.delete(
    "/{collective}/contacts/{contact_id}", response=answers(None, 401, 403, 404, 422, status=204)
)
def delete_contact(request: HttpRequest, collective: str, contact_id: int) -> Status[None]:
    contact = get_object_or_404(_contacts(request_collective(request)), pk=contact_id)
    actions.do_delete_contact(contact=contact)
    return Status(204, None)


def _organisation_values(payload: OrganisationIn, *, partial: bool) -> OrganisationValues:
    data = payload.dict(exclude_unset=partial)
    if "name" in data and not data["name"].strip():
        raise HttpError(422, "name: give a name")
    if data.get("sector") and data["sector"] not in Sector.values:
        raise HttpError(422, f"sector: choose one of {sorted(Sector.values)}")
    if data.get("website"):
        try:
            URLValidator()(data["website"])
        except ValidationError as exc:
            raise HttpError(422, "website: not a web address") from exc
    if "country" in data:
        data["country"] = data["country"].upper()
        if data["country"] and not data["country"].isalpha():
            raise HttpError(422, "country: use the two-letter code, e.g. DE")
    # The schema's fields are OrganisationValues' keys, checked above.
    return cast(OrganisationValues, data)


def _write_organisation(
    request: HttpRequest,
    slug: str,
    organisation: Organisation | None,
    payload: OrganisationIn,
    partial: bool,
) -> Organisation:
    collective = request_collective(request)
    written = actions.do_write_organisation(
        collective=collective,
        user=request_user(request),
        organisation=organisation,
        values=_organisation_values(payload, partial=partial),
    )
    return get_object_or_404(_organisations(collective), pk=written.pk)


@router.get("/{collective}/organisations", response=answers(list[OrganisationOut], 401, 404, 422))
@paginate(Pagination)
def list_organisations(
    request: HttpRequest, collective: str, q: str = "", tag: str = ""
) -> QuerySet[Organisation]:
    organisations = _organisations(request_collective(request))
    if q:
        organisations = organisations.matching_terms(query_terms(q))
    if tag:
        organisations = organisations.tagged(tag)
    return organisations


@router.post(
    "/{collective}/organisations", response=answers(OrganisationOut, 401, 403, 404, 422, status=201)
)
def create_organisation(
    request: HttpRequest, collective: str, payload: OrganisationIn
) -> Status[Organisation]:
    return Status(201, _write_organisation(request, collective, None, payload, partial=False))


@router.get(
    "/{collective}/organisations/{organisation_id}",
    response=answers(OrganisationOut, 401, 404, 422),
)
def get_organisation(request: HttpRequest, collective: str, organisation_id: int) -> Organisation:
    return get_object_or_404(_organisations(request_collective(request)), pk=organisation_id)


@router.put(
    "/{collective}/organisations/{organisation_id}",
    response=answers(OrganisationOut, 401, 403, 404, 422),
)
def update_organisation(
    request: HttpRequest, collective: str, organisation_id: int, payload: OrganisationIn
) -> Organisation:
    organisation = get_object_or_404(
        _organisations(request_collective(request)), pk=organisation_id
    )
    return _write_organisation(request, collective, organisation, payload, partial=False)


@router.patch(
    "/{collective}/organisations/{organisation_id}",
    response=answers(OrganisationOut, 401, 403, 404, 422),
)
def patch_organisation(
    request: HttpRequest, collective: str, organisation_id: int, payload: OrganisationPatch
) -> Organisation:
    organisation = get_object_or_404(
        _organisations(request_collective(request)), pk=organisation_id
    )
    return _write_organisation(request, collective, organisation, payload, partial=True)


@router.delete(
    "/{collective}/organisations/{organisation_id}",
    response=answers(None, 401, 403, 404, 422, status=204),
)
def delete_organisation(
    request: HttpRequest, collective: str, organisation_id: int
) -> Status[None]:
    organisation = get_object_or_404(
        Organisation.objects.for_collective(request_collective(request)), pk=organisation_id
    )
    actions.do_delete_organisation(organisation=organisation)
    return Status(204, None)
