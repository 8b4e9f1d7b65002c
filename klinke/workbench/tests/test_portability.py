"""A collective's workbench as a .zip: export, import into an empty collective, same data."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from klinke.collectives.models import Collective, Membership
from klinke.conftest import make_collective
from klinke.contacts.models import Contact, ContactPhone, Organisation
from klinke.testing import api_client
from klinke.workbench.actions import do_import_workbench
from klinke.workbench.models import (
    Activity,
    Decision,
    ImportedRecord,
    Lead,
    RedLine,
    Referral,
    Response,
    WorkbenchSettings,
)
from klinke.workbench.portability import (
    KINDS,
    WorkbenchArchiveError,
    build_workbench_archive,
    read_workbench_archive,
    workbench_records,
)
from klinke.workbench.tests.conftest import Workbench

pytestmark = pytest.mark.django_db


def _enrich(workbench: Workbench) -> None:
    network = workbench.network
    ContactPhone.objects.create(contact=workbench.contact, raw="0341 123456", label="work")
    Response.objects.create(decision=workbench.decision, member=network.alice, choice="agree")
    WorkbenchSettings.objects.create(
        collective=network.collective_a, stale_after_days=21, quorum_percent=60
    )
    workbench.lead.topics.set(
        workbench.lead.topics.model.objects.filter(slug__in=["web-development"])
    )


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _without_ids(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Records compared by content: ids and references to ids replaced by their order."""
    out = {}
    for kind in KINDS:
        rows = []
        for record in records[kind.name]:
            plain = {
                k: v
                for k, v in record.items()
                if k not in {"id", "updated_at", "screened_at", "lead", "contact", "organisation"}
                and k != "new_lead"
            }
            rows.append(json.dumps(plain, sort_keys=True))
        out[kind.name] = sorted(rows)
    return out


def test_it_exports_people_files_and_klinke_files(workbench: Workbench) -> None:
    _enrich(workbench)

    files = _unzip(build_workbench_archive(workbench.network.collective_a))

    assert {"manifest.json", "README.txt", "contacts.vcf", "contacts.csv", "leads.csv"} <= set(
        files
    )
    assert b"VERSION:4.0" in files["contacts.vcf"]
    assert b"Ruth Berger" in files["contacts.vcf"]
    assert b"Ruth" in files["contacts.csv"]
    assert "Neue Website für den Mieterverein".encode() in files["leads.csv"]
    assert b"Erstes Telefonat" in files["activities.csv"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["collective"]["slug"] == "quellcode"
    assert manifest["counts"]["leads"] == 2
    leads = json.loads(files["leads.json"])
    assert {lead["id"] for lead in leads} == set(
        Lead.objects.filter(collective=workbench.network.collective_a).values_list("pk", flat=True)
    )
    assert json.loads(files["responses.json"])[0]["member"] == "alice@example.org"
    assert json.loads(files["settings.json"])[0]["stale_after_days"] == 21


def test_it_exports_nothing_of_other_collectives(workbench: Workbench) -> None:
    other = workbench.network.collective_b
    Organisation.objects.create(collective=other, name="Fremde Firma GmbH")
    Lead.objects.create(collective=other, title="Fremder Auftrag")

    data = build_workbench_archive(workbench.network.collective_a)

    assert b"Fremde" not in b"".join(_unzip(data).values())


def test_it_imports_into_a_fresh_collective_with_the_same_ids(workbench: Workbench) -> None:
    _enrich(workbench)
    network = workbench.network
    before = workbench_records(network.collective_a)
    data = build_workbench_archive(network.collective_a)
    # A fresh instance: the collective and its members exist, its workbench does not.
    network.collective_a.delete()
    fresh = make_collective(
        "quellcode", "Kollektiv Quellcode", members=[network.alice, network.alice2]
    )

    counts = do_import_workbench(collective=fresh, archive=read_workbench_archive(data))

    after = workbench_records(fresh)
    for kind in KINDS:
        if not kind.importable:
            continue
        for old, new in zip(before[kind.name], after[kind.name], strict=True):
            for derived in ("updated_at", "screened_at"):  # set when saved
                old.pop(derived, None)
                new.pop(derived, None)
            assert new == old, kind.name
    assert counts.created["leads"] == 2
    assert counts.skipped == {"referrals": 1}
    # Rows kept their ids; new rows still get fresh ones (PostgreSQL's sequences moved on).
    newer = Lead.objects.create(collective=fresh, title="Danach angelegt")
    assert newer.pk > max(lead["id"] for lead in before["leads"])


def test_it_imports_into_another_collective_when_the_ids_are_taken(workbench: Workbench) -> None:
    _enrich(workbench)
    network = workbench.network
    data = build_workbench_archive(network.collective_a)
    twin = make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])

    do_import_workbench(collective=twin, archive=read_workbench_archive(data))

    old, new = workbench_records(network.collective_a), workbench_records(twin)
    assert _without_ids(new)["leads"] == _without_ids(old)["leads"]
    assert _without_ids(new)["contacts"] == _without_ids(old)["contacts"]
    assert _without_ids(new)["decisions"] == _without_ids(old)["decisions"]
    new_lead = Lead.objects.get(collective=twin, title="Neue Website für den Mieterverein")
    assert new_lead.contact is not None and new_lead.contact.collective == twin
    assert new_lead.organisation is not None and new_lead.organisation.collective == twin
    assert Activity.objects.get(lead=new_lead).contact == new_lead.contact
    # alina is no member of the twin, so her nothing links to her; alice's response stays.
    assert list(
        Response.objects.filter(decision__collective=twin).values_list("member", flat=True)
    ) == [network.alice.pk]


def test_it_imports_the_same_archive_twice_without_copies(workbench: Workbench) -> None:
    _enrich(workbench)
    network = workbench.network
    data = build_workbench_archive(network.collective_a)
    twin = make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])
    archive = read_workbench_archive(data)
    do_import_workbench(collective=twin, archive=archive)
    sizes = (
        Lead.objects.filter(collective=twin).count(),
        Contact.objects.filter(collective=twin).count(),
        Activity.objects.filter(lead__collective=twin).count(),
        Decision.objects.filter(collective=twin).count(),
        RedLine.objects.filter(collective=twin).count(),
        Referral.objects.filter(from_collective=twin).count(),
    )

    counts = do_import_workbench(collective=twin, archive=archive)

    assert not counts.created
    assert counts.updated["leads"] == 2
    assert sizes == (
        Lead.objects.filter(collective=twin).count(),
        Contact.objects.filter(collective=twin).count(),
        Activity.objects.filter(lead__collective=twin).count(),
        Decision.objects.filter(collective=twin).count(),
        RedLine.objects.filter(collective=twin).count(),
        Referral.objects.filter(from_collective=twin).count(),
    )
    assert sizes == (2, 1, 1, 1, 1, 0)


def test_it_never_imports_referrals_into_another_collectives_workbench(
    workbench: Workbench,
) -> None:
    network = workbench.network
    files = _unzip(build_workbench_archive(network.collective_a))
    # A forged referral from collective B to the third collective: neither is the importer.
    referrals = json.loads(files["referrals.json"])
    referrals.append(dict(referrals[0], id=999, from_collective="rotkehlchen"))
    files["referrals.json"] = json.dumps(referrals).encode()
    twin = make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])
    before = Referral.objects.count()

    counts = do_import_workbench(collective=twin, archive=read_workbench_archive(_zip(files)))  # type: ignore[arg-type]

    assert counts.skipped == {"referrals": 2}
    assert Referral.objects.count() == before
    assert len(json.loads(files["referrals.json"])) == 2


def _zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _manifest() -> str:
    return json.dumps(
        {
            "format": "klinke-workbench",
            "version": 1,
            "source": "https://other.example/collectives/x/",
            "collective": {"slug": "x", "name": "X"},
        }
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"manifest.json": _manifest(), "../../etc/passwd": "x"}, "does not have"),
        ({"manifest.json": _manifest(), "leads/evil.json": "[]"}, "does not have"),
        ({"manifest.json": _manifest(), "leads.json": " " * (21 * 1024 * 1024)}, "too large"),
        ({"leads.json": "[]"}, "no manifest"),
        ({"manifest.json": "{}"}, "known version"),
        ({"manifest.json": _manifest(), "leads.json": "{not json"}, "not valid JSON"),
        ({"manifest.json": _manifest(), "leads.json": '[{"title": "no id"}]'}, "with ids"),
        ({"manifest.json": _manifest(), "leads.json": '[{"id": 1152921504606846976}]'}, "with ids"),
    ],
)
def test_it_refuses_a_hostile_or_broken_archive(
    network: Any, files: dict[str, str], message: str
) -> None:
    with pytest.raises(WorkbenchArchiveError, match=message):
        read_workbench_archive(_zip(files))


def test_it_refuses_what_is_not_a_zip() -> None:
    with pytest.raises(WorkbenchArchiveError, match=r"not a \.zip"):
        read_workbench_archive(b"PK\x03\x04 but not really")


def test_it_writes_nothing_when_one_record_is_refused(workbench: Workbench) -> None:
    network = workbench.network
    files = _unzip(build_workbench_archive(network.collective_a))
    leads = json.loads(files["leads.json"])
    leads[-1]["stage"] = "no-such-stage"
    files["leads.json"] = json.dumps(leads).encode()
    twin = make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])

    with pytest.raises(WorkbenchArchiveError, match="stage"):
        do_import_workbench(collective=twin, archive=read_workbench_archive(_zip(files)))  # type: ignore[arg-type]

    assert not Organisation.objects.filter(collective=twin).exists()
    assert not Lead.objects.filter(collective=twin).exists()
    assert not ImportedRecord.objects.exists()


def test_it_imports_through_the_command(workbench: Workbench, tmp_path: Any) -> None:
    network = workbench.network
    path = tmp_path / "workbench.zip"
    path.write_bytes(build_workbench_archive(network.collective_a))
    twin = make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])
    out = io.StringIO()

    call_command("import_workbench", str(path), "--collective", twin.slug, stdout=out)

    assert "created" in out.getvalue()
    assert Lead.objects.filter(collective=twin).count() == 2
    with pytest.raises(CommandError, match="no collective"):
        call_command("import_workbench", str(path), "--collective", "nope")


def test_it_keeps_membership_out_of_the_archive(workbench: Workbench) -> None:
    files = _unzip(build_workbench_archive(workbench.network.collective_a))

    assert "memberships.json" not in files
    assert Membership.objects.filter(collective=workbench.network.collective_a).count() == 2
    assert isinstance(workbench.network.collective_a, Collective)


# --- pages and API ---------------------------------------------------------------------------


def test_it_downloads_the_archive_for_members(workbench: Workbench) -> None:
    network = workbench.network
    client = network.client_for(network.alice)

    response = client.get(reverse("workbench:data_export", args=["quellcode"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="quellcode-workbench-' in response["Content-Disposition"]
    assert "leads.json" in _unzip(response.content)


def test_it_shows_the_page_and_imports_an_upload(workbench: Workbench) -> None:
    network = workbench.network
    data = build_workbench_archive(network.collective_a)
    twin = make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])
    client = network.client_for(network.alice)
    url = reverse("workbench:data", args=[twin.slug])

    page = client.get(url)
    response = client.post(
        url, {"archive": SimpleUploadedFile("wb.zip", data, "application/zip")}, follow=True
    )

    assert page.status_code == 200
    assert b"Download .zip" in page.content
    assert response.status_code == 200
    assert b"Imported: 8 new, 0 updated, 1 left out." in response.content
    assert Lead.objects.filter(collective=twin).count() == 2


def test_it_shows_why_an_archive_is_refused(workbench: Workbench) -> None:
    network = workbench.network
    client = network.client_for(network.alice)
    bad = _zip({"manifest.json": _manifest(), "../../evil.json": "[]"})

    response = client.post(
        reverse("workbench:data", args=["quellcode"]),
        {"archive": SimpleUploadedFile("wb.zip", bad, "application/zip")},
    )

    assert response.status_code == 400
    assert b"does not have: ../../evil.json" in response.content
    assert not ImportedRecord.objects.exists()


@pytest.mark.parametrize("who", ["bob", "sam", "stella", "outsider"])
def test_it_answers_404_to_everyone_but_members(workbench: Workbench, who: str) -> None:
    network = workbench.network
    client = network.client_for(getattr(network, who))
    upload = SimpleUploadedFile("wb.zip", build_workbench_archive(network.collective_b))

    export = client.get(reverse("workbench:data_export", args=["quellcode"]))
    page = client.post(reverse("workbench:data", args=["quellcode"]), {"archive": upload})
    api = api_client(getattr(network, who)).get("/api/v1/workbench/quellcode/export")

    assert (export.status_code, page.status_code, api.status_code) == (404, 404, 404)
    assert not ImportedRecord.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(workbench: Workbench) -> None:
    response = Client().get(reverse("workbench:data_export", args=["quellcode"]))
    api = Client().get("/api/v1/workbench/quellcode/export")

    assert response.status_code == 302
    assert api.status_code == 401


def test_it_exports_through_the_api(workbench: Workbench) -> None:
    response = api_client(workbench.network.alice).get("/api/v1/workbench/quellcode/export")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _unzip(response.content)
    assert json.loads(files["manifest.json"])["counts"]["leads"] == 2


def test_it_exports_in_a_fixed_number_of_queries(
    workbench: Workbench, django_assert_max_num_queries: Any
) -> None:
    network = workbench.network
    for number in range(10):
        lead = Lead.objects.create(collective=network.collective_a, title=f"Lead {number}")
        lead.members.set([network.alice])
        Activity.objects.create(lead=lead, kind="note", text="Notiz")
        Contact.objects.create(collective=network.collective_a, given_name=f"P{number}")

    with django_assert_max_num_queries(25):
        build_workbench_archive(network.collective_a)
