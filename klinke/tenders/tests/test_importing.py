"""Storing notices: idempotent, history kept, changes and cancellations in either order."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from klinke.tenders.importing import do_import_outcomes, fold, record_from_json
from klinke.tenders.models import Notice, Tender, TenderState
from klinke.tenders.tests.conftest import (
    change_of,
    deadline_in,
    import_records,
    parsed,
    record,
    rejected,
)
from klinke.testing import run_at_once

pytestmark = pytest.mark.django_db


def test_it_round_trips_a_record_through_its_json():
    original = record()
    assert record_from_json(original.as_json()) == original


def test_it_creates_a_tender_with_its_lots_and_the_notice_with_provenance():
    summary = do_import_outcomes([parsed(record(), name="2026-12-01.zip", member="a/cn.xml")])
    assert (summary.new, summary.updated, summary.unchanged) == (1, 0, 0)
    tender = Tender.objects.get(procedure_id="proc-webportal")
    assert tender.state == TenderState.OPEN
    assert tender.title == {"de": "Entwicklung eines Webportals für die Stadtbibliothek"}
    assert tender.cpv_main == "72230000"
    assert tender.cpv_additional == ["72212224"]
    assert tender.nuts == ["DED51"]
    assert tender.estimated_value == Decimal("100000")
    assert tender.deadline_kind == "BT-131"
    assert tender.deadline_written.endswith("+01:00")
    assert [lot.lot_id for lot in tender.lots.all()] == ["LOT-0001"]
    notice = Notice.objects.get()
    assert notice.tender == tender
    assert (notice.source_name, notice.source_member) == ("2026-12-01.zip", "a/cn.xml")
    assert len(notice.sha256) == 64
    assert notice.imported_at is not None


def test_it_changes_nothing_when_the_same_notice_comes_again():
    import_records(record())
    before = Tender.objects.values().get()
    summary = import_records(record())
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 1)
    assert Tender.objects.values().get() == before
    assert Notice.objects.count() == 1


def test_it_updates_the_tender_from_a_newer_version_and_keeps_the_history():
    import_records(record())
    summary = import_records(record(version="02", title={"de": "Webportal, neu ausgeschrieben"}))
    assert summary.updated == 1
    tender = Tender.objects.get()
    assert tender.title == {"de": "Webportal, neu ausgeschrieben"}
    assert tender.notice_version == "02"
    assert tender.notices.count() == 2


def test_it_keeps_the_newer_version_when_an_older_one_arrives_late():
    import_records(record(version="02", title={"de": "Neu"}))
    import_records(record(version="01", title={"de": "Alt"}))
    tender = Tender.objects.get()
    assert tender.title == {"de": "Neu"}
    assert tender.notices.count() == 2


def test_it_updates_the_tender_from_a_change_notice():
    original = record()
    import_records(original)
    later = deadline_in(20)
    summary = import_records(
        change_of(
            original,
            "n-change",
            deadline=later,
            issue_date=original.issue_date + dt.timedelta(days=1),
        )
    )
    assert summary.updated == 1
    tender = Tender.objects.get()
    assert tender.deadline == later.utc
    assert tender.notice_id == "n-change"


@pytest.mark.parametrize("order", ["original first", "changes first"])
def test_it_applies_several_changes_in_publication_order_whatever_the_import_order(order):
    original = record()
    day = original.issue_date
    first = change_of(
        original, "n-c1", title={"de": "Erste Änderung"}, issue_date=day + dt.timedelta(days=1)
    )
    second = change_of(
        original, "n-c2", title={"de": "Zweite Änderung"}, issue_date=day + dt.timedelta(days=2)
    )
    notices = [original, second, first] if order == "original first" else [second, first, original]
    summaries = [import_records(n) for n in notices]
    tender = Tender.objects.get()
    assert tender.title == {"de": "Zweite Änderung"}
    assert tender.notices.count() == 3
    if order == "changes first":
        assert [s.waiting for s in summaries] == [1, 1, 0]
        assert summaries[-1].new == 1


@pytest.mark.parametrize("order", ["original first", "cancellation first"])
def test_it_cancels_the_tender_in_either_order(order):
    original = record()
    cancel = change_of(
        original,
        "n-cancel",
        role="cancellation",
        reason_code="cancel",
        reason={"de": "Kein Bedarf mehr"},
        issue_date=original.issue_date + dt.timedelta(days=3),
    )
    for notice in [original, cancel] if order == "original first" else [cancel, original]:
        import_records(notice)
    tender = Tender.objects.get()
    assert tender.state == TenderState.CANCELLED
    assert tender.cancellation_reason == "cancel – Kein Bedarf mehr"
    # A re-import of the whole day changes nothing.
    again = import_records(original, cancel)
    assert again.unchanged == 2
    assert Tender.objects.get().state == TenderState.CANCELLED


def test_it_closes_the_tender_on_a_result_notice():
    original = record()
    import_records(original, change_of(original, "n-result", role="result"))
    assert Tender.objects.get().state == TenderState.CLOSED


def test_it_folds_ocds_releases_with_equal_dates_the_same_in_any_order():
    day = dt.date(2026, 11, 30)
    a = record(
        notice_id="ocds-1",
        version="1",
        issue_date=day,
        title={"en": "Release A"},
        source_format="ocds",
    )
    b = record(
        notice_id="ocds-2",
        version="1",
        issue_date=day,
        title={"en": "Release B"},
        source_format="ocds",
    )
    import_records(b, a)
    first = Tender.objects.get().title
    Tender.objects.all().delete()
    Notice.objects.all().delete()
    import_records(a, b)
    assert Tender.objects.get().title == first == {"en": "Release B"}


def test_it_counts_rejected_files_with_their_reasons_and_goes_on():
    summary = do_import_outcomes([rejected("evil.xml: DOCTYPE is not allowed"), parsed(record())])
    assert summary.rejected == ["evil.xml: DOCTYPE is not allowed"]
    assert summary.new == 1


def test_it_keeps_a_lone_change_waiting_without_a_tender():
    summary = import_records(change_of(record(), "n-change"))
    assert summary.waiting == 1
    assert not Tender.objects.exists()
    assert Notice.objects.get().tender is None


def test_it_folds_nothing_without_an_original():
    assert fold([]) is None


def test_it_prints_a_summary_with_rejections(monkeypatch):
    import klinke.tenders.parsers as parsers

    outcomes = [parsed(record()), rejected("evil.xml: DOCTYPE is not allowed")]
    monkeypatch.setattr(parsers, "read_paths", lambda paths: iter(outcomes), raising=False)
    out, err = StringIO(), StringIO()
    call_command("import_tenders", "day.zip", "--no-progress", stdout=out, stderr=err)
    text = out.getvalue()
    assert "new: 1, updated: 0, unchanged: 0" in text
    assert "rejected: 1" in text
    assert "rejected: evil.xml: DOCTYPE is not allowed" in text
    assert "1 file(s) rejected" in err.getvalue()


def test_it_keeps_a_placeholder_deadline_and_marks_it():
    import_records(record(deadline=replace(deadline_in(3000), placeholder=True)))
    assert Tender.objects.get().deadline_placeholder is True


def test_it_cuts_overlong_texts_to_their_columns_instead_of_failing():
    import_records(record(buyer_name="Stadt " * 120, publication_number="9" * 60))
    tender = Tender.objects.get()
    assert len(tender.buyer_name) == 500
    assert len(tender.publication_number) == 40


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers; the unique constraints under test race on PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_imports_the_same_day_in_parallel_workers_once():
    original = record()
    newer = record(version="02", title={"de": "Webportal, zweite Fassung"})
    results = run_at_once(
        [lambda r=r: import_records(r) for r in (original, original, newer, newer, original)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Tender.objects.count() == 1
    assert Notice.objects.count() == 2
    assert Tender.objects.get().title == {"de": "Webportal, zweite Fassung"}
    assert set(Notice.objects.values_list("tender_id", flat=True)) == {Tender.objects.get().pk}
