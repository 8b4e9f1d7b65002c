"""Fetching a day's package: through a fake transport, never the network."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from klinke.tenders import actions
from klinke.tenders.fetching import Answer, FetchError, UrllibTransport, day_url, fetch_day
from klinke.tenders.models import Tender
from klinke.tenders.tests.conftest import parsed, record

DAY = dt.date(2026, 12, 1)
TEMPLATE = "https://packages.example.org/daily/{yyyymmdd}.zip"


class FakeTransport:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.urls: list[str] = []

    def get(self, url: str) -> Answer:
        self.urls.append(url)
        return self.answer


def ok(body: bytes = b"PK\x03\x04 a package") -> FakeTransport:
    return FakeTransport(Answer(200, {"content-type": "application/zip"}, body))


def test_it_puts_the_day_into_the_address():
    assert day_url(TEMPLATE, DAY) == "https://packages.example.org/daily/20261201.zip"
    assert day_url("https://x.example/{date}", DAY) == "https://x.example/2026-12-01"
    with pytest.raises(FetchError, match="needs"):
        day_url("https://x.example/today", DAY)


def test_it_saves_the_package_once(tmp_path):
    transport = ok()
    path = fetch_day(transport=transport, url_template=TEMPLATE, day=DAY, directory=tmp_path)
    assert path == tmp_path / "tenders-2026-12-01.zip"
    assert path.read_bytes() == b"PK\x03\x04 a package"
    assert transport.urls == ["https://packages.example.org/daily/20261201.zip"]
    again = fetch_day(transport=transport, url_template=TEMPLATE, day=DAY, directory=tmp_path)
    assert again is None
    assert len(transport.urls) == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(200, {}, b""), "empty"),
        (Answer(200, {}, b"  \n"), "empty"),
        (Answer(429, {"retry-after": "3600"}, b""), "throttled"),
        (Answer(503, {}, b"busy"), "throttled"),
        (Answer(200, {"retry-after": "60"}, b"<html>slow down</html>"), "throttled"),
        (Answer(404, {}, b"not found"), "HTTP 404"),
    ],
)
def test_it_treats_empty_and_throttled_answers_as_errors_and_retries_later(
    tmp_path, answer, message
):
    with pytest.raises(FetchError, match=message):
        fetch_day(
            transport=FakeTransport(answer), url_template=TEMPLATE, day=DAY, directory=tmp_path
        )
    assert list(tmp_path.iterdir()) == []  # nothing saved, the claim released


def test_it_refuses_other_schemes_in_the_real_transport():
    with pytest.raises(FetchError, match="only http and https"):
        UrllibTransport().get("file:///etc/passwd")


@pytest.mark.django_db
def test_it_fetches_and_imports_a_day_with_the_command(settings, tmp_path, monkeypatch):
    settings.TENDER_FETCH_URL = TEMPLATE
    settings.TENDER_FETCH_DIR = str(tmp_path)
    read = []
    monkeypatch.setattr(
        actions, "read_paths", lambda paths: read.extend(paths) or iter([parsed(record())])
    )
    monkeypatch.setattr(actions, "UrllibTransport", lambda: ok())
    out = StringIO()
    call_command("fetch_tenders", "--date", "2026-12-01", stdout=out)
    assert read == [str(tmp_path / "tenders-2026-12-01.zip")]
    assert "new: 1" in out.getvalue()
    assert Tender.objects.count() == 1
    out = StringIO()
    call_command("fetch_tenders", "--date", "2026-12-01", stdout=out)
    assert "fetched before" in out.getvalue()


@pytest.mark.django_db
def test_it_is_off_unless_configured(settings):
    settings.TENDER_FETCH_URL = ""
    with pytest.raises(CommandError, match="off"):
        call_command("fetch_tenders")
    assert actions.do_fetch_yesterdays_tenders() == 0


@pytest.mark.django_db
def test_it_reports_a_throttled_answer_as_a_command_error(settings, tmp_path, monkeypatch):
    settings.TENDER_FETCH_URL = TEMPLATE
    settings.TENDER_FETCH_DIR = str(tmp_path)
    monkeypatch.setattr(actions, "UrllibTransport", lambda: FakeTransport(Answer(429, {}, b"")))
    with pytest.raises(CommandError, match="throttled"):
        call_command("fetch_tenders", "--date", "2026-12-01")
    assert not Tender.objects.exists()
