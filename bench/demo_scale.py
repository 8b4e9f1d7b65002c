"""Benchmark: the main pages on a network 100 times the size of the demo.

Run ``.venv/bin/python bench/demo_scale.py [--factor 100]``. It sets Django up on a fresh
SQLite database in a temporary directory, loads the demo network, then imports the demo's
collectives, supporters, needs and offers ``factor - 1`` more times under new slugs and refs
(through the real network-file import), and times the pages people use most with Django's
test client as the mission collective's member: the directory (browse, search, filter), the
exchange list, a need's page with its suggestions (first request builds the matching index,
later ones reuse it), the dashboard and the collectives API. Each page is requested 5 times;
the median and the query count are printed.
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
sys.path.insert(0, str(ROOT))

from _scale import scale_up_demo  # noqa: E402 (bench/, the folder of this script)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=100)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="klinke-scale-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/scale.sqlite3"
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
    from klinke.topics.models import Topic

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    demo = scale_up_demo(args.factor)
    setup = time.perf_counter() - started
    counts = {
        "collectives": len(demo["collectives"]) * args.factor,
        "supporters": len(demo["supporters"]) * args.factor,
        "needs": Need.objects.count(),
        "offers": Offer.objects.count(),
    }
    print(f"network ×{args.factor}: {counts} (set up in {setup:.0f} s)")

    client = Client()
    client.force_login(User.objects.get(email="mira@demo.klinke.example"))
    # What the mission collective posts in the demo's story.
    need = Need(
        collective=Collective.objects.get(slug="kollektiv-quellcode"),
        title="Wir brauchen Hilfe bei Akquise und Preisgestaltung",
        description="Wie kalkulieren wir unseren Tagessatz, und wie finden wir Kund*innen?",
    )
    need.kind_codes = ["experience-exchange", "workshop"]
    need.save()
    need.topics.set(Topic.objects.filter(slug__in=["acquisition", "pricing"]))
    pages = [
        ("directory", "/directory/"),
        ("directory search", "/directory/?q=Preisgestaltung"),
        ("directory filter", "/directory/?topic=web-development&region=DE&language=de"),
        ("exchange list", "/exchange/"),
        ("need page, first (builds index)", need.get_absolute_url()),
        ("need page, again", need.get_absolute_url()),
        ("dashboard", "/exchange/dashboard/"),
        ("collectives API", "/api/v1/collectives/?limit=50"),
    ]
    print(f"{'page':<34} {'median ms':>10} {'queries':>8}")
    for name, url in pages:
        runs = 1 if "first" in name else 5
        times = []
        queries = 0
        for _ in range(runs):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        print(f"{name:<34} {statistics.median(times):>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
