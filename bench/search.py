"""Benchmark: directory search and the exchange list on a network 100 times the demo's size.

Run ``.venv/bin/python bench/search.py [--factor 100] [--database URL] [--code DIR]``.

It scales the demo up the way ``bench/demo_scale.py`` does (the demo network imported
``factor - 1`` more times under new slugs and refs, through the real network-file import),
into a fresh SQLite database in a temporary directory, or into ``--database`` (an EMPTY
PostgreSQL database, e.g. ``postgres://postgres@127.0.0.1:5432/klinke_bench``). Then it times
the directory (browse, search, filter, a later page) and the exchange list (needs, offers, a
later page) with Django's test client, as an anonymous visitor and as a network member, 7 times
each, and prints the median, the slowest and the query count of each.

``--code DIR`` runs another checkout of klinke (e.g. ``git archive main | tar -x -C DIR``) against
the same kind of database: that is how the "before" figures are taken.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from _scale import scale_up_demo  # noqa: E402 (bench/, the folder of this script)

PAGES = [
    ("directory", "/directory/"),
    ("directory search", "/directory/?q=Preisgestaltung"),
    ("directory search, 2 words", "/directory/?q=web+development"),
    ("directory filter", "/directory/?topic=web-development&region=DE&language=de"),
    ("directory page 20", "/directory/?page=20"),
    ("exchange needs", "/exchange/"),
    ("exchange offers", "/exchange/?show=offers"),
    ("exchange needs page 10", "/exchange/?page=10"),
]
RUNS = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=100)
    parser.add_argument("--database", default="", help="URL of an empty database (PostgreSQL)")
    parser.add_argument("--code", default=str(ROOT), help="the klinke checkout to measure")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(args.code).resolve()))
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    else:
        workdir = tempfile.mkdtemp(prefix="klinke-search-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/search.sqlite3"
    os.environ["DEBUG"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klinke.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from klinke.accounts.models import User
    from klinke.collectives.models import Collective
    from klinke.exchange.models import Need, Offer
    from klinke.supporters.models import Supporter

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    scale_up_demo(args.factor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    counts = {
        "collectives": Collective.objects.count(),
        "supporters": Supporter.objects.count(),
        "needs": Need.objects.count(),
        "offers": Offer.objects.count(),
    }
    print(
        f"code {args.code}, {connection.vendor}, network ×{args.factor}: {counts}"
        f" (set up in {setup:.0f} s)"
    )

    member = Client()
    member.force_login(User.objects.get(email="mira@demo.klinke.example"))
    visitors = [("anonymous", Client()), ("member", member)]
    print(f"{'page':<28} {'who':<10} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for name, url in PAGES:
        for who, client in visitors:
            times = []
            queries = 0
            for _ in range(RUNS):
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries = len(captured)
            print(
                f"{name:<28} {who:<10} {statistics.median(times):>10.1f}"
                f" {max(times):>8.1f} {queries:>8}"
            )


if __name__ == "__main__":
    main()
