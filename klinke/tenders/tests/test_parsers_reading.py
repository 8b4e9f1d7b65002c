"""Files, folders and packages are read member by member within limits; one bad member never stops
the batch, and every rejection names the file and the member. Pure tests: no database."""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from klinke.tenders.parsers import Limits, Parsed, Rejected, read_paths

FIXTURES = Path(__file__).parent / "fixtures"
EFORMS = FIXTURES / "eforms"
NOTICE = (EFORMS / "cn_24_minimal.xml").read_bytes()
CHANGE = (EFORMS / "change-cn_24_void.xml").read_bytes()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return path


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as package:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            package.addfile(info, io.BytesIO(data))
    return path


def _summary(outcomes):
    return [
        (o.source.label(), o.records[0].notice_id if isinstance(o, Parsed) else o.reason)
        for o in outcomes
    ]


def test_it_reads_a_folder_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.xml").write_bytes(CHANGE)
    (tmp_path / "a.xml").write_bytes(NOTICE)
    (tmp_path / "notes.txt").write_text("not a notice")
    outcomes = list(read_paths([tmp_path]))
    assert _summary(outcomes) == [
        (str(tmp_path / "a.xml"), "f42be27e-09cf-4f0e-a745-63ec689631e6"),
        (str(tmp_path / "b" / "2.xml"), "1d192942-a4a3-4833-8775-ca38f7ec09ca"),
    ]
    assert outcomes[0].source.sha256 == hashlib.sha256(NOTICE).hexdigest()
    assert outcomes[0].source.member is None


def test_it_reads_every_fixture_folder_and_goes_on_after_a_rejection():
    outcomes = list(read_paths([EFORMS, FIXTURES / "ocds"]))
    rejected = [o for o in outcomes if isinstance(o, Rejected)]
    assert [Path(o.source.name).name for o in rejected] == [
        "INVALID_cn_24_empty.xml",
        "INVALID_cn_24_multiple.xml",
    ]
    assert sum(len(o.records) for o in outcomes if isinstance(o, Parsed)) == 22 - 2 + 2


def test_it_reads_a_zip_member_by_member(tmp_path):
    package = _zip(
        tmp_path / "day.zip",
        {"2019/cn.xml": NOTICE, "2019/broken.xml": NOTICE[:100], "2019/change.xml": CHANGE},
    )
    outcomes = list(read_paths([package]))
    assert [(o.source.name, o.source.member) for o in outcomes] == [
        (str(package), "2019/cn.xml"),
        (str(package), "2019/broken.xml"),
        (str(package), "2019/change.xml"),
    ]
    assert isinstance(outcomes[0], Parsed) and isinstance(outcomes[2], Parsed)
    assert isinstance(outcomes[1], Rejected)
    assert outcomes[1].reason.startswith(f"{package}:2019/broken.xml: not well-formed XML")
    assert outcomes[2].source.sha256 == hashlib.sha256(CHANGE).hexdigest()


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz"])
def test_it_reads_a_tar_gz_member_by_member(tmp_path, suffix):
    package = _tar(tmp_path / f"day{suffix}", {"a/cn.xml": NOTICE, "a/change.xml": CHANGE})
    outcomes = list(read_paths([package]))
    assert _summary(outcomes) == [
        (f"{package}:a/cn.xml", "f42be27e-09cf-4f0e-a745-63ec689631e6"),
        (f"{package}:a/change.xml", "1d192942-a4a3-4833-8775-ca38f7ec09ca"),
    ]


def test_it_never_extracts_to_disk(tmp_path):
    package = _tar(tmp_path / "day.tar.gz", {"../../escape.xml": NOTICE, "/abs.xml": NOTICE})
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert all(isinstance(o, Parsed) for o in read_paths([package]))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "escape.xml").exists()


def test_it_refuses_a_package_with_too_many_members(tmp_path):
    members = {f"{n}.xml": NOTICE for n in range(5)}
    limits = Limits(max_members=3)
    zipped = list(read_paths([_zip(tmp_path / "many.zip", members)], limits=limits))
    many = tmp_path / "many.zip"
    assert _summary(zipped) == [(str(many), f"{many}: more than 3 members: not read")]
    # A streamed tar is counted as it goes: the first three are read, then it stops.
    tarred = list(read_paths([_tar(tmp_path / "many.tar.gz", members)], limits=limits))
    assert len(tarred) == 4
    assert tarred[-1].reason.endswith("more than 3 members: the rest is not read")


def test_it_refuses_a_member_too_big_and_goes_on(tmp_path):
    big = NOTICE.replace(b"</ContractNotice>", b"<!--" + b"x" * 50_000 + b"--></ContractNotice>")
    package = _zip(tmp_path / "day.zip", {"big.xml": big, "cn.xml": NOTICE})
    outcomes = list(read_paths([package], limits=Limits(max_member_bytes=20_000)))
    assert isinstance(outcomes[0], Rejected)
    assert outcomes[0].reason == (f"{package}:big.xml: too big ({len(big)} bytes, at most 20000)")
    assert isinstance(outcomes[1], Parsed)


def test_it_cuts_off_a_zip_bomb_that_lies_about_its_size(tmp_path):
    bomb = b"\0" * (50 * 1024 * 1024)
    package = _zip(tmp_path / "bomb.zip", {"bomb.xml": bomb, "cn.xml": NOTICE})
    # Make the central directory and the local header claim 100 bytes.
    raw = bytearray(package.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature)
        raw[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    package.write_bytes(bytes(raw))
    assert package.stat().st_size < 200_000
    started = time.monotonic()
    outcomes = list(read_paths([package], limits=Limits(max_member_bytes=1024 * 1024)))
    assert time.monotonic() - started < 10
    assert isinstance(outcomes[0], Rejected)
    assert outcomes[0].reason.startswith(f"{package}:bomb.xml: ")
    assert "too big" in outcomes[0].reason or "cannot be unpacked" in outcomes[0].reason
    assert isinstance(outcomes[1], Parsed)


def test_it_stops_a_package_over_the_total_size(tmp_path):
    package = _zip(tmp_path / "day.zip", {f"{n}.xml": NOTICE for n in range(4)})
    limits = Limits(max_total_bytes=len(NOTICE) * 2 + 1)
    outcomes = list(read_paths([package], limits=limits))
    assert [type(o).__name__ for o in outcomes] == ["Parsed", "Parsed", "Rejected"]
    assert outcomes[-1].reason == (
        f"{package}: more than {limits.max_total_bytes} bytes unpacked: the rest is not read"
    )


def test_it_refuses_a_file_too_big_without_reading_it(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(NOTICE)
    outcomes = list(read_paths([path], limits=Limits(max_file_bytes=1000)))
    assert _summary(outcomes) == [
        (str(path), f"{path}: too big ({len(NOTICE)} bytes, at most 1000)")
    ]


def test_it_refuses_a_broken_package_and_a_missing_file(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    truncated = _tar(tmp_path / "cut.tar.gz", {"cn.xml": NOTICE, "change.xml": CHANGE})
    truncated.write_bytes(truncated.read_bytes()[:-200])
    outcomes = list(read_paths([broken, tmp_path / "missing.xml", truncated]))
    reasons = [o.reason for o in outcomes if isinstance(o, Rejected)]
    assert reasons[0].startswith(f"{broken}: not a readable package")
    assert reasons[1].startswith(f"{tmp_path / 'missing.xml'}: cannot be read")
    assert reasons[-1].startswith(f"{truncated}: not a readable package")


def test_it_does_not_open_a_package_inside_a_package(tmp_path):
    inner = _zip(tmp_path / "inner.zip", {"cn.xml": NOTICE}).read_bytes()
    package = _zip(tmp_path / "outer.zip", {"inner.zip": inner})
    outcomes = list(read_paths([package]))
    assert _summary(outcomes) == [
        (f"{package}:inner.zip", f"{package}:inner.zip: a package inside a package is not read")
    ]
