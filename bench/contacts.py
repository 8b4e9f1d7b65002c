"""Benchmark: import 100,000 contacts into an address book of 100,000, duplicates included.

Run ``.venv/bin/python bench/contacts.py``. It sets Django up on a fresh SQLite database in a
temporary directory, runs the migrations, fills collective "bench" with 100k contacts (with
email addresses, phone numbers and organisations), and then times the real import path that
the preview's "Import" button runs, ``klinke.contacts.actions.do_import_contacts``:

1. load the collective's contacts reduced for duplicate detection (three queries),
2. index them (dictionaries by email and E.164 number, blocks by folded name token and
   organisation prefix) and check each of the 100k incoming records against the index and
   against the file's earlier records,
3. write the new contacts, their organisations, addresses and search documents in one
   transaction.

About 10% of the incoming records repeat a known email address, 5% a known phone number
(written differently) and 5% a known name with a typo at the same organisation; the rest are
new. The target is at most 30 seconds on one core for steps 1 to 3. Duplicate detection
(steps 1 and 2) is also timed on its own.

Options: ``--size N`` (default 100000) for both sides, ``--seed S``, ``--database URL`` to run
against another database (e.g. ``postgres://postgres@127.0.0.1:5432/klinke_bench``; it must
be empty or disposable).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Word lists read better as text than as one string per line.
GIVEN = (  # noqa: SIM905
    "Anna Ben Carla Deniz Emil Frieda Greta Hamid Ines Jonas Katrin Lena Mehmet Nora Oskar "
    "Paula Quirin Rosa Samira Tobias Ulla Valentin Wanda Xaver Yusuf Zoe Jürgen Björn Özlem "
    "Sören Małgorzata Amara Pavel Claire Mika Janne Lou Finn Ida Theo"
).split()
FAMILY = (  # noqa: SIM905
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Klein Wolf Schröder Neumann Schwarz Braun Zimmermann Krüger Hartmann Lange Werner Krause "
    "Lehmann Köhler Okafor Yılmaz Kowalski Novák Diallo Haddad Martin Lorenz Sommer Brandt "
    "Vogel Busch Pohl Roth Kaiser Fuchs Peters Jung Hahn Keller Scholz Graf Frank Berger"
).split()
# Family names are also built from German name parts, so there are about 650 of them, and
# the 50 common ones are drawn more often, as in real address books.
NAME_STARTS = (  # noqa: SIM905
    "Ber Hof Kling Wald Stein Bach Rot Schwarz Grün Linden Eich Brunn Feld Haber Kess Lau Nord "
    "Oster Pfeif Rein Sand Tann Weiß Zorn Alt Brem Dorn Engel Falk Gold Hain Kirch Lehm Moos "
    "Neu Ober Quell Ried"
).split()
NAME_ENDS = "mann er ner berg stein hoff rich inger kamp bauer meier land ow itz ke horst".split()  # noqa: SIM905
FAMILY = FAMILY + [start + end.lower() for start in NAME_STARTS for end in NAME_ENDS]

ORG_KINDS = (
    "Mieterverein", "Kulturzentrum", "Bäckerei", "Energiegenossenschaft", "Stadtteilladen",
    "Verein", "Werkstatt", "Initiative", "Stiftung", "Verlag", "Agentur", "Praxis",
)  # fmt: skip
PLACES = (
    "Leipzig", "Halle", "Dresden", "Berlin", "Jena", "Erfurt", "Chemnitz", "Magdeburg", "Wien",
    "Graz", "Zürich", "Kassel", "Bremen", "Kiel", "Rostock",
)  # fmt: skip


def _organisations(rng: random.Random, count: int) -> list[str]:
    names = {
        f"{rng.choice(ORG_KINDS)} {rng.choice(PLACES)} {rng.randrange(1, 400)}"
        for _ in range(count * 2)
    }
    return sorted(names)[:count]


def _typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(1, len(word) - 1) if len(word) > 2 else 0
    return word[:position] + word[position + 1 :]


def _family(rng: random.Random) -> str:
    # Common names are common: a quarter of the people share the 50 most frequent ones.
    return rng.choice(FAMILY[:50]) if rng.random() < 0.25 else rng.choice(FAMILY)


def _existing(rng: random.Random, size: int, organisations: list[str]) -> list[dict[str, Any]]:
    people = []
    for i in range(size):
        given, family = rng.choice(GIVEN), _family(rng)
        people.append(
            {
                "given": given,
                "family": f"{family}-{rng.choice(FAMILY)}" if i % 10 == 0 else family,
                "organisation": organisations[rng.randrange(len(organisations))],
                "email": f"{given.lower()}.{i}@bestand{i % 50}.example",
                "phone": f"+49341{1000000 + i}",
            }
        )
    return people


def _incoming(
    rng: random.Random, size: int, existing: list[dict[str, Any]], organisations: list[str]
) -> list[Any]:
    from klinke.contacts.parsers import ContactRecord

    records = []
    for i in range(size):
        kind = rng.random()
        if kind < 0.10:  # same email, maybe another spelling of the name
            known = rng.choice(existing)
            record = ContactRecord(
                line=i + 2,
                full_name=f"{known['given']} {known['family']}",
                given_name=known["given"],
                family_name=known["family"],
                emails=[(known["email"].upper(), "")],
            )
        elif kind < 0.15:  # same phone number, written the German way
            known = rng.choice(existing)
            national = "0" + known["phone"][3:]
            record = ContactRecord(
                line=i + 2,
                full_name=f"{known['given']} {known['family']}",
                phones=[(f"{national[:4]} {national[4:]}", "work")],
            )
        elif kind < 0.20:  # a typo in the name, same organisation
            known = rng.choice(existing)
            record = ContactRecord(
                line=i + 2,
                full_name=f"{known['given']} {_typo(rng, known['family'])}",
                organisation=known["organisation"],
            )
        else:
            given, family = rng.choice(GIVEN), _family(rng)
            record = ContactRecord(
                line=i + 2,
                full_name=f"{given} {family}",
                given_name=given,
                family_name=family,
                organisation=rng.choice(organisations),
                role=rng.choice(("Vorstand", "Kasse", "Technik", "Presse", "")),
                emails=[(f"neu.{i}@import{i % 40}.example", "work")],
                phones=[(f"0176 {2000000 + i}", "mobile")] if i % 2 else [],
                tags=[rng.choice(("kultur", "mieten", "energie", "presse"))],
            )
        records.append(record)
    return records


def _setup_django(database: str | None) -> None:
    if database:
        os.environ["DATABASE_URL"] = database
    else:
        directory = tempfile.mkdtemp(prefix="klinke-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klinke.settings")
    # As in production: with DEBUG on, Django would also keep every query's SQL for the toolbar.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(24))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill_address_book(
    collective: Any, user: Any, existing: list[dict[str, Any]], organisations: list[str]
) -> None:
    from klinke.contacts.models import Contact, ContactEmail, ContactPhone, Organisation

    created = Organisation.objects.bulk_create(
        Organisation(collective=collective, name=name) for name in organisations
    )
    org_ids = {o.name: o.pk for o in created}
    contacts = Contact.objects.bulk_create(
        (
            Contact(
                collective=collective,
                given_name=p["given"],
                family_name=p["family"],
                full_name=f"{p['given']} {p['family']}",
                organisation_id=org_ids[p["organisation"]],
                created_by=user,
            )
            for p in existing
        ),
        batch_size=2000,
    )
    ContactEmail.objects.bulk_create(
        (
            ContactEmail(contact=c, email=p["email"])
            for c, p in zip(contacts, existing, strict=True)
        ),
        batch_size=2000,
    )
    ContactPhone.objects.bulk_create(
        (
            ContactPhone(contact=c, raw=p["phone"], e164=p["phone"])
            for c, p in zip(contacts, existing, strict=True)
        ),
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    _setup_django(args.database)
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective, Membership
    from klinke.contacts import actions
    from klinke.contacts.models import Contact, ContactImport, ImportState

    rng = random.Random(args.seed)
    organisations = _organisations(rng, max(50, args.size // 20))
    existing = _existing(rng, args.size, organisations)
    incoming = _incoming(rng, args.size, existing, organisations)
    user = User.objects.create_user(email="bench@klinke.example", password=None)
    collective = Collective.objects.create(slug="bench", name="Bench-Kollektiv")
    Membership.objects.create(collective=collective, user=user)
    _fill_address_book(collective, user, existing, organisations)
    setup = time.perf_counter() - started
    print(f"setup (migrations, {args.size:,} existing contacts): {setup:.1f} s")

    started, cpu = time.perf_counter(), time.process_time()
    candidates = actions.existing_candidates(collective)
    loaded = time.perf_counter() - started
    rows = actions.preview_rows(incoming, candidates)
    detection, cpu = time.perf_counter() - started, time.process_time() - cpu
    exact = sum(1 for row in rows if row.default_action == actions.Action.SKIP)
    fuzzy = sum(1 for row in rows if row.matches and row.default_action == actions.Action.CREATE)
    print(
        f"duplicate detection, {args.size:,} incoming against {len(candidates):,}: "
        f"{detection:.1f} s wall, {cpu:.1f} s CPU (loading {loaded:.1f} s); "
        f"{exact:,} exact duplicates, "
        f"{fuzzy:,} similar names"
    )

    contact_import = ContactImport.objects.create(
        collective=collective,
        created_by=user,
        file_name="bench.vcf",
        file_format="vcard",
        state=ImportState.PREVIEW,
        records=[record.as_dict() for record in incoming],
    )
    started, cpu = time.perf_counter(), time.process_time()
    result = actions.do_import_contacts(contact_import=contact_import, user=user)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"import (detection + write): {total:.1f} s wall, {cpu:.1f} s CPU — "
        f"{result.created:,} created, {result.skipped:,} skipped; "
        f"{Contact.objects.count():,} contacts now"
    )
    target = 30.0
    verdict = "within" if total <= target else "OVER"
    print(f"{verdict} the target of {target:.0f} s")
    if total > target:
        sys.exit(1)


if __name__ == "__main__":
    main()
