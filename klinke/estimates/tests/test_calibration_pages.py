"""Actual hours, the time tracker import, the accuracy page and the calibration line, as
members see them; 404 for everyone else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from klinke.estimates import actions, timesheets
from klinke.estimates.models import ActualHours, HoursSource
from klinke.estimates.tests.conftest import ended_project, make_estimate
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def url(name, estimate, *extra):
    return reverse(f"estimates:{name}", args=[estimate.collective.slug, estimate.pk, *extra])


@pytest.fixture
def accepted(network, shared):
    actions.do_decide_estimate(estimate=shared.estimate, version_number=1, accept=True)
    shared.estimate.refresh_from_db()
    return shared.estimate


def test_it_records_hours_on_the_accepted_version_without_changing_it(network, accepted):
    alice = network.client_for(network.alice)
    page = alice.get(url("actuals", accepted))
    assert page.status_code == 200
    package = accepted.decided_version.packages.get(name="Umsetzung")
    response = alice.post(
        url("actuals", accepted),
        {
            "hours-package": package.pk,
            "hours-hours": "12.5",
            "hours-person": "Ada",
            "hours-worked_on": "2026-03-01",
            "hours-note": "",
        },
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 302
    row = ActualHours.objects.get()
    assert row.hours == Decimal("12.50") and row.source == HoursSource.TYPED
    assert accepted.decided_version.packages.get(pk=package.pk).likely_hours == Decimal(30)
    assert "12.50" in alice.get(url("actuals", accepted)).content.decode()


def test_it_refuses_bad_hours_and_foreign_packages(network, accepted):
    alice = network.client_for(network.alice)
    package = accepted.decided_version.packages.first()
    for hours in ("-3", "0", "abc", "100000"):
        response = alice.post(
            url("actuals", accepted), {"hours-package": package.pk, "hours-hours": hours}
        )
        assert response.status_code == 200
    other = make_estimate(network.collective_b, network.bob, title="B")
    foreign = other.latest_version().packages.first()
    response = alice.post(
        url("actuals", accepted), {"hours-package": foreign.pk, "hours-hours": "2"}
    )
    assert response.status_code == 200
    assert not ActualHours.objects.exists()
    with pytest.raises(actions.EstimateError):
        actions.do_record_actual_hours(
            estimate=other,
            user=network.bob,
            rows=[actions.ActualValues(package_id=foreign.pk, hours=Decimal(1))],
        )


def test_it_hides_everything_from_outsiders(network, accepted):
    names = ("actuals", "actuals_import", "end_project", "actuals_upload", "calibrate")
    for client in (network.client_for(network.bob), network.client_for(network.sam)):
        for name in names:
            assert client.get(url(name, accepted)).status_code == 404
            assert client.post(url(name, accepted), {"apply": "1"}).status_code == 404
        accuracy = reverse("estimates:accuracy", args=[accepted.collective.slug])
        assert client.get(accuracy).status_code == 404
    anonymous = network.client_for(None)
    assert anonymous.get(url("actuals", accepted)).status_code == 302
    # A member sees actual hours only of an accepted estimate.
    draft = make_estimate(network.collective_a, network.alice, title="Entwurf")
    assert network.client_for(network.alice).get(url("actuals", draft)).status_code == 404


def test_it_imports_a_time_tracker_csv_after_a_preview(network, accepted):
    alice = network.client_for(network.alice)
    data = (
        b"Datum;Person;Aufgabe;Stunden\n"
        b"01.03.2026;Ada;Konzept;4\n"
        b"02.03.2026;Grace;Umsetzung Backend;7:30\n"
        b"03.03.2026;Ada;Kaffee;1\n"
        b"04.03.2026;Ada;Schulung;-1\n"
    )
    upload = alice.post(
        url("actuals_upload", accepted),
        {"file": SimpleUploadedFile("zeiten.csv", data, content_type="text/csv")},
    )
    assert upload.status_code == 302 and upload["Location"].endswith("/actuals/import/")
    preview = alice.get(url("actuals_import", accepted), HTTP_ACCEPT_LANGUAGE="en")
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Kaffee" in body and "no work package of this name" in body
    assert "hours must be more than 0" in body
    assert not ActualHours.objects.exists()  # nothing written before confirming
    mapping = {"date": "0", "person": "1", "package": "2", "hours": "3", "note": ""}
    done = alice.post(url("actuals_import", accepted), {**mapping, "confirm": "1"})
    assert done.status_code == 302
    assert ActualHours.objects.count() == 2
    assert set(ActualHours.objects.values_list("hours", flat=True)) == {Decimal(4), Decimal("7.5")}
    assert ActualHours.objects.filter(source=HoursSource.IMPORTED).count() == 2


def test_it_refuses_files_it_cannot_read(network, accepted):
    alice = network.client_for(network.alice)
    huge = b"package;hours\n" + b"x" * timesheets.MAX_FILE_BYTES
    for data in (huge, b"only a header\n", b"\x89PNG\x00\x00"):
        response = alice.post(
            url("actuals_upload", accepted),
            {"file": SimpleUploadedFile("zeiten.csv", data)},
            follow=True,
        )
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].endswith("/actuals/")
    assert alice.get(url("actuals_import", accepted)).status_code == 302
    assert not ActualHours.objects.exists()


def test_it_shows_accuracy_and_offers_the_factor_on_a_new_estimate(network):
    for n in range(4):
        # E = 41 h; 53.3 h is 1.3×.
        ended_project(network.collective_a, network.alice, ("6.5", "41.6", "5.2"), title=f"P{n}")
    alice = network.client_for(network.alice)
    page = alice.get(reverse("estimates:accuracy", args=["quellcode"]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and 'id="accuracy-projects"' in body
    assert "Web development" in body and "development" in body
    assert "1.30×" in body

    from klinke.topics.models import Topic

    lead = make_lead(network.collective_a, "Neues Portal", topics=["calib-web"])
    assert Topic.objects.filter(slug="calib-web").exists()
    new = make_estimate(network.collective_a, network.alice, lead=lead, title="Neu")
    detail = alice.get(url("detail", new), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert (
        "Eure letzten 4 Projekte dieser Art brauchten 1,3× die erwarteten Stunden; "
        "0 von 4 lagen im Bereich." in detail
    )
    applied = alice.post(url("calibrate", new), {"apply": "1"})
    assert applied.status_code == 302
    version = new.latest_version()
    assert version.calibration_factor == Decimal("1.3")
    assert "Our" not in version.calibration_note and "Unsere letzten 4" in version.calibration_note
    result = version.result()
    assert result.calibration == Decimal(1169)  # 0.3 × 41 h × 95 € = 1168.5, half up
    # The client sees the line, and the shared (frozen) version keeps it.
    secret = actions.do_share_estimate(estimate=new, user=network.alice)
    client = network.client_for(None).get(reverse("estimate_client:page", args=[secret]))
    assert 'id="calibration-line"' in client.content.decode()
    assert "Unsere letzten 4 Projekte" in client.content.decode()
    refused = alice.post(url("calibrate", new), {"remove": "1"}, follow=True)
    assert new.latest_version().calibration_factor == Decimal("1.3")
    assert refused.status_code == 200


def test_it_says_when_there_is_nothing_to_calibrate_with(network, estimate):
    alice = network.client_for(network.alice)
    page = alice.get(reverse("estimates:accuracy", args=["quellcode"]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="accuracy-empty"' in page.content.decode()
    alice.post(url("calibrate", estimate), {"apply": "1"})
    assert estimate.latest_version().calibration_factor is None


def test_it_ends_and_reopens_a_project(network, accepted):
    alice = network.client_for(network.alice)
    alice.post(url("end_project", accepted))
    accepted.refresh_from_db()
    assert accepted.actuals_closed_at is None  # no hours yet
    package = accepted.decided_version.packages.first()
    actions.do_record_actual_hours(
        estimate=accepted,
        user=network.alice,
        rows=[actions.ActualValues(package_id=package.pk, hours=Decimal(3))],
    )
    alice.post(url("end_project", accepted))
    accepted.refresh_from_db()
    assert accepted.actuals_closed_at is not None
    with pytest.raises(actions.EstimateError):
        actions.do_record_actual_hours(
            estimate=accepted,
            user=network.alice,
            rows=[actions.ActualValues(package_id=package.pk, hours=Decimal(3))],
        )
    alice.post(url("end_project", accepted), {"reopen": "1"})
    accepted.refresh_from_db()
    assert accepted.actuals_closed_at is None
