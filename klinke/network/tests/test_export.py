"""Exporting the network: valid against the schema, and a round trip through import."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone

from klinke.collectives.models import Collective, Reference
from klinke.network.serialization import (
    do_import_network,
    export_network,
    network_schema,
    read_network_file,
)
from klinke.network.tests.samples import small_network
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(network: Any) -> Any:
    """The personas' network plus an imported file, with references and members-only records."""
    do_import_network(small_network())
    Reference.objects.create(
        collective=network.collective_a, client_type="sme", summary="Webshop", year=None
    )
    return network


def empty_the_database() -> None:
    Collective.objects.all().delete()
    Supporter.objects.all().delete()
    Topic.objects.update(parent=None)
    Topic.objects.all().delete()


def test_it_exports_a_file_that_the_schema_accepts(populated: Any) -> None:
    data = export_network()

    jsonschema.validate(data, network_schema(), cls=jsonschema.Draft202012Validator)
    assert data["format"] == "klinke-network"
    assert data["version"] == 1


def test_it_exports_records_without_a_country_validly(populated: Any) -> None:
    """'verborgen' and 'stille-hilfe' have no country, as the web forms allow."""
    data = export_network()

    hidden = next(c for c in data["collectives"] if c["slug"] == "verborgen")
    assert hidden["region"].get("country", "") == ""
    jsonschema.validate(data, network_schema(), cls=jsonschema.Draft202012Validator)


def test_it_exports_every_field_of_a_collective(populated: Any) -> None:
    data = export_network()

    quellcode = next(c for c in data["collectives"] if c["slug"] == "quellcode")
    assert quellcode["name"] == "Kollektiv Quellcode"
    assert quellcode["description"] == {
        "de": "Wir machen Webentwicklung mit Django in Leipzig.",
        "en": "",
    }
    assert quellcode["region"]["nuts_code"] == "DED51"
    assert quellcode["topics"] == ["consulting", "web-development"]
    assert quellcode["working_languages"] == ["de", "en"]
    assert quellcode["red_lines"] == "Keine Überwachungstechnik."
    assert quellcode["capacity_person_days_per_month"] == 12
    assert quellcode["references"] == [
        {"client_type": "sme", "summary": "Webshop", "year": None, "url": ""}
    ]
    web = next(t for t in data["topics"] if t["slug"] == "frontend")
    assert web == {
        "slug": "frontend",
        "name_en": "Frontend development",
        "name_de": "Frontend-Entwicklung",
        "kind": "technical",
        "parent": "web-development",
    }


def test_it_exports_members_only_records_and_supporters(populated: Any) -> None:
    data = export_network()

    assert "verborgen" in [c["slug"] for c in data["collectives"]]
    supporters = {s["slug"]: s for s in data["supporters"]}
    assert set(supporters) == {"sam-berater", "stille-hilfe", "greta-gruen"}
    assert supporters["sam-berater"]["hours_per_month"] == 4
    assert supporters["stille-hilfe"]["visibility"] == "members"


def test_it_does_not_export_archived_collectives(populated: Any) -> None:
    populated.collective_b.archived_at = timezone.now()
    populated.collective_b.save()

    slugs = [c["slug"] for c in export_network()["collectives"]]

    assert "rotkehlchen" not in slugs
    assert "quellcode" in slugs


def test_it_round_trips_through_an_empty_database(populated: Any) -> None:
    exported = export_network()
    empty_the_database()
    assert Topic.objects.count() == 0

    summary = do_import_network(exported)

    assert summary.updated == {}
    assert export_network() == exported


def test_it_round_trips_the_demo_network() -> None:
    demo = read_network_file(Path(__file__).parents[1] / "demo" / "demo_network.json")
    do_import_network(demo)
    exported = export_network()
    jsonschema.validate(exported, network_schema(), cls=jsonschema.Draft202012Validator)
    empty_the_database()

    do_import_network(exported)

    assert export_network() == exported
    assert len(exported["collectives"]) == len(demo["collectives"])


def test_it_the_command_writes_to_standard_output(populated: Any) -> None:
    out = io.StringIO()

    call_command("export_network", stdout=out)

    assert json.loads(out.getvalue()) == export_network()
    assert out.getvalue().endswith("}\n")


def test_it_exports_a_file_that_the_import_reads_back(populated: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    out = io.StringIO()

    call_command("export_network", "-o", str(path), stdout=out)

    assert out.getvalue() == ""
    text = path.read_text(encoding="utf-8")
    assert "Keine Überwachungstechnik." in text  # UTF-8, not \u escapes
    exported = json.loads(text)
    assert exported == export_network()

    empty_the_database()
    call_command("import_network", str(path), stdout=io.StringIO())
    assert export_network() == exported
