"""Needs and offers in the network file: import by ref, refusals, round trip, match by ref."""

from __future__ import annotations

import copy
import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.exchange.models import Need, Offer
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.network.serialization import NetworkFileError, do_import_network, export_network
from klinke.network.tests.samples import small_network
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


def exchange_network() -> dict[str, Any]:
    """The small sample plus two needs and three offers that refer to its records."""
    data = small_network()
    data["needs"] = [
        {
            "ref": "need-zaunkoenig-preise",
            "collective": "zaunkoenig",
            "title": "Wir brauchen Hilfe bei Akquise und Preisgestaltung",
            "description": "Wie kalkulieren wir unseren Tagessatz, und wie finden wir Kund*innen?",
            "kinds": ["experience-exchange", "contact-brokering"],
            "topics": ["acquisition", "pricing"],
            "region": {"city": "Kassel", "country": "DE", "nuts_code": "DE731"},
            "remote_ok": False,
            "languages": ["de"],
            "starts_on": "2030-01-01",
            "ends_on": "2030-03-31",
            "effort_hours": 8,
            "expires_on": "2030-04-30",
            "state": "in-progress",
            "visibility": "members",
            "is_demo": True,
        },
        {
            "ref": "need-kiebitz-hosting",
            "collective": "kiebitz",
            "title": "Server für unseren Verein",
            "description": "Wer betreibt grüne Server für uns?",
            "kinds": ["project-cooperation"],
            "topics": ["green-it"],
        },
    ]
    data["offers"] = [
        {
            "ref": "offer-greta-tenders",
            "supporter": "greta-gruen",
            "title": "Pricing and tenders for small collectives",
            "description": "I help with day rates, estimates and public tenders.",
            "kinds": ["experience-exchange"],
            "topics": ["pricing", "public-tenders"],
            "languages": ["de", "en"],
        },
        {
            "ref": "offer-zaunkoenig-server",
            "collective": "zaunkoenig",
            "title": "Grüne Server",
            "description": "Wir betreiben Server mit Ökostrom.",
            "kinds": ["project-cooperation"],
            "topics": ["green-it"],
            "state": "closed",
            "outcome": "fulfilled",
        },
        {
            "ref": "offer-kiebitz-akquise",
            "collective": "kiebitz",
            "title": "Akquise-Workshop",
            "description": "Wir zeigen, wie wir Kund*innen finden und Preise kalkulieren.",
            "kinds": ["workshop"],
            "topics": ["acquisition"],
        },
    ]
    return data


def counts() -> dict[str, int]:
    return {
        "topics": Topic.objects.count(),
        "collectives": Collective.objects.count(),
        "supporters": Supporter.objects.count(),
        "needs": Need.objects.count(),
        "offers": Offer.objects.count(),
    }


def import_fails(data: dict[str, Any]) -> str:
    before = counts()
    with pytest.raises(NetworkFileError) as caught:
        do_import_network(data)
    assert counts() == before
    return str(caught.value)


# --- importing ---------------------------------------------------------------------------------


def test_it_imports_needs_and_offers_with_their_refs_and_fields():
    summary = do_import_network(exchange_network())

    assert (summary.created["needs"], summary.created["offers"]) == (2, 3)
    need = Need.objects.get(ref="need-zaunkoenig-preise")
    assert need.collective.slug == "zaunkoenig"
    assert need.title == "Wir brauchen Hilfe bei Akquise und Preisgestaltung"
    assert need.kind_codes == ["contact-brokering", "experience-exchange"]  # the usual order
    assert sorted(t.slug for t in need.topics.all()) == ["acquisition", "pricing"]
    assert (need.city, need.country, need.nuts_code) == ("Kassel", "DE", "DE731")
    assert need.remote_ok is False
    assert need.language_codes == ["de"]
    assert (need.starts_on, need.ends_on) == (date(2030, 1, 1), date(2030, 3, 31))
    assert need.effort_hours == 8
    assert need.expires_on == date(2030, 4, 30)
    assert (need.state, need.visibility, need.is_demo) == ("in-progress", "members", True)

    # Left-out fields get the defaults: open, public, ninety days, no place of its own.
    plain = Need.objects.get(ref="need-kiebitz-hosting")
    assert (plain.state, plain.outcome, plain.visibility, plain.remote_ok) == (
        "open",
        "",
        "public",
        True,
    )
    assert plain.expires_on == timezone.localdate() + timedelta(days=90)
    assert (plain.city, plain.country, plain.language_codes) == ("", "", [])

    offer = Offer.objects.get(ref="offer-greta-tenders")
    assert (offer.supporter.slug, offer.collective) == ("greta-gruen", None)
    closed = Offer.objects.get(ref="offer-zaunkoenig-server")
    assert (closed.supporter, closed.collective.slug) == (None, "zaunkoenig")
    assert (closed.state, closed.outcome) == ("closed", "fulfilled")


def test_it_imports_the_same_file_twice_without_changes():
    data = exchange_network()
    do_import_network(data)
    first = counts()
    exported = export_network()

    summary = do_import_network(copy.deepcopy(data))

    assert counts() == first
    assert (summary.updated["needs"], summary.updated["offers"]) == (2, 3)
    assert "needs" not in summary.created
    assert export_network() == exported


def test_it_updates_needs_and_offers_by_ref(network):
    data = exchange_network()
    do_import_network(data)
    data["needs"][0]["title"] = "Nur noch Preisgestaltung"
    data["needs"][0]["topics"] = ["pricing"]
    data["offers"][0]["kinds"] = ["workshop"]

    do_import_network(data)

    need = Need.objects.get(ref="need-zaunkoenig-preise")
    assert need.title == "Nur noch Preisgestaltung"
    assert [t.slug for t in need.topics.all()] == ["pricing"]
    assert Offer.objects.get(ref="offer-greta-tenders").kind_codes == ["workshop"]
    assert Need.objects.count() == 2


def test_it_moves_an_offer_to_another_owner_on_reimport(network):
    data = exchange_network()
    do_import_network(data)
    offer = data["offers"][2]
    del offer["collective"]
    offer["supporter"] = "greta-gruen"

    do_import_network(data)

    moved = Offer.objects.get(ref="offer-kiebitz-akquise")
    assert (moved.supporter.slug, moved.collective) == ("greta-gruen", None)
    back = copy.deepcopy(data)
    del back["offers"][2]["supporter"]
    back["offers"][2]["collective"] = "quellcode"
    do_import_network(back)
    moved.refresh_from_db()
    assert (moved.supporter, moved.collective.slug) == (None, "quellcode")


def test_it_links_needs_and_offers_to_records_already_in_the_database(network):
    data = {
        "format": "klinke-network",
        "version": 1,
        "needs": [
            {
                "ref": "need-quellcode-preise",
                "collective": "quellcode",
                "title": "Preise",
                "description": "Wie kalkulieren wir?",
                "kinds": ["experience-exchange"],
                "topics": ["pricing"],
            }
        ],
        "offers": [
            {
                "ref": "offer-sam-preise",
                "supporter": "sam-berater",
                "title": "Preise",
                "description": "Ich helfe beim Kalkulieren.",
                "kinds": ["experience-exchange"],
            }
        ],
    }

    do_import_network(data)

    assert Need.objects.get(ref="need-quellcode-preise").collective == network.collective_a
    assert Offer.objects.get(ref="offer-sam-preise").supporter == network.supporter


# --- refusing bad files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "index", "change", "message"),
    [
        (
            "needs",
            1,
            {"collective": "gibt-es-nicht"},
            "needs[1] ('need-kiebitz-hosting'), field 'collective': unknown collective "
            "'gibt-es-nicht'",
        ),
        (
            "offers",
            0,
            {"supporter": "niemand"},
            "offers[0] ('offer-greta-tenders'), field 'supporter': unknown supporter 'niemand'",
        ),
        (
            "offers",
            2,
            {"collective": "gibt-es-nicht"},
            "offers[2] ('offer-kiebitz-akquise'), field 'collective': unknown collective "
            "'gibt-es-nicht'",
        ),
        (
            "needs",
            0,
            {"topics": ["pricing", "astrologie"]},
            "needs[0] ('need-zaunkoenig-preise'), field 'topics': unknown topic 'astrologie'",
        ),
        (
            "offers",
            1,
            {"topics": ["astrologie"]},
            "offers[1] ('offer-zaunkoenig-server'), field 'topics': unknown topic 'astrologie'",
        ),
        (
            "needs",
            0,
            {"ends_on": "2029-12-31"},
            "needs[0] ('need-zaunkoenig-preise'), field 'ends_on': lies before 'starts_on'",
        ),
        (
            "needs",
            1,
            {"ref": "need-zaunkoenig-preise"},
            "needs[1] ('need-zaunkoenig-preise'), field 'ref': appears twice",
        ),
        (
            "needs",
            1,
            {"kinds": ["kaffee"]},
            "needs[1] ('need-kiebitz-hosting'), field 'kinds.0': ",
        ),
    ],
)
def test_it_refuses_bad_needs_and_offers_naming_record_and_field(section, index, change, message):
    data = exchange_network()
    data[section][index].update(change)

    assert import_fails(data).startswith(message)
    # Nothing of the file is written, not even its good collectives.
    assert not Collective.objects.filter(slug="zaunkoenig").exists()


def test_it_refuses_a_need_without_a_collective():
    data = exchange_network()
    del data["needs"][1]["collective"]

    message = import_fails(data)

    assert message.startswith("needs[1] ('need-kiebitz-hosting')")
    assert "'collective' is a required property" in message


@pytest.mark.parametrize("owners", [("supporter", "collective"), ()])
def test_it_refuses_an_offer_with_both_owners_or_none(owners):
    data = exchange_network()
    offer = data["offers"][0]
    offer.pop("supporter")
    if owners:
        offer.update({"supporter": "greta-gruen", "collective": "zaunkoenig"})

    message = import_fails(data)

    problem = "not both" if owners else "one of them is missing"
    assert message == (
        f"offers[0] ('offer-greta-tenders'): give either 'collective' or 'supporter', {problem}"
    )


# --- round trip and matching ---------------------------------------------------------------


def empty_the_database() -> None:
    Need.objects.all().delete()
    Offer.objects.all().delete()
    Collective.objects.all().delete()
    Supporter.objects.all().delete()
    Topic.objects.update(parent=None)
    Topic.objects.all().delete()


def test_it_exports_and_imports_needs_and_offers_unchanged(network):
    do_import_network(exchange_network())
    make_need(
        network.collective_a,
        "Hilfe bei Preisen",
        "Wie kalkulieren wir?",
        topics=["pricing"],
        effort_hours=12,
        starts_on=date(2030, 2, 1),
    )
    make_offer(network.supporter, "Preise", "Tagessätze.", topics=["pricing"])
    make_offer(network.hidden, "Verborgenes Angebot", "Nur für Mitglieder.", visibility="members")
    exported = export_network()
    assert len(exported["needs"]) == 3
    assert len(exported["offers"]) == 5

    empty_the_database()
    assert counts() == dict.fromkeys(counts(), 0)
    do_import_network(json.loads(json.dumps(exported)))

    assert export_network() == exported


def test_it_matches_by_the_refs_of_the_file():
    data = exchange_network()
    data["needs"][0]["visibility"] = "public"
    do_import_network(data)

    def match(*args: str) -> list[tuple[str, str]]:
        out = io.StringIO()
        call_command("match", *args, "--format", "json", stdout=out)
        return [(entry["type"], entry["ref"]) for entry in json.loads(out.getvalue())]

    helpers = match("need", "need-zaunkoenig-preise")
    assert ("offer", "offer-greta-tenders") in helpers
    assert ("offer", "offer-kiebitz-akquise") in helpers
    # Neither the need's own collective's offer nor a closed offer is suggested.
    assert ("offer", "offer-zaunkoenig-server") not in helpers

    assert ("need", "need-zaunkoenig-preise") in match("offer", "offer-greta-tenders")
