"""Every eForms example notice parses into the fields written in it; the invalid ones are refused.

The expectations were written by reading each fixture (see fixtures/README.md for their source).
Pure tests: no database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from klinke.tenders.parsers import Parsed, Rejected, Source, parse_bytes
from klinke.tenders.parsers.codes import (
    country_alpha2,
    cpv_code,
    language_alpha2,
    publication_number,
)
from klinke.tenders.parsers.eforms import FIELDS, SDK_VERSION, parse_notice

FIXTURES = Path(__file__).parent / "fixtures" / "eforms"

# file → the fields as written in it; "title" is the title in the notice language, "deadline" is
# (kind, as written, in UTC) and "lots" the lot ids.
EXPECTED = {
    "cn_24_minimal.xml": {
        "notice_id": "f42be27e-09cf-4f0e-a745-63ec689631e6",
        "version": "01",
        "procedure_id": "4805c409-5939-4be9-8abd-837f7a5fee23",
        "notice_type": "cn-standard",
        "notice_subtype": "16",
        "role": "competition",
        "language": "en",
        "procedure_type": "open",
        "title": "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, "
        "and Others)",
        "buyer_name": "Publications Office of the European Union",
        "buyer_country": "LU",
        "cpv_main": "72230000",
        "cpv_additional": (),
        "nuts": ("FRD22",),
        "country": ("FR",),
        "anywhere": False,
        "deadline": ("BT-131", "2020-02-04T10:00:00+02:00", "2020-02-04T08:00:00+00:00"),
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        # Only a restricted document (BT-615) is linked.
        "documents_url": "https://etendering.ted.europa.eu/cft/cft-display.html?cftId=5629",
        "issue_date": dt.date(2019, 11, 21),
    },
    "cn_24_maximal.xml": {
        "notice_id": "14549263-b47b-4e59-96a1-2d0d13e19343",
        "version": "03",
        "procedure_id": "aff2863e-b4cc-4e91-baba-b3b85f709117",
        "notice_type": "cn-standard",
        "notice_subtype": "16",
        "role": "competition",
        "language": "en",
        "procedure_type": "neg-w-call",
        "title": "Procurement Title ---",
        "buyer_name": "Financial Adinistration for ...",
        "buyer_country": "LU",
        "cpv_main": "79710000",
        "cpv_additional": ("75121000", "79720000"),
        "nuts": ("LU000",),
        "country": ("LU", "GB"),
        "anywhere": True,
        "deadline": ("BT-1311", "2023-05-22T20:59:32+01:00", "2023-05-22T19:59:32+00:00"),
        "estimated_value": Decimal("9999999.99"),
        "currency": "EUR",
        "lots": ("LOT-0001", "LOT-0002"),
        "documents_url": "http://nonrestricteddocuments.com",
        "issue_date": dt.date(2023, 3, 23),
    },
    "cn_24_multilingual.xml": {
        "notice_id": "55aae64f-88a8-44a5-b2fb-8228e97fe6ee",
        "version": "01",
        "procedure_id": "46c9ce89-5986-40d9-992f-e1a2469a48f8",
        "notice_type": "cn-standard",
        "notice_subtype": "16",
        "role": "competition",
        "language": "en",
        "procedure_type": "open",
        "title": "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, "
        "and Others)",
        "buyer_name": "Publications Office of the European Union",
        "buyer_country": "LU",
        "cpv_main": "72230000",
        "cpv_additional": ("72260000",),
        "nuts": ("LU000",),
        "country": ("LU",),
        "anywhere": False,
        "deadline": ("BT-131", "2020-02-03T13:00:00Z", "2020-02-03T13:00:00+00:00"),
        "estimated_value": Decimal("4500000"),
        "currency": "EUR",
        "lots": ("LOT-0000",),
        "documents_url": "https://etendering.ted.europa.eu/cft/cft-display.html?cftId=5629",
        "issue_date": dt.date(2019, 11, 21),
    },
    "cn_23.xml": {
        "notice_id": "4039abd1-af19-42cf-bce0-7c55806601e8",
        "version": "01",
        "procedure_id": "fe181e9c-327f-4a7c-8669-ef0774c9a749",
        "notice_type": "cn-standard",
        "notice_subtype": "19",
        "role": "competition",
        "language": "fr",
        "procedure_type": None,
        "title": "Concession de service public pour la gestion des équipements d'accueil collectif "
        "de la petite enfance — secteur nord-est Loches et Tauxigny-Saint-Bauld",
        "buyer_name": "Communauté de communes Loches sud Touraine",
        "buyer_country": "FR",
        "cpv_main": "85312110",
        "cpv_additional": (),
        "nuts": ("FRB04",),
        "country": ("FR",),
        "anywhere": False,
        "deadline": None,
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": "http://www.pro-marchespublics.com",
        "issue_date": dt.date(2020, 4, 14),
    },
    "cn_25.xml": {
        "notice_id": "39d68def-a6aa-4e85-aa8d-97f0600ea41e",
        "version": "01",
        "procedure_id": "027f7db6-596d-4395-87b9-d8a7b0e4b269",
        "notice_type": "cn-standard",
        "notice_subtype": "17",
        "role": "competition",
        "language": "en",
        "procedure_type": "neg-w-call",
        "title": "PV Servicing and Maintenance",
        "buyer_name": "Scottish Water",
        "buyer_country": "GB",
        "cpv_main": "50000000",
        "cpv_additional": ("09331200", "31712331"),
        "nuts": (),
        "country": ("GB",),
        "anywhere": False,
        "deadline": ("BT-1311", "2020-05-27T11:00:00+01:00", "2020-05-27T10:00:00+00:00"),
        "estimated_value": Decimal("1500000"),
        "currency": "EUR",
        "lots": ("LOT-0000",),
        "documents_url": "https://www.delta-esourcing.com/tenders/"
        "UK-UK-Glasgow:-Repair-and-maintenance-services./Z9Q7MGAEA8",
        "issue_date": dt.date(2020, 4, 15),
    },
    "cn-desg_24.xml": {
        "notice_id": "f37b9a55-0684-4d4b-a98f-0ba819d6d6f2",
        "version": "01",
        "procedure_id": "8655f8a5-b5e9-4d6e-9dee-a360f820ecbe",
        "notice_type": "cn-desg",
        "notice_subtype": "23",
        "role": "competition",
        "language": "fr",
        "procedure_type": "restricted",
        "title": "Concours restreint de maîtrise d'œuvre en vue de la construction d'un accueil "
        "périscolaire à Burnhaupt-le-Bas",
        "buyer_name": "Communauté de Communes de la Vallée de la Doller et du Soultzbach",
        "buyer_country": "FR",
        "cpv_main": "71000000",
        "cpv_additional": (),
        "nuts": ("FRF12",),
        "country": ("FR",),
        "anywhere": False,
        "deadline": ("BT-1311", "2020-06-05T12:00:00+01:00", "2020-06-05T11:00:00+00:00"),
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": "https://marchespublics-amhr.omnikles.com/",
        "issue_date": dt.date(2020, 4, 11),
    },
    "cn-social_24.xml": {
        "notice_id": "76c82dad-10b1-4e6a-9326-9312b4bf9baf",
        "version": "01",
        "procedure_id": "1adea6cf-8780-4298-a915-55f6796bf847",
        "notice_type": "cn-social",
        "notice_subtype": "20",
        "role": "competition",
        "language": "en",
        "procedure_type": "oth-single",
        "title": "Secure Care Services",
        "buyer_name": "Scotland Excel",
        "buyer_country": "GB",
        "cpv_main": "85311300",
        "cpv_additional": ("85310000", "85300000", "85000000", "80000000"),
        "nuts": (),
        "country": ("GB",),
        "anywhere": True,  # BT-727 "anyw-cou"
        "deadline": ("BT-131", "2020-01-06T12:00:00+01:00", "2020-01-06T11:00:00+00:00"),
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": None,
        "issue_date": dt.date(2019, 11, 25),
    },
    "pin-cfc_25.xml": {
        "notice_id": "c48d000f-2598-47b3-856e-de93bf654518",
        "version": "01",
        "procedure_id": "c2a0dcd1-4d17-4072-9252-38de16ead921",
        "notice_type": "pin-cfc-standard",
        "notice_subtype": "11",
        "role": "competition",
        "language": "de",
        "procedure_type": "oth-mult",
        "title": "Instandhaltung Brandschutztüren",
        "buyer_name": "Flughafen Stuttgart GmbH",
        "buyer_country": "DE",
        "cpv_main": "50712000",
        "cpv_additional": (),
        "nuts": ("DE113",),
        "country": ("DE",),
        "anywhere": False,
        "deadline": ("BT-630", "2020-05-18T23:59:59+01:00", "2020-05-18T22:59:59+00:00"),
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0001", "LOT-0002"),
        "documents_url": None,
        "issue_date": dt.date(2020, 4, 8),
    },
    "CEI.xml": {
        "notice_id": "37f3f877-01ee-4671-a49f-5581cffe6388",
        "version": "01",
        "procedure_id": "16c06d41-2232-4907-b836-07e0ee650c42",
        "notice_type": "pin-cfc-standard",
        "notice_subtype": "CEI",
        "role": "competition",
        "language": "en",
        "procedure_type": None,
        "title": "Call for Expressions of Interest",
        "buyer_name": "European Parliament",
        "buyer_country": "BE",
        "cpv_main": "98390000",
        "cpv_additional": (),
        "nuts": ("BE100",),
        "country": ("BE",),
        "anywhere": False,
        "deadline": ("BT-630", "2024-06-09T23:59:59+02:00", "2024-06-09T21:59:59+00:00"),
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": "https://www.europarl.europa.eu/contracts-and-grants/en/list-of-notices/"
        "multiannual-calls/",
        "issue_date": dt.date(2020, 1, 27),
    },
    "E3_minimal.xml": {
        "notice_id": "a03fdc6d-9924-4e99-93cf-39b925bb4826",
        "version": "01",
        "procedure_id": "d8e0c26b-6206-4588-85f5-946afb84a37d",
        "notice_type": "cn-standard",
        "notice_subtype": "E3",
        "role": "competition",
        "language": "en",
        "procedure_type": "open",
        "title": "Provision of IT Services related to ...",
        "buyer_name": "Buyer Org",
        "buyer_country": "LU",
        "cpv_main": "72230000",
        "cpv_additional": (),
        "nuts": ("LU000",),
        "country": ("LU",),
        "anywhere": False,
        "deadline": None,
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0001",),
        "documents_url": None,
        "issue_date": dt.date(2024, 11, 21),
    },
    "can_24_minimal.xml": {
        "notice_id": "65667997-031a-4198-bd25-7225449ef479",
        "version": "01",
        "procedure_id": "022d0ef9-6338-42d9-afa4-a87709128061",
        "notice_type": "can-standard",
        "notice_subtype": "29",
        "role": "result",
        "language": "fr",
        "procedure_type": "open",
        "title": "Service d'entretien de remise en état et de nettoyage des espaces verts",
        "buyer_name": "Rouen Habitat",
        "buyer_country": "FR",
        "cpv_main": "77310000",
        "cpv_additional": (),
        "nuts": ("FRD22",),
        "country": ("FR",),
        "anywhere": False,
        "deadline": None,
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": None,
        "issue_date": dt.date(2019, 10, 23),
    },
    "E4_minimal.xml": {
        "notice_id": "d1106611-6941-48f4-9029-8b11062939af",
        "version": "01",
        "procedure_id": "8698a8e5-9815-4889-ae6a-632170aeb5e6",
        "notice_type": "can-standard",
        "notice_subtype": "E4",
        "role": "result",
        "language": "fr",
        "procedure_type": None,
        "title": "Service d'entretien de remise en état et de nettoyage des espaces verts",
        "buyer_name": "Rouen Habitat",
        "buyer_country": "FR",
        "cpv_main": "77310000",
        "cpv_additional": (),
        "nuts": ("FRD22",),
        "country": ("FR",),
        "anywhere": False,
        "deadline": None,
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0001",),
        "documents_url": None,
        "issue_date": dt.date(2025, 10, 23),
    },
    "change-cn_24_void.xml": {
        "notice_id": "1d192942-a4a3-4833-8775-ca38f7ec09ca",
        "version": "01",
        "procedure_id": "4805c409-5939-4be9-8abd-837f7a5fee23",  # the tender of cn_24_minimal
        "notice_type": "cn-standard",
        "notice_subtype": "16",
        "role": "cancellation",
        "language": "en",
        "procedure_type": "open",
        "title": "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, "
        "and Others)",
        "buyer_name": "Publications Office of the European Union",
        "buyer_country": "LU",
        "cpv_main": "72230000",
        "cpv_additional": (),
        "nuts": ("FRD22",),
        "country": ("FR",),
        "anywhere": False,
        "deadline": ("BT-131", "2020-02-04T10:00:00+02:00", "2020-02-04T08:00:00+00:00"),
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": "https://etendering.ted.europa.eu/cft/cft-display.html?cftId=5629",
        "issue_date": dt.date(2019, 12, 21),
    },
    "veat_23.xml": {
        "notice_id": "9938e0b2-bba7-4123-b96b-a654440660bf",
        "version": "01",
        "procedure_id": "f83d19fa-192f-4eba-acc0-b1a6ac8862c7",
        "notice_type": "veat",
        "notice_subtype": "28",
        "role": "other",
        "language": "de",
        "procedure_type": "neg-wo-call",
        "title": "Wasser-Konzessionsvertrag und Löschwasservereinbarung",
        "buyer_name": "Stadt Neckargemünd",
        "buyer_country": "DE",
        "cpv_main": "65110000",
        "cpv_additional": (),
        "nuts": ("DE128",),
        "country": ("DE",),
        "anywhere": False,
        "deadline": None,
        "estimated_value": None,
        "currency": None,
        "lots": ("LOT-0000",),
        "documents_url": None,
        "issue_date": dt.date(2023, 1, 10),
    },
    "pin-only_24.xml": {
        "notice_id": "f252f386-55ac-4fa8-9be4-9f950b9904c8",
        "version": "01",
        # A planning notice has no procedure (BT-04): it stands for itself.
        "procedure_id": "f252f386-55ac-4fa8-9be4-9f950b9904c8",
        "notice_type": "pin-only",
        "notice_subtype": "4",
        "role": "other",
        "language": "en",
        "procedure_type": None,
        "title": "ProPrName1234",
        "buyer_name": "PartyName1234",
        "buyer_country": "DE",
        "cpv_main": "72000000",
        "cpv_additional": (),
        "nuts": ("DE123",),
        "country": ("DE",),
        "anywhere": False,
        "deadline": None,
        "estimated_value": Decimal("100000"),
        "currency": "EUR",
        "lots": (),  # its parts are not lots
        "documents_url": None,
        "issue_date": dt.date(2020, 5, 5),
    },
}

# The national subtypes of eForms-DE and the other roles, by what they do to a tender.
ROLES = {
    "E1_minimal.xml": ("E1", "pmc", "other"),
    "E2_minimal.xml": ("E2", "pin-only", "other"),
    "E3_minimal.xml": ("E3", "cn-standard", "competition"),
    "E4_minimal.xml": ("E4", "can-standard", "result"),
    "E5_minimal.xml": ("E5", "compl", "other"),
    "E6_minimal.xml": ("E6", "can-modif", "other"),
    "CEI.xml": ("CEI", "pin-cfc-standard", "competition"),
    "pin-buyer_24_published.xml": ("1", "pin-buyer", "other"),
}


def _parse(name: str) -> Parsed | Rejected:
    data = (FIXTURES / name).read_bytes()
    return parse_bytes(data, Source(name=name, member=None, sha256="x"))


def test_it_covers_every_valid_fixture():
    valid = {p.name for p in FIXTURES.glob("*.xml") if not p.name.startswith("INVALID_")}
    assert valid == set(EXPECTED) | set(ROLES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_reads_the_fields_written_in_each_notice(name):
    expected = dict(EXPECTED[name])
    record = parse_notice((FIXTURES / name).read_bytes())
    title = expected.pop("title")
    assert record.title[record.language] == title
    deadline = expected.pop("deadline")
    if deadline is None:
        assert record.deadline is None
    else:
        assert record.deadline is not None
        assert (record.deadline.kind, record.deadline.written, record.deadline.utc.isoformat()) == (
            deadline
        )
        assert record.deadline.placeholder is False
    assert tuple(lot.lot_id for lot in record.lots) == expected.pop("lots")
    actual = {field: getattr(record, field) for field in expected}
    assert actual == expected
    assert record.source_format == "eforms"
    assert record.publication_number is None  # none of these examples is published yet


@pytest.mark.parametrize("name", sorted(ROLES))
def test_it_knows_what_each_notice_type_does(name):
    subtype, notice_type, role = ROLES[name]
    record = parse_notice((FIXTURES / name).read_bytes())
    assert (record.notice_subtype, record.notice_type, record.role) == (subtype, notice_type, role)


def test_it_keeps_every_language_of_a_multilingual_notice():
    record = parse_notice((FIXTURES / "cn_24_multilingual.xml").read_bytes())
    assert len(record.title) == 24
    assert record.title["de"].startswith("Bereitstellung von IT-Dienstleistungen")
    assert record.title["fr"].startswith("Fourniture de services informatiques")
    assert set(record.description) == set(record.title)
    assert set(record.lots[0].title) == set(record.title)


def test_it_reads_lots_with_their_own_codes_places_deadlines_and_values():
    record = parse_notice((FIXTURES / "cn_24_maximal.xml").read_bytes())
    first = record.lots[0]
    assert first.cpv == ("75121000",)
    assert first.nuts == ("LU000",)
    assert first.estimated_value == Decimal("9999999.99")
    assert first.currency == "EUR"
    assert first.deadline is not None and first.deadline.kind == "BT-1311"
    assert first.title == {"en": "Title ---"}


def test_it_reads_the_change_and_its_reason():
    record = parse_notice((FIXTURES / "change-cn_24_void.xml").read_bytes())
    assert record.changes is not None
    assert record.changes.changes_notice_id == "f42be27e-09cf-4f0e-a745-63ec689631e6-01"
    assert record.changes.reason_code == "cancel"
    assert record.changes.description == {"en": "We cancel because..."}
    original = parse_notice((FIXTURES / "cn_24_minimal.xml").read_bytes())
    assert original.changes is None
    # The change names the original by notice id and version.
    assert record.changes.changes_notice_id == f"{original.notice_id}-{original.version}"


def test_it_reads_a_change_that_is_not_a_cancellation_as_a_change():
    data = (FIXTURES / "change-cn_24_void.xml").read_bytes().replace(b">cancel<", b">update-add<")
    record = parse_notice(data)
    assert record.role == "change"
    assert record.changes is not None and record.changes.reason_code == "update-add"


def test_it_strips_leading_zeros_from_the_publication_number():
    data = (FIXTURES / "pin-buyer_24_published.xml").read_bytes()
    assert parse_notice(data).publication_number == "12345678-2025"
    padded = data.replace(b">12345678-2025<", b">00150049-2018<")
    assert parse_notice(padded).publication_number == "150049-2018"


def test_it_flags_a_deadline_far_in_the_future_as_a_placeholder():
    data = (FIXTURES / "cn_24_minimal.xml").read_bytes()
    data = data.replace(b"<cbc:EndDate>2020-02-04+02:00", b"<cbc:EndDate>2099-12-31+02:00")
    record = parse_notice(data)
    assert record.deadline is not None
    assert record.deadline.placeholder is True
    assert record.deadline.written == "2099-12-31T10:00:00+02:00"


def test_it_takes_the_earliest_lot_deadline():
    data = (FIXTURES / "pin-cfc_25.xml").read_bytes()
    data = data.replace(b"<cbc:EndDate>2020-05-18+01:00", b"<cbc:EndDate>2020-05-19+01:00", 1)
    record = parse_notice(data)
    assert [lot.deadline.written for lot in record.lots if lot.deadline] == [
        "2020-05-19T23:59:59+01:00",
        "2020-05-18T23:59:59+01:00",
    ]
    assert record.deadline is not None and record.deadline.written == "2020-05-18T23:59:59+01:00"


def test_it_reads_only_the_identifiers_whose_scheme_the_pinned_path_names():
    # BT-701 is /*/cbc:ID[@schemeName='notice-id'], OPP-010 …/efbc:NoticePublicationID
    # [@schemeName='ojs-notice-id']: the same element with another scheme is not that field.
    published = (FIXTURES / "pin-buyer_24_published.xml").read_bytes()
    other = published.replace(b'schemeName="ojs-notice-id"', b'schemeName="other-id"')
    assert parse_notice(other).publication_number is None
    notice = (FIXTURES / "cn_24_minimal.xml").read_bytes()
    outcome = parse_bytes(
        notice.replace(b'schemeName="notice-id"', b'schemeName="other-id"'),
        Source(name="cn.xml", member=None, sha256="x"),
    )
    assert isinstance(outcome, Rejected)
    assert outcome.reason == "cn.xml: the notice identifier (BT-701) is missing"


def test_it_strips_the_cpv_check_digit():
    data = (FIXTURES / "cn_24_minimal.xml").read_bytes().replace(b">72230000<", b">72230000-6<")
    assert parse_notice(data).cpv_main == "72230000"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("INVALID_cn_24_empty.xml", "the notice identifier (BT-701) is missing"),
        ("INVALID_cn_24_multiple.xml", "lot LOT-0001: more than one main CPV code (BT-262)"),
    ],
)
def test_it_rejects_the_invalid_examples_by_name(name, reason):
    outcome = _parse(name)
    assert isinstance(outcome, Rejected)
    assert outcome.reason == f"{name}: {reason}"


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (b">72230000<", b">7223<", "BT-262: '7223' is not a CPV code"),
        (b">2019-11-21+01:00<", b">21.11.2019<", "BT-05: '21.11.2019' is not a date"),
        (b">2020-02-04+02:00<", b">soon<", "BT-131: 'soon' 10:00:00+02:00 is not a date"),
        (b"<cbc:NoticeLanguageCode>ENG", b"<cbc:NoticeLanguageCode>XXX", "unknown language"),
        (b">16</cbc:SubTypeCode>", b">99</cbc:SubTypeCode>", "unknown notice subtype '99'"),
        (
            b'<cbc:ID schemeName="organization">ORG-0001</cbc:ID>',
            b"",
            "an organisation without its identifier (OPT-200)",
        ),
    ],
)
def test_it_rejects_malformed_fields_with_the_business_term(old, new, reason):
    data = (FIXTURES / "cn_24_minimal.xml").read_bytes()
    assert old in data
    data = data.replace(old, new, 1)  # the first one: the organisation, the issue date, …
    outcome = parse_bytes(data, Source(name="cn.xml", member=None, sha256="x"))
    assert isinstance(outcome, Rejected)
    assert outcome.reason.startswith("cn.xml: ")
    assert reason in outcome.reason


def test_it_pins_the_xpaths_to_one_sdk_version():
    assert SDK_VERSION == "1.15.1"
    assert FIELDS["BT-131(d)-Lot"] == (
        "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cac:TenderingProcess"
        "/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [("DEU", "DE"), ("GBR", "GB"), ("XKX", "XK"), ("United Kingdom", "GB"), ("ZZZ", None)],
)
def test_it_turns_countries_into_alpha_2(given, expected):
    assert country_alpha2(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("ENG", "en"), ("DEU", "de"), ("GER", "de"), ("fr", "fr"), ("XXX", None)],
)
def test_it_turns_languages_into_iso_639_1(given, expected):
    assert language_alpha2(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("45233130-1", "45233130"),
        ("45233130", "45233130"),
        ("45233130.0", "45233130"),
        ("4523", None),
    ],
)
def test_it_normalises_cpv_codes(given, expected):
    assert cpv_code(given) == expected


def test_it_normalises_publication_numbers():
    assert publication_number("00150049-2018") == "150049-2018"
    assert publication_number("150049-2018") == "150049-2018"
    assert publication_number("not-a-number") is None
