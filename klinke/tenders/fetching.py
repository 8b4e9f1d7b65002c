"""Downloading a day's package of notices, for `manage.py fetch_tenders` and the worker.

Off unless `TENDER_FETCH_URL` is set: an http(s) address with `{date}` (2026-12-01) or
`{yyyymmdd}` (20261201) where the day goes, such as a TED daily package or an export of the
German Bekanntmachungsservice. The answer is saved under `TENDER_FETCH_DIR` and then imported
like any file given to `import_tenders`. An empty answer or a throttling one (429, 503, a
Retry-After header) is an error, never an empty day. Tests pass a fake `Transport`; nothing
here is called with the network in the test suite.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import urlparse

MAX_BYTES: Final = 512 * 1024 * 1024
"""A day's package larger than this is refused (TED's daily packages are far smaller)."""
TIMEOUT_SECONDS: Final = 120
THROTTLED: Final = frozenset({429, 503})
SUFFIXES: Final = {
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/gzip": ".tar.gz",
    "application/x-gzip": ".tar.gz",
    "application/x-tar": ".tar.gz",
    "application/json": ".json",
    "application/xml": ".xml",
    "text/xml": ".xml",
}


class FetchError(Exception):
    """The download failed or answered something that is not a day of notices."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes


class Transport(Protocol):
    def get(self, url: str) -> Answer: ...


class UrllibTransport:
    """The real transport: one GET with a timeout and a size limit."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes

    def get(self, url: str) -> Answer:
        if urlparse(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https addresses are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": "klinke tender fetch"})  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(self.max_bytes + 1)
                headers = {k.lower(): v for k, v in response.headers.items()}
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
            return Answer(exc.code, headers, b"")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise FetchError(f"{url}: {exc}") from exc
        if len(body) > self.max_bytes:
            raise FetchError(f"{url}: larger than {self.max_bytes} bytes")
        return Answer(status, headers, body)


def day_url(template: str, day: dt.date) -> str:
    if "{date}" not in template and "{yyyymmdd}" not in template:
        raise FetchError("TENDER_FETCH_URL needs {date} or {yyyymmdd} where the day goes")
    return template.replace("{date}", day.isoformat()).replace("{yyyymmdd}", day.strftime("%Y%m%d"))


def _suffix(url: str, headers: Mapping[str, str]) -> str:
    path = urlparse(url).path.lower()
    for ending in (".tar.gz", ".tgz", ".zip", ".json", ".xml"):
        if path.endswith(ending):
            return ".tar.gz" if ending == ".tgz" else ending
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return SUFFIXES.get(content_type, ".zip")


def fetch_day(
    *, transport: Transport, url_template: str, day: dt.date, directory: Path
) -> Path | None:
    """Download the day's package into `directory`; None when that day is there already.

    The file is claimed first (created exclusively), so two workers never fetch one day twice;
    a failed download removes the claim again, so the next run retries.
    """
    url = day_url(url_template, day)
    directory.mkdir(parents=True, exist_ok=True)
    claim = directory / f"tenders-{day.isoformat()}.part"
    done = [p for p in directory.glob(f"tenders-{day.isoformat()}.*") if p != claim]
    if done:
        return None
    try:
        descriptor = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)
    except FileExistsError:
        return None
    try:
        answer = transport.get(url)
        if answer.status in THROTTLED or "retry-after" in answer.headers:
            raise FetchError(
                f"{url}: throttled (HTTP {answer.status}"
                + (
                    f", retry after {answer.headers['retry-after']}"
                    if "retry-after" in answer.headers
                    else ""
                )
                + "); try again later"
            )
        if answer.status != 200:
            raise FetchError(f"{url}: HTTP {answer.status}")
        if not answer.body.strip():
            raise FetchError(f"{url}: the answer is empty, which is an error, not an empty day")
        with os.fdopen(descriptor, "wb") as handle:
            descriptor = -1
            handle.write(answer.body)
        target = directory / f"tenders-{day.isoformat()}{_suffix(url, answer.headers)}"
        claim.replace(target)
        return target
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        claim.unlink(missing_ok=True)
        raise
