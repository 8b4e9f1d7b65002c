"""Benchmark: a day of 3,000 tender notices (issue 10, section 6).

Run ``.venv/bin/python bench/tenders.py``. The eForms and OCDS fixtures in
``klinke/tenders/tests/fixtures/`` are repeated until there are ``--notices`` (default 3,000)
files' worth of bytes, held in memory, and then timed:

1. the bare lxml parse rate of the same bytes (``etree.fromstring``, lxml's defaults, OCDS files
   through ``json.loads``): what reading the files costs at the least;
2. our parse-and-normalise rate (``klinke.tenders.parsers.parse_bytes``: the safety checks, the
   safe parser, the pinned XPaths, normalisation, the OCDS merge), and the ratio of 2 to 1. The
   target is a ratio of at least 0.5: normalising may cost at most as much as parsing.

The two sides take turns on the same slice of files (``CHUNK`` files at a time, the side that goes
first alternating), so a busy moment on a shared machine slows both alike; each repeat gives one
ratio, and the median of those is reported, with the median times of each side.

Then the rest of the day (``bench/tenders_day.py``): the notices, made distinct and due in the
coming weeks, imported into a fresh database, screened against 50 collectives' red lines and
ranked against 1,000 tender profiles (target: the whole day within 60 s on SQLite), and the
inbox page of one collective with all of it stored (p50 and queries).

Options: ``--notices N``, ``--repeat R`` (the median of R runs, default 7), ``--database URL``
(PostgreSQL; the database is emptied), ``--parse-only``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from klinke.tenders.parsers import Outcome, Parsed, Source, parse_bytes  # noqa: E402

FIXTURES = ROOT / "klinke" / "tenders" / "tests" / "fixtures"
TARGET_RATIO = 0.5


@dataclasses.dataclass(frozen=True)
class Day:
    """A day's files in memory: (name, bytes), in the order they are read."""

    files: tuple[tuple[str, bytes], ...]

    @property
    def size(self) -> int:
        return sum(len(data) for _, data in self.files)


def load_day(notices: int) -> Day:
    """The fixtures (eForms notices, OCDS packages) repeated to ``notices`` files."""
    sources = sorted((FIXTURES / "eforms").glob("*.xml"))
    sources += sorted((FIXTURES / "ocds").glob("*.json"))
    pool = [(path.name, path.read_bytes()) for path in sources]
    return Day(files=tuple(pool[n % len(pool)] for n in range(notices)))


def bare_parse(files: Sequence[tuple[str, bytes]]) -> None:
    for name, data in files:
        if name.endswith(".json"):
            json.loads(data)
        else:
            etree.fromstring(data)


def our_parse(day: Day) -> list[Outcome]:
    return [
        parse_bytes(data, Source(name=name, member=None, sha256="")) for name, data in day.files
    ]


def our_parse_streamed(files: Sequence[tuple[str, bytes]]) -> int:
    """What the importer does: each outcome is used and let go, not kept for the whole day."""
    records = 0
    for name, data in files:
        outcome = parse_bytes(data, Source(name=name, member=None, sha256=""))
        if isinstance(outcome, Parsed):
            records += len(outcome.records)
    return records


@dataclasses.dataclass(frozen=True)
class Timing:
    """One repeat: the CPU seconds of each side over the whole day."""

    bare: float
    ours: float

    @property
    def ratio(self) -> float:
        return self.bare / self.ours


CHUNK = 50  # files per turn: small enough that both sides see the same load on the machine


def interleaved(day: Day, chunk: int = CHUNK) -> Timing:
    """Both sides over the day, taking turns slice by slice; the first side alternates.

    CPU time, not wall time: on a machine shared with other work the wall clock mostly measures
    the others. What the others still change (caches, memory bandwidth, clock speed) changes both
    sides of one slice alike.
    """
    sides: tuple[Callable[[Sequence[tuple[str, bytes]]], object], ...] = (
        bare_parse,
        our_parse_streamed,
    )
    spent = [0.0, 0.0]
    for turn, start in enumerate(range(0, len(day.files), chunk)):
        files = day.files[start : start + chunk]
        order = (0, 1) if turn % 2 == 0 else (1, 0)
        for index in order:
            started = time.process_time()
            sides[index](files)
            spent[index] += time.process_time() - started
    return Timing(bare=spent[0], ours=spent[1])


def median_timing(day: Day, repeat: int) -> tuple[Timing, float]:
    """The median time of each side, and the median of the repeats' ratios."""
    timings = [interleaved(day) for _ in range(repeat)]
    middle = Timing(
        bare=statistics.median(t.bare for t in timings),
        ours=statistics.median(t.ours for t in timings),
    )
    return middle, statistics.median(t.ratio for t in timings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database", help="database URL for the day's stages (it is emptied)")
    parser.add_argument("--parse-only", action="store_true", help="skip the database stages")
    args = parser.parse_args(argv)

    day = load_day(args.notices)
    outcomes = our_parse(day)  # warm up: compiled XPaths, code lists, the OCDS merge rules
    parsed = [o for o in outcomes if isinstance(o, Parsed)]
    records = sum(len(o.records) for o in parsed)
    timing, ratio = median_timing(day, args.repeat)
    bare, ours = timing.bare, timing.ours
    print(
        f"tenders: {len(day.files)} files ({day.size / 1e6:.1f} MB), {records} records, "
        f"{len(outcomes) - len(parsed)} rejected (the INVALID_ fixtures)"
    )
    print(f"  bare lxml/json parse:  {len(day.files) / bare:8.0f} files/s  ({bare:.2f} s)")
    print(f"  parse and normalise:   {len(day.files) / ours:8.0f} files/s  ({ours:.2f} s)")
    verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"  ratio:                 {ratio:8.2f}  (median of {args.repeat} interleaved runs; "
        f"target >= {TARGET_RATIO}: {verdict})"
    )
    if not args.parse_only:
        from bench import tenders_day

        for key, value in tenders_day.run(outcomes, args.database).items():
            print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
