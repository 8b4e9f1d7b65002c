"""Pure parsers for public tender notices (eForms XML, OCDS JSON) and the packages they come in.

No ORM here. ``read_paths(paths)`` yields one ``Outcome`` (``Parsed`` or ``Rejected``) per file or
package member; see ``records.py`` for the normalised fields.

Files, folders (recursively, in sorted order) and ``.zip`` / ``.tar.gz`` / ``.tgz`` packages are
read. Package members are read into memory one at a time, never extracted to disk, and every read
is bounded by ``Limits``: a member that claims to be small but inflates beyond the limit (a zip
bomb) is cut off at the limit and rejected. A hostile or malformed file is rejected with a message
that names it (and the member); the batch goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from klinke.tenders.parsers import eforms, ocds
from klinke.tenders.parsers.errors import NoticeError
from klinke.tenders.parsers.records import Outcome, Parsed, Rejected, Source

__all__ = ["Limits", "Outcome", "Parsed", "Rejected", "Source", "parse_bytes", "read_paths"]

_MB = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_FIRST_CHARACTER = re.compile(rb"[^ \t\r\n]")
# First bytes after which the first character is still to be found: nothing, blanks, a BOM.
_UNSURE = frozenset({b"", b" ", b"\t", b"\r", b"\n", _BOM[:1]})
ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar.gz", ".tgz")
NOTICE_SUFFIXES = (".xml", ".json")


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """How much one file, one package member and one package may hold (uncompressed bytes)."""

    max_file_bytes: int = 32 * _MB  # one notice file, or one OCDS package file
    max_members: int = 20_000  # TED's daily packages hold a few thousand notices
    max_member_bytes: int = 32 * _MB
    max_total_bytes: int = 1024 * _MB  # all members of one package together


def parse_bytes(data: bytes, source: Source) -> Outcome:
    """One file's (or member's) bytes → its records, or why it was refused."""
    try:
        return Parsed(source=source, records=_parse(data))
    except NoticeError as error:
        return Rejected(source=source, reason=f"{source.label()}: {error}")
    except RecursionError:  # nesting deeper than the interpreter's stack, in JSON
        return Rejected(source=source, reason=f"{source.label()}: nested too deeply")


def _parse(data: bytes) -> tuple[ocds.NoticeRecord, ...]:
    first = data[:1]
    if first not in _UNSURE:  # most files: the first byte says it ("<" or "{")
        return _by_first_character(data, first)
    bom = data.startswith(_BOM)
    found = _FIRST_CHARACTER.search(data, len(_BOM) if bom else 0)  # no copy of a large file
    if found is None:
        raise NoticeError("the file is empty" + (" (only a byte order mark)" if bom else ""))
    return _by_first_character(data, found.group())


def _by_first_character(data: bytes, first: bytes) -> tuple[ocds.NoticeRecord, ...]:
    if first in (b"{", b"[", b'"'):
        return ocds.parse_package(data)
    # Everything else goes to the XML parser, which reads the declared encoding (UTF-16 too) and
    # says what is wrong with it.
    return (eforms.parse_notice(data),)


def read_paths(paths: Iterable[str | Path], *, limits: Limits | None = None) -> Iterator[Outcome]:
    """Every notice in the given files, folders and packages, in order."""
    limits = limits or Limits()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and _readable(child.name):
                    yield from _read_file(child, limits)
        else:
            yield from _read_file(path, limits)


def _readable(name: str) -> bool:
    return name.lower().endswith(NOTICE_SUFFIXES + ZIP_SUFFIXES + TAR_SUFFIXES)


def _unread(name: str, member: str | None, reason: str) -> Rejected:
    source = Source(name=name, member=member, sha256="")
    return Rejected(source=source, reason=f"{source.label()}: {reason}")


def _read_file(path: Path, limits: Limits) -> Iterator[Outcome]:
    name = str(path)
    lower = path.name.lower()
    try:
        if lower.endswith(ZIP_SUFFIXES):
            yield from _read_zip(path, name, limits)
        elif lower.endswith(TAR_SUFFIXES):
            yield from _read_tar(path, name, limits)
        else:
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                yield _unread(
                    name, None, f"too big ({size} bytes, at most {limits.max_file_bytes})"
                )
                return
            with path.open("rb") as file:
                data = file.read(limits.max_file_bytes + 1)
            if len(data) > limits.max_file_bytes:
                yield _unread(name, None, f"too big (more than {limits.max_file_bytes} bytes)")
                return
            yield parse_bytes(data, Source(name=name, member=None, sha256=_sha256(data)))
    except OSError as error:
        yield _unread(name, None, f"cannot be read: {error.strerror or error}")
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as error:
        yield _unread(name, None, f"not a readable package: {error}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Budget:
    """What is left of a package's member count and total size."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.members = 0
        self.total = 0

    def admit(self, member: str, size: int) -> Rejected | None:
        """Count one member by its declared size; a rejection if the member is too big."""
        self.members += 1
        self.total += size
        if size > self.limits.max_member_bytes:
            reason = f"too big ({size} bytes, at most {self.limits.max_member_bytes})"
            return _unread(self.name, member, reason)
        return None

    def exhausted(self) -> Rejected | None:
        """A rejection of the rest of the package once it is over the member or total limit."""
        if self.members > self.limits.max_members:
            reason = f"more than {self.limits.max_members} members: the rest is not read"
        elif self.total > self.limits.max_total_bytes:
            reason = f"more than {self.limits.max_total_bytes} bytes unpacked: the rest is not read"
        else:
            return None
        return _unread(self.name, None, reason)

    def read(self, member: str, file: IO[bytes], declared: int) -> Outcome:
        # Read at most one byte past the limit: a member whose header lies about its size (a zip
        # bomb) is cut off here instead of filling the memory.
        limit = self.limits.max_member_bytes
        data = file.read(limit + 1)
        self.total += max(0, len(data) - declared)
        if len(data) > limit:
            return _unread(self.name, member, f"too big (more than {limit} bytes unpacked)")
        if member.lower().endswith(ZIP_SUFFIXES + TAR_SUFFIXES):
            return _unread(self.name, member, "a package inside a package is not read")
        return parse_bytes(data, Source(name=self.name, member=member, sha256=_sha256(data)))


def _read_zip(path: Path, name: str, limits: Limits) -> Iterator[Outcome]:
    with zipfile.ZipFile(path) as package:
        infos = [info for info in package.infolist() if not info.is_dir()]
        if len(infos) > limits.max_members:
            yield _unread(name, None, f"more than {limits.max_members} members: not read")
            return
        budget = _Budget(name, limits)
        for info in infos:
            rejected = budget.admit(info.filename, info.file_size)
            if (over := budget.exhausted()) is not None:
                yield over
                return
            if rejected is not None:
                yield rejected
                continue
            try:
                with package.open(info) as file:
                    yield budget.read(info.filename, file, info.file_size)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
                # Broken CRC, encrypted members, unknown compression methods.
                yield _unread(name, info.filename, f"cannot be unpacked: {error}")


def _read_tar(path: Path, name: str, limits: Limits) -> Iterator[Outcome]:
    # Streamed ("r|gz"): members come one after the other, nothing is seeked or extracted.
    with tarfile.open(path, mode="r|gz") as package:
        budget = _Budget(name, limits)
        for info in package:
            if not info.isfile():  # folders, links and devices are never followed
                continue
            rejected = budget.admit(info.name, info.size)
            if (over := budget.exhausted()) is not None:
                yield over
                return
            if rejected is not None:
                yield rejected
                continue
            file = package.extractfile(info)
            if file is not None:
                yield budget.read(info.name, file, info.size)
