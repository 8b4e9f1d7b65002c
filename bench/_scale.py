"""The demo network scaled up, for the benchmarks that time pages on a large network.

``scale_up_demo(factor)`` runs the migrations, loads the demo network and imports its
collectives, supporters, needs and offers ``factor - 1`` more times under new slugs and refs,
through the real network-file import. Django must be set up (on the benchmark's own database)
before it is called. Shared by ``bench/demo_scale.py`` and ``bench/search.py``.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any


def scale_up_demo(factor: int) -> dict[str, Any]:
    """Fill the (empty) database with the demo network ``factor`` times; the demo's data."""
    from django.core.management import call_command

    from klinke.collectives.models import Collective
    from klinke.network.demo_loader import DEMO_DIR
    from klinke.network.serialization import do_import_network

    call_command("migrate", verbosity=0)
    if Collective.objects.exists():
        raise SystemExit("the database must be empty: the benchmark builds its own network")
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    demo: dict[str, Any] = json.loads((DEMO_DIR / "demo_network.json").read_text())
    for copy_number in range(2, factor + 1):
        data = copy.deepcopy(demo)
        suffix = f"-x{copy_number}"
        for record in data["collectives"] + data["supporters"]:
            record["slug"] += suffix
            record["name"] += f" {copy_number}"
        for record in data["needs"] + data["offers"]:
            record["ref"] += suffix
            for owner in ("collective", "supporter"):
                if owner in record:
                    record[owner] += suffix
        do_import_network(data)
    return demo
