"""Importing a klinke network file: what it creates, idempotence, and refusing bad files whole."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from klinke.collectives.models import Collective, Reference
from klinke.directory.search import DirectoryQuery
from klinke.network import serialization
from klinke.network.serialization import (
    NetworkFileError,
    do_import_network,
    read_network_file,
)
from klinke.network.tests.samples import small_network
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "topics": Topic.objects.count(),
        "collectives": Collective.objects.count(),
        "references": Reference.objects.count(),
        "supporters": Supporter.objects.count(),
    }


def write(tmp_path: Path, data: Any, name: str = "network.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_it_creates_topics_with_their_parent() -> None:
    do_import_network(small_network())

    topic = Topic.objects.get(slug="green-it")
    assert (topic.name_en, topic.name_de, topic.kind) == ("Green IT", "Grüne IT", "technical")
    assert topic.parent == Topic.objects.get(slug="hosting")


def test_it_creates_collectives_with_all_their_fields() -> None:
    do_import_network(small_network())

    c = Collective.objects.get(slug="zaunkoenig")
    assert c.name == "Zaunkönig Kollektiv"
    assert c.description_de == "Wir betreiben Permakultur-Server für Vereine."
    assert c.description_en == "We run permaculture servers for associations."
    assert (c.legal_form, c.founded_year, c.member_count) == ("eg", 2019, 5)
    assert (c.city, c.country, c.nuts_code) == ("Kassel", "DE", "DE731")
    assert (c.latitude, c.longitude) == (51.31, 9.48)
    assert c.remote_friendly is True
    assert c.language_codes == ["de", "en"]
    assert c.website == "https://zaunkoenig.example"
    assert sorted(t.slug for t in c.topics.all()) == ["green-it", "web-development"]
    assert c.technology_list == ["Rust", "Elixir"]
    assert c.values_statement == "Konsens und Einheitslohn."
    assert c.red_lines == "Keine Rüstung."
    assert c.capacity_person_days_per_month == 8
    assert c.visibility == "public"
    assert c.is_demo is False
    references = sorted(
        c.references.values_list("client_type", "summary", "year", "url"), key=lambda r: r[0]
    )
    assert references == [
        (
            "civil-society",
            "Mitgliederverwaltung für einen Sportverein",
            2023,
            "https://example.org/verein",
        ),
        ("culture", "Ticketing for a theatre", None, ""),
    ]


def test_it_fills_left_out_collective_fields_with_defaults() -> None:
    do_import_network(small_network())

    c = Collective.objects.get(slug="kiebitz")
    assert (c.country, c.city, c.nuts_code, c.latitude) == ("AT", "", "", None)
    assert (c.description_de, c.description_en, c.red_lines) == ("", "", "")
    assert c.founded_year is None and c.capacity_person_days_per_month is None
    assert c.language_codes == [] and c.topics.count() == 0 and c.references.count() == 0
    assert c.visibility == "public"


def test_it_creates_supporters() -> None:
    do_import_network(small_network())

    s = Supporter.objects.get(slug="greta-gruen")
    assert (s.name, s.kind, s.organisation) == ("Greta Grün", "person", "Tenderhilfe")
    assert (s.bio_de, s.bio_en) == ("Ich helfe bei Ausschreibungen.", "I help with tenders.")
    assert sorted(t.slug for t in s.topics.all()) == ["pricing", "public-tenders"]
    assert s.sector_codes == ["culture", "energy"]
    assert s.region_codes == ["DE7", "AT"]
    assert s.language_codes == ["de"]
    assert (s.city, s.country) == ("Marburg", "DE")
    assert s.hours_per_month == 6
    assert s.visibility == "members"
    assert s.user is None


def test_it_reports_what_it_created() -> None:
    summary = do_import_network(small_network())

    assert summary.created == {"topics": 1, "collectives": 2, "supporters": 1}
    assert summary.updated == {}
    assert str(summary) == (
        "collectives: 2 created, 0 updated, supporters: 1 created, 0 updated, "
        "topics: 1 created, 0 updated"
    )


def test_it_is_idempotent() -> None:
    do_import_network(small_network())
    after_first = counts()
    reference_rows = sorted(Reference.objects.values_list("collective__slug", "summary"))

    summary = do_import_network(small_network())

    assert counts() == after_first
    assert summary.created == {}
    assert summary.updated == {"topics": 1, "collectives": 2, "supporters": 1}
    assert sorted(Reference.objects.values_list("collective__slug", "summary")) == reference_rows
    assert Collective.objects.get(slug="zaunkoenig").references.count() == 2


def test_it_updates_existing_records_by_slug(network: Any) -> None:
    data = small_network()
    data["collectives"] = [
        {
            "slug": "quellcode",
            "name": "Quellcode (neu)",
            "topics": ["hosting"],
            "references": [{"client_type": "sme", "summary": "Shop"}],
        }
    ]
    before = Collective.objects.count()

    summary = do_import_network(data)

    assert summary.updated["collectives"] == 1
    assert Collective.objects.count() == before
    quellcode = Collective.objects.get(slug="quellcode")
    assert quellcode.name == "Quellcode (neu)"
    assert [t.slug for t in quellcode.topics.all()] == ["hosting"]
    assert list(quellcode.references.values_list("summary", flat=True)) == ["Shop"]
    # The file says nothing about people: memberships stay.
    assert quellcode.has_member(network.alice)


def test_it_updates_a_seeded_topic_from_the_file() -> None:
    data = small_network()
    data["topics"].append(
        {"slug": "frontend", "name_en": "Front end", "name_de": "Frontend", "kind": "technical"}
    )

    do_import_network(data)

    frontend = Topic.objects.get(slug="frontend")
    assert frontend.name_en == "Front end"
    # The file is authoritative for the records it names: no parent given means none.
    assert frontend.parent is None


def test_it_fills_search_documents_so_the_directory_finds_imported_records() -> None:
    do_import_network(small_network())
    anonymous = AnonymousUser()

    found = DirectoryQuery(text="Permakultur").collectives(anonymous)
    assert [c.slug for c in found] == ["zaunkoenig"]
    # A reference summary and a topic name are searchable too.
    assert [c.slug for c in DirectoryQuery(text="Sportverein").collectives(anonymous)] == [
        "zaunkoenig"
    ]
    assert [c.slug for c in DirectoryQuery(text="Grüne IT").collectives(anonymous)] == [
        "zaunkoenig"
    ]
    supporters = DirectoryQuery(text="Ausschreibungen").supporters(AnonymousUser())
    # greta-gruen is members-only; a network member's view finds her.
    assert list(supporters) == []
    assert " ausschreib" in Supporter.objects.get(slug="greta-gruen").search_document


def test_it_fills_supporter_search_documents(network: Any) -> None:
    do_import_network(small_network())

    found = DirectoryQuery(text="Ausschreibungen").supporters(network.alice)
    assert [s.slug for s in found] == ["greta-gruen"]


# --- Bad input: an error that names the record and the field, and nothing written ---------


def bad(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(small_network())
    mutate(data)
    return data


def import_fails(data: dict[str, Any]) -> str:
    before = counts()
    with pytest.raises(NetworkFileError) as caught:
        do_import_network(data)
    assert counts() == before, "a refused file must not write anything"
    assert not Collective.objects.filter(slug="zaunkoenig").exists()
    return str(caught.value)


def test_it_refuses_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "klinke-network", ', encoding="utf-8")

    with pytest.raises(NetworkFileError, match="is not valid JSON"):
        read_network_file(path)


def test_it_refuses_a_file_that_is_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(NetworkFileError, match="top level must be an object"):
        read_network_file(write(tmp_path, [small_network()]))


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NetworkFileError, match="cannot read"):
        read_network_file(tmp_path / "nope.json")


def test_it_refuses_a_wrong_format() -> None:
    message = import_fails(bad(lambda d: d.update(format="klinke-netzwerk")))
    assert message.startswith("format: ")
    assert "'klinke-network' was expected" in message


def test_it_refuses_a_wrong_version() -> None:
    message = import_fails(bad(lambda d: d.update(version=2)))
    assert message.startswith("version: ")


def test_it_refuses_a_country_name_instead_of_a_code() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["collectives"][1]["region"]["country"] = "Germany"

    message = import_fails(bad(mutate))
    assert message.startswith("collectives[1] ('kiebitz'), field 'region.country': ")
    assert "'Germany'" in message


def test_it_refuses_an_unknown_topic_after_good_records() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["collectives"][1]["topics"] = ["hosting", "basket-weaving"]

    message = import_fails(bad(mutate))
    assert message == ("collectives[1] ('kiebitz'), field 'topics': unknown topic 'basket-weaving'")
    assert not Topic.objects.filter(slug="green-it").exists()


def test_it_refuses_an_unknown_topic_in_a_supporter() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["supporters"][0]["topics"] = ["knitting"]

    message = import_fails(bad(mutate))
    assert message == "supporters[0] ('greta-gruen'), field 'topics': unknown topic 'knitting'"


def test_it_refuses_an_unknown_parent_topic() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["topics"][0]["parent"] = "gardening"

    message = import_fails(bad(mutate))
    assert message == "topics[0] ('green-it'), field 'parent': unknown topic 'gardening'"


def test_it_refuses_a_duplicate_slug() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["collectives"][1]["slug"] = "zaunkoenig"

    message = import_fails(bad(mutate))
    assert message == "collectives[1] ('zaunkoenig'), field 'slug': appears twice"


def test_it_refuses_a_duplicate_topic_slug() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["topics"].append({**d["topics"][0], "parent": "web-development"})

    message = import_fails(bad(mutate))
    assert message == "topics[1] ('green-it'), field 'slug': appears twice"


def test_it_refuses_a_string_where_a_number_belongs() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["supporters"][0]["hours_per_month"] = "6"

    message = import_fails(bad(mutate))
    assert message.startswith("supporters[0] ('greta-gruen'), field 'hours_per_month': ")
    assert "'6' is not of type 'integer'" in message


def test_it_refuses_a_record_without_a_slug() -> None:
    message = import_fails(bad(lambda d: d["collectives"][1].pop("slug")))
    assert message == "collectives[1]: 'slug' is a required property"


def test_it_refuses_unknown_fields() -> None:
    message = import_fails(bad(lambda d: d["collectives"][0].update(colour="red")))
    assert message.startswith("collectives[0] ('zaunkoenig'): ")
    assert "'colour'" in message


def test_it_names_the_first_bad_record_and_counts_the_others() -> None:
    data = small_network()
    data["collectives"] = [
        {"slug": f"kollektiv-{i}", "name": f"Kollektiv {i}", "founded_year": 2000}
        for i in range(12)
    ]
    data["collectives"][2]["founded_year"] = "zweitausend"
    data["collectives"][10]["founded_year"] = "zehn"

    message = import_fails(data)

    assert message.startswith("collectives[2] ('kollektiv-2'), field 'founded_year': ")
    assert message.endswith("(and 1 more problems)")


def test_it_writes_nothing_when_a_later_record_fails_while_writing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole import is one transaction, not only checked up front."""
    original = serialization._import_supporter

    def failing(record: dict[str, Any], topics: dict[str, Topic]) -> Any:
        original(record, topics)
        raise RuntimeError("disk full")

    monkeypatch.setattr(serialization, "_import_supporter", failing)
    before = counts()

    with pytest.raises(RuntimeError, match="disk full"):
        do_import_network(small_network())

    assert counts() == before
    assert not Supporter.objects.filter(slug="greta-gruen").exists()


# --- The management command ---------------------------------------------------------------


def test_it_the_command_imports_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_network", str(write(tmp_path, small_network())))

    assert "collectives: 2 created" in capsys.readouterr().out
    assert Collective.objects.filter(slug__in=["zaunkoenig", "kiebitz"]).count() == 2


def test_it_the_command_refuses_a_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["supporters"][0]["region"]["country"] = "Germany"

    path = write(tmp_path, bad(mutate))
    before = counts()

    with pytest.raises(CommandError) as caught:
        call_command("import_network", str(path))

    assert str(caught.value).startswith("Nothing was imported. supporters[0] ('greta-gruen')")
    assert "region.country" in str(caught.value)
    assert counts() == before


def test_it_the_command_refuses_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(CommandError, match=r"Nothing was imported\. .* is not valid JSON"):
        call_command("import_network", str(path))


# --- docs/network-format.md stays true ----------------------------------------------------

FORMAT_DOC = Path(__file__).resolve().parents[3] / "docs" / "network-format.md"


def documented_json_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_it_the_documented_example_imports_as_documented() -> None:
    doc = FORMAT_DOC.read_text(encoding="utf-8")
    example = json.loads(documented_json_blocks()[-1])

    first = do_import_network(example)
    second = do_import_network(example)

    assert f"Imported: {first}" in doc
    assert f"Imported: {second}" in doc
    assert Collective.objects.get(slug="zaunkoenig").references.count() == 1


def test_it_the_documented_skeleton_is_a_valid_empty_file() -> None:
    assert str(do_import_network(json.loads(documented_json_blocks()[0]))) == "nothing to import"


def test_it_the_documented_error_message_is_the_real_one(tmp_path: Path) -> None:
    example = json.loads(documented_json_blocks()[-1])
    example["collectives"][1]["region"]["country"] = "Germany"

    with pytest.raises(CommandError) as caught:
        call_command("import_network", str(write(tmp_path, example)))

    assert f"CommandError: {caught.value}\n" in FORMAT_DOC.read_text(encoding="utf-8")
