"""Hostile and broken XML is refused with a clear message; nothing hangs, nothing is fetched.

A local HTTP server counts requests, so "nothing is fetched" is checked, not assumed.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from klinke.tenders.parsers import Parsed, Rejected, Source, parse_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "eforms"
NOTICE = (FIXTURES / "cn_24_minimal.xml").read_bytes()
ROOT = b'<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"'


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # pragma: no cover - reached only if the parser fetched
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ENTITY x 'fetched'>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Counting.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _reject(data: bytes) -> str:
    started = time.monotonic()
    outcome = parse_bytes(data, Source(name="hostile.xml", member=None, sha256="x"))
    assert time.monotonic() - started < 5, "the parser took too long"
    assert isinstance(outcome, Rejected), outcome
    assert outcome.reason.startswith("hostile.xml: ")
    return outcome.reason


def test_it_refuses_billion_laughs():
    lol = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    for level in range(1, 10):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        lol += f'<!ENTITY lol{level} "{previous * 10}">\n'.encode()
    lol += b"]>\n" + ROOT + b"><x>&lol9;</x></ContractNotice>"
    assert "DOCTYPE" in _reject(lol)


def test_it_refuses_external_entities_from_files_and_the_network(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    for system in (secret.as_uri(), f"{server}/entity"):
        data = (
            f'<?xml version="1.0"?><!DOCTYPE n [<!ENTITY e SYSTEM "{system}">]>'.encode()
            + ROOT
            + b"><x>&e;</x></ContractNotice>"
        )
        reason = _reject(data)
        assert "DOCTYPE" in reason
        assert "do not read me" not in reason
    assert _Counting.requests == []


def test_it_refuses_an_external_dtd_and_parameter_entities(server):
    data = f'<?xml version="1.0"?><!DOCTYPE n SYSTEM "{server}/dtd">'.encode() + ROOT + b"/>"
    assert "DOCTYPE" in _reject(data)
    data = (
        f'<?xml version="1.0"?><!DOCTYPE n [<!ENTITY % p SYSTEM "{server}/p"> %p;]>'.encode()
        + ROOT
        + b"/>"
    )
    assert "DOCTYPE" in _reject(data)
    assert _Counting.requests == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_it_refuses_a_doctype_hidden_in_another_encoding(server, tmp_path, encoding):
    secret = tmp_path / "secret.dtd"
    secret.write_text("do not read me")
    for system in (secret.as_uri(), f"{server}/dtd"):
        text = (
            f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE n SYSTEM "{system}">'
            + ROOT.decode()
            + "/>"
        )
        reason = _reject(text.encode(encoding))
        assert reason == "hostile.xml: a DOCTYPE or entity declaration is not allowed"
    assert _Counting.requests == []


def test_it_refuses_xinclude(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    data = NOTICE.replace(
        b"<cbc:UBLVersionID>",
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" '
        'parse="text"/><cbc:UBLVersionID>'.encode(),
    )
    assert "XInclude" in _reject(data)


def test_it_refuses_deep_nesting():
    data = ROOT + b">" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</ContractNotice>"
    assert "Excessive depth in document: 256" in _reject(data)


def test_it_refuses_a_byte_order_mark_alone():
    assert _reject(b"\xef\xbb\xbf") == "hostile.xml: the file is empty (only a byte order mark)"


def test_it_refuses_an_empty_file():
    assert _reject(b"  \n") == "hostile.xml: the file is empty"


def test_it_refuses_a_truncated_file():
    reason = _reject(NOTICE[: len(NOTICE) // 2])
    assert "not well-formed XML" in reason


def test_it_refuses_a_wrong_root_element():
    data = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    assert "is not an eForms notice" in _reject(data)
    assert "is not an eForms notice" in _reject(b"<html><body>Hello</body></html>")


def test_it_reports_bytes_that_are_not_in_the_declared_encoding():
    data = NOTICE.replace(b"Publications Office", b"Publications \xff\xfe Office", 1)
    reason = _reject(data)
    assert "not well-formed XML" in reason
    assert "UTF-8" in reason or "encoding" in reason.lower()


def test_it_reads_a_notice_in_a_declared_single_byte_encoding():
    text = NOTICE.decode("utf-8").replace('encoding="utf-8"', 'encoding="ISO-8859-1"', 1)
    text = text.replace("Publications Office of the European Union", "Amt für Veröffentlichungen")
    outcome = parse_bytes(text.encode("latin-1"), Source(name="n.xml", member=None, sha256="x"))
    assert isinstance(outcome, Parsed)
    assert outcome.records[0].buyer_name == "Amt für Veröffentlichungen"


def test_it_accepts_a_notice_that_starts_with_a_byte_order_mark():
    outcome = parse_bytes(b"\xef\xbb\xbf" + NOTICE, Source(name="n.xml", member=None, sha256="x"))
    assert isinstance(outcome, Parsed)


def test_it_refuses_json_nested_too_deeply():
    data = b"[" * 200_000 + b"]" * 200_000
    reason = _reject(data)
    assert "not an OCDS package" in reason or "nested too deeply" in reason
