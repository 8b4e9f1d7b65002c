"""Benchmark: klinke served the production way, under load, at demo size and at network scale.

Run ``.venv/bin/python bench/load.py [--scale 100] [--database postgres://…/klinke_bench]``
(needs ``wrk``: ``apt-get install -y wrk``). It builds the demo network on a fresh database
(SQLite in a temporary directory unless --database is given; that database is emptied
first), starts gunicorn with ``gunicorn.conf.py`` (3 workers, DEBUG off) plus a trivial view
in the same stack, and a signed-in page of the layout alone (base.html: what every page pays
before its own content), and drives each key page with 20 concurrent clients (wrk) for a fixed
time. It measures first at demo size, then loads the demo at --scale, lets the worker's job
build the shared matching index, and measures again. It prints req/s, p50, p95, p99 and the
throughput ratio to the trivial view per page; RSS and PSS per worker after the load; the
time from an edit of an offer the need's suggestions show to the edit's appearance there;
each page's time right after a write, when its kept parts are built again
(klinke.core.fragments); and each page's p50 at demo size against demo scale.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""

SETTINGS = """
from klinke.settings import *  # noqa: F403

ROOT_URLCONF = "load_urls"
STATIC_ROOT = {static!r}
"""

URLS = """
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def layout(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/layout/", layout),
    path("", include("klinke.urls")),
]
"""


@dataclass(frozen=True)
class Result:
    name: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="klinke-load-"))
        self.port = free_port()
        (self.workdir / "load_settings.py").write_text(
            SETTINGS.format(static=str(self.workdir / "static"))
        )
        (self.workdir / "load_urls.py").write_text(URLS)
        (self.workdir / "wrk.lua").write_text(WRK_SCRIPT)
        database = args.database or f"sqlite:///{self.workdir}/load.sqlite3"
        self.env = {
            **os.environ,
            "DATABASE_URL": database,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KLINKE_MATCH_INDEX_DIR": str(self.workdir / "match-index"),
            "KLINKE_SEMANTIC_MATCHING": "false",
            "DJANGO_SETTINGS_MODULE": "load_settings",
            "PYTHONPATH": f"{self.workdir}:{ROOT}",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESS_LOG": "",
        }
        self.server: subprocess.Popen[bytes] | None = None
        self.cookie = ""

    # --- setting up --------------------------------------------------------------------

    def manage(self, *argv: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *argv],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def django(self, code: str) -> str:
        """Run `code` in a Django shell of the bench's settings; returns what it printed."""
        return self.manage("shell", "-c", code).strip()

    def prepare(self) -> None:
        if self.args.database:
            self.manage("flush", "--no-input")
        self.manage("migrate", "--no-input", "-v0")
        self.manage("collectstatic", "--no-input", "-v0")
        self.manage("load_demo", "--allow-production")
        self.manage("build_match_index")
        # The mission collective's member, with the need of the demo's story.
        self.need_url, session = (
            self.django(
                "from django.contrib.sessions.backends.db import SessionStore\n"
                "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY\n"
                "from django.contrib.auth import HASH_SESSION_KEY\n"
                "from klinke.accounts.models import User\n"
                "from klinke.collectives.models import Collective\n"
                "from klinke.exchange.models import Need\n"
                "from klinke.topics.models import Topic\n"
                "u = User.objects.get(email='mira@demo.klinke.example')\n"
                "need = Need.objects.filter(ref='need-bench-story').first()\n"
                "if need is None:\n"
                "    need = Need(ref='need-bench-story',"
                " collective=Collective.objects.get(slug='kollektiv-quellcode'),"
                " title='Wir brauchen Hilfe bei Akquise und Preisgestaltung',"
                " description='Wie kalkulieren wir unseren Tagessatz, und wie finden wir"
                " Kund*innen?')\n"
                "    need.kind_codes = ['experience-exchange', 'workshop']\n"
                "    need.save()\n"
                "    need.topics.set(Topic.objects.filter(slug__in=['acquisition', 'pricing']))\n"
                "s = SessionStore()\n"
                "s[SESSION_KEY] = str(u.pk)\n"
                "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
                "s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
                "s.create()\n"
                "print('BENCH', need.get_absolute_url(), s.session_key)\n"
            )
            .splitlines()[-1]
            .split()[1:]
        )
        self.cookie = f"sessionid={session}"

    def scale_up(self) -> float:
        started = time.monotonic()
        self.manage("load_demo", "--allow-production", "--scale", str(self.args.scale))
        loaded = time.monotonic() - started
        print(f"load_demo --scale {self.args.scale}: {loaded:.0f} s")
        started = time.monotonic()
        print(self.manage("build_match_index").strip())
        print(f"build_match_index: {time.monotonic() - started:.0f} s")
        return loaded

    # --- the server ----------------------------------------------------------------------

    def start(self) -> None:
        self.server = subprocess.Popen(
            [str(Path(PYTHON).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "gunicorn.log", "ab"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/bench/trivial/")
                return
            except OSError:
                time.sleep(0.2)
        log = (self.workdir / "gunicorn.log").read_text()[-3000:]
        raise SystemExit(f"gunicorn did not start:\n{log}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=60)
            self.server = None

    def get(self, path: str) -> str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Cookie": self.cookie}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body: bytes = response.read()
            return body.decode()

    def worker_memory(self) -> list[tuple[int, int, int, int]]:
        """(pid, RSS kB, PSS kB, unique kB) of each gunicorn worker; unique memory is the
        private pages, which no other process shares."""
        assert self.server is not None
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        out = []
        for pid in children.read_text().split():
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            rss = int(re.search(r"^Rss:\s+(\d+)", text, re.M).group(1))  # type: ignore[union-attr]
            pss = int(re.search(r"^Pss:\s+(\d+)", text, re.M).group(1))  # type: ignore[union-attr]
            unique = sum(
                int(m) for m in re.findall(r"^Private_(?:Clean|Dirty):\s+(\d+)", text, re.M)
            )
            out.append((int(pid), rss, pss, unique))
        return out

    # --- measuring -------------------------------------------------------------------------

    def pages(self) -> list[tuple[str, str]]:
        return [
            ("trivial view", "/bench/trivial/"),
            # What every page of a signed-in person pays before its own content: the session,
            # the user, the network-member check and the layout (base.html), nothing else.
            ("signed-in layout only", "/bench/layout/"),
            ("directory search ?q=Preisgestaltung", "/directory/?q=Preisgestaltung"),
            ("exchange index", "/exchange/"),
            ("need page with suggestions", self.need_url),
            ("front page", "/"),
            ("workbench board", "/collectives/kollektiv-quellcode/workbench/"),
            ("workshops", "/workshops/"),
            ("knowledge search", "/knowledge/?q=Preisgestaltung"),
            ("collective profile", "/collectives/kollektiv-quellcode/"),
        ]

    def wrk(self, name: str, path: str) -> Result:
        self.get(path)  # warm, and fail early on an error page
        done = subprocess.run(
            [
                "wrk",
                f"-t{min(4, self.args.clients)}",
                f"-c{self.args.clients}",
                f"-d{self.args.duration}s",
                "--timeout",
                "30s",
                "-H",
                f"Cookie: {self.cookie}",
                "-s",
                str(self.workdir / "wrk.lua"),
                f"http://127.0.0.1:{self.port}{path}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
        requests, duration_us, p50, p95, p99, errors = map(int, line.split()[1:])
        return Result(
            name, requests / (duration_us / 1e6), p50 / 1000, p95 / 1000, p99 / 1000, errors
        )

    def measure(self, label: str) -> dict[str, Result]:
        print(f"\n{label}: {self.args.clients} clients, {self.args.duration} s per page")
        print(
            f"{'page':<38} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
            f" {'vs trivial':>10} {'errors':>6}"
        )
        results: dict[str, Result] = {}
        for name, path in self.pages():
            result = results[name] = self.wrk(name, path)
            ratio = result.rps / results["trivial view"].rps
            print(
                f"{name:<38} {result.rps:>8.1f} {result.p50:>8.1f} {result.p95:>8.1f}"
                f" {result.p99:>8.1f} {ratio:>10.1%} {result.errors:>6}"
            )
        for pid, rss, pss, unique in self.worker_memory():
            print(
                f"worker {pid}: RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB,"
                f" unique {unique / 1024:.0f} MB"
            )
        return results

    def edit_to_suggestion(self) -> tuple[float, float]:
        """Seconds from an offer edit to its showing in the need's suggestions, and the need
        page's time right after the edit (ms).

        The offer edited is one the need's suggestions show, and its title gets the need's own
        words besides a new one, so it can only rise and the edit must show: at scale a
        hundred copies of the offer tie with it, and an edit that lowered its score by a hair
        (a word the need does not ask for, a longer title) would sink it below them, which
        says nothing about how fast edits show."""
        word = f"Bench{time.time_ns()}"
        ref = (
            self.django(
                "from klinke.accounts.models import User\n"
                "from klinke.exchange.candidates import rank_helpers_for_need\n"
                "from klinke.exchange.models import Need, Offer\n"
                "need = Need.objects.get(ref='need-bench-story')\n"
                "user = User.objects.get(email='mira@demo.klinke.example')\n"
                "shown = rank_helpers_for_need(need, user=user, limit=10)\n"
                "o = next(m.obj for m in shown if isinstance(m.obj, Offer))\n"
                f"o.title = o.title[:100] + ' Preisgestaltung Akquise {word}'\n"
                "o.save()\n"
                "print('BENCH', o.ref)\n"
            )
            .splitlines()[-1]
            .split()[1]
        )
        edited = time.monotonic()
        first_page_ms = 0.0
        while time.monotonic() - edited < 120:
            begin = time.monotonic()
            page = self.get(self.need_url)
            if not first_page_ms:
                first_page_ms = (time.monotonic() - begin) * 1000
            if word in page:
                return time.monotonic() - edited, first_page_ms
            time.sleep(0.05)
        raise SystemExit(f"the edited offer {ref} did not show in 120 s")

    def move_generation_on(self) -> None:
        """What any write to the database does to kept page parts (klinke.core.fragments):
        a new token in the generation file, written in place as klinke writes it."""
        path = ROOT / "var" / "fragment-generation"
        path.parent.mkdir(exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, os.urandom(16).hex().encode(), 0)
        finally:
            os.close(fd)

    def built_ms(self, path: str, times: int = 7) -> float:
        """The median time of `path` right after the database changed: each web process
        builds its kept parts again (the first visitor after a write waits this long)."""
        took = []
        for _ in range(times):
            self.move_generation_on()
            begin = time.monotonic()
            self.get(path)
            took.append((time.monotonic() - begin) * 1000)
        return sorted(took)[len(took) // 2]

    def warm_need_page_ms(self) -> float:
        times = []
        for _ in range(10):
            begin = time.monotonic()
            self.get(self.need_url)
            times.append((time.monotonic() - begin) * 1000)
        return sorted(times)[len(times) // 2]


EDITS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--database", default="", help="e.g. postgres://postgres@127.0.0.1/x")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    bench = Bench(args)
    bench.prepare()
    try:
        bench.start()
        small = bench.measure("demo size")
        bench.stop()
        bench.scale_up()
        bench.start()
        large = bench.measure(f"demo ×{args.scale}")
        print("\nright after a write (kept page parts built again), median of 7, one client:")
        for name, path in bench.pages()[2:]:
            print(f"{name:<38} {bench.built_ms(path):>8.1f} ms")
        warm = bench.warm_need_page_ms()
        # Several edits, each shown in the next page: one first page is one sample.
        edits = [bench.edit_to_suggestion() for _ in range(EDITS)]
        shown = sorted(seconds * 1000 for seconds, _first in edits)
        firsts = sorted(first for _seconds, first in edits)
        print(
            f"\noffer edit -> shown in suggestions, median of {EDITS}: "
            f"{shown[EDITS // 2]:.0f} ms; need page right after the edit {firsts[EDITS // 2]:.0f}"
            f" ms ({', '.join(f'{first:.0f}' for first in firsts)}; warm: {warm:.0f} ms)"
        )
        for pid, rss, pss, unique in bench.worker_memory():
            print(
                f"worker {pid} after all: RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB,"
                f" unique {unique / 1024:.0f} MB"
            )
        print(f"\n{'page':<38} {'p50 demo':>9} {'p50 ×' + str(args.scale):>9} {'ratio':>6}")
        for name, result in large.items():
            before = small[name].p50
            print(f"{name:<38} {before:>9.1f} {result.p50:>9.1f} {result.p50 / before:>6.1f}")
    finally:
        bench.stop()
        shutil.rmtree(bench.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
