"""Benchmark: rank needs against synthetic offer networks of 1k, 10k and 100k offers.

Run ``python bench/match.py`` (no Django needed). For each size it builds a
deterministic synthetic network from a bilingual word pool, times ranking ~200 needs
in-process on one core (``klinke.matching.engine.rank`` with a prebuilt
``MatchIndex``, reasons included), then runs the same needs through SQLite FTS5
``bm25()`` over the same texts (in-memory, ``unicode61`` tokenizer, OR of the need's
content words) and prints p50/p99 and our/FTS5 ratios.

The comparison is deliberately plain: FTS5 does neither stemming, compounds nor
cross-lingual matching, and scores text only, while the engine also scores topics,
kinds, language, region, availability and fairness and builds reasons. FTS5 is the
yardstick for "what a database full-text search would cost", not a like-for-like
ranking.

Our index is built once per size and frozen out of the cyclic garbage collector
(``gc.freeze()``), as a long-running server holding it would do; times are wall
clock per ``rank`` call after 10 warm-up queries. "mmap" times the same index packed as
web processes read it from the shared generation file (``klinke.matching.packed``).
"peak MB" is the process's peak resident memory so far.

Options: ``--sizes 1000,10000`` to choose sizes, ``--queries N``, ``--seed S``,
``--check`` to also report how many of the top 10 equal those of exhaustive scoring
(every document that shares something scored exactly, ``candidate_pool`` unlimited).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# the repo root must be importable before klinke can be imported
from klinke.matching.analysis import STOP_WORDS
from klinke.matching.documents import MatchDocument, Region, TopicTree
from klinke.matching.engine import MatchIndex, rank
from klinke.matching.packed import PackedIndex, pack
from klinke.matching.weights import DEFAULT_WEIGHTS


def _words(text: str) -> list[str]:
    return text.split()


# --- the synthetic world ---------------------------------------------------------------
# topic slug -> (parent, English label, German label, English words, German words)
TOPICS: dict[str, tuple[str | None, str, str, str, str]] = {
    "business": (None, "business", "Geschäft", "business company", "Geschäft Betrieb"),
    "pricing": (
        "business",
        "pricing",
        "Preisgestaltung",
        "pricing price prices estimate hourly rate budget costing calculation fee",
        "Preisgestaltung Preis Preise Kostenschätzung Stundensatz Budget Kalkulation Honorar",
    ),
    "acquisition": (
        "business",
        "acquisition",
        "Akquise",
        "acquisition clients sales pitch outreach referral network leads proposal",
        "Akquise Kunden Vertrieb Akquisestrategie Kundengewinnung Empfehlung Netzwerk Angebot",
    ),
    "contracts": (
        "business",
        "contracts",
        "Verträge",
        "contract contracts agreement liability terms warranty drafting",
        "Vertrag Verträge Vertragsgestaltung Haftung AGB Gewährleistung Rahmenvertrag",
    ),
    "legal-form": (
        "business",
        "legal form",
        "Rechtsform",
        "cooperative legal form statutes founding association membership",
        "Genossenschaft Rechtsform Satzung Gründung Verein Mitgliedschaft eG",
    ),
    "bookkeeping": (
        "business",
        "bookkeeping",
        "Buchhaltung",
        "bookkeeping accounting tax invoices payroll annual accounts",
        "Buchhaltung Steuer Rechnungen Lohnabrechnung Jahresabschluss Umsatzsteuer",
    ),
    "funding": (
        "business",
        "funding",
        "Förderung",
        "funding grant grants foundation application financing loan",
        "Förderung Fördermittel Förderantrag Stiftung Zuschuss Finanzierung Kredit",
    ),
    "tenders": (
        "business",
        "tenders",
        "Ausschreibungen",
        "tender tenders procurement bid public authority municipality award",
        "Ausschreibung Ausschreibungen Vergabe Vergabeverfahren Bieter Kommune Zuschlag",
    ),
    "marketing": (
        "business",
        "marketing",
        "Marketing",
        "marketing campaign newsletter visibility branding social media",
        "Marketing Kampagne Newsletter Sichtbarkeit Werbung Öffentlichkeitsarbeit",
    ),
    "organisation": (None, "organisation", "Organisation", "organisation", "Organisation"),
    "governance": (
        "organisation",
        "governance",
        "Selbstverwaltung",
        "consensus decision making plenary self-management governance",
        "Konsens Entscheidungsfindung Plenum Selbstverwaltung Mitbestimmung",
    ),
    "conflict": (
        "organisation",
        "conflict mediation",
        "Konfliktmoderation",
        "conflict mediation facilitation team dispute",
        "Konflikt Mediation Moderation Team Streit Schlichtung",
    ),
    "training": (
        "organisation",
        "training",
        "Schulung",
        "training workshop mentoring coaching course knowledge",
        "Schulung Workshop Mentoring Begleitung Weiterbildung Wissen",
    ),
    "tech": (None, "technology", "Technik", "technology software", "Technik Software"),
    "web-development": (
        "tech",
        "web development",
        "Webentwicklung",
        "web development developers website websites frontend backend application",
        "Webentwicklung Web-Entwicklung Webseite Webseiten Entwickler Anwendung Programmierung",
    ),
    "wordpress": (
        "web-development",
        "WordPress",
        "WordPress",
        "wordpress themes plugins blog",
        "WordPress Themes Plugins Blog",
    ),
    "django": (
        "web-development",
        "Django",
        "Django",
        "django python backend api",
        "Django Python Backend Schnittstelle",
    ),
    "accessibility": (
        "web-development",
        "accessibility",
        "Barrierefreiheit",
        "accessibility accessible wcag screen reader audit",
        "Barrierefreiheit barrierefrei WCAG Screenreader Prüfung",
    ),
    "hosting": (
        "tech",
        "hosting",
        "Hosting",
        "hosting servers operations backup monitoring uptime",
        "Hosting Server Betrieb Datensicherung Überwachung Verfügbarkeit",
    ),
    "nextcloud": (
        "hosting",
        "Nextcloud",
        "Nextcloud",
        "nextcloud cloud storage collaboration",
        "Nextcloud Cloud Speicher Zusammenarbeit",
    ),
    "security": (
        "tech",
        "security",
        "IT-Sicherheit",
        "security encryption vulnerability audit passwords incident",
        "Sicherheit IT-Sicherheit Verschlüsselung Sicherheitslücke Passwörter Vorfall",
    ),
    "privacy": (
        "tech",
        "privacy",
        "Datenschutz",
        "privacy data protection tracking consent gdpr surveillance",
        "Datenschutz Datenschutzerklärung Tracking Einwilligung DSGVO Überwachung",
    ),
    "data": (
        "tech",
        "data",
        "Daten",
        "data database analysis statistics migration",
        "Daten Datenbank Datenanalyse Statistik Migration",
    ),
}
GENERIC_EN = _words(
    "project projects team experience together long-term small collective collectives "
    "support help advice questions first simple practical fair transparent reliable "
    "open source free software independent local regional nationwide years clients "
    "organisations initiatives associations civil society quickly flexible concrete "
    "focus goal plan planning questions exchange feedback review process structure "
    "members colleagues friends network partners offer need looking someone able"
)
GENERIC_DE = _words(
    "Projekt Projekte Team Erfahrung gemeinsam langfristig klein Kollektiv Kollektive "
    "Unterstützung Hilfe Beratung Fragen erste einfach praktisch fair transparent "
    "zuverlässig Open-Source freie Software unabhängig lokal regional bundesweit Jahre "
    "Kunden Organisationen Initiativen Vereine Zivilgesellschaft schnell flexibel konkret "
    "Schwerpunkt Ziel Planung Austausch Rückmeldung Prozess Struktur Mitglieder Kolleginnen "
    "Netzwerk Partner Angebot Bedarf suchen jemand können"
)
STOP_EN = _words("we are and the for with our in of to a on at by you can")
STOP_DE = _words("wir sind und die der das für mit unser in von zu ein eine bei auf ihr können")
CITIES = [
    ("Leipzig", "DED5", 51.34, 12.37),
    ("Berlin", "DE30", 52.52, 13.40),
    ("Hamburg", "DE60", 53.55, 9.99),
    ("München", "DE21", 48.14, 11.58),
    ("Köln", "DEA2", 50.94, 6.96),
    ("Frankfurt", "DE71", 50.11, 8.68),
    ("Dresden", "DED2", 51.05, 13.74),
    ("Halle", "DEE0", 51.48, 11.97),
    ("Bremen", "DE50", 53.08, 8.80),
    ("Freiburg", "DE13", 47.99, 7.84),
    ("Kassel", "DE73", 51.31, 9.48),
    ("Göttingen", "DE91", 51.54, 9.92),
]
SYLLABLES = _words("ka lo mi nu ra te si po fa de ri no ba gu le ve zo pi ta mu ko")


def _name(rng: random.Random) -> str:
    """A made-up proper noun: collective names and jargon make the long tail."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _topic_tree() -> TopicTree:
    return TopicTree.from_parents(
        {slug: t[0] for slug, t in TOPICS.items()},
        {slug: (t[1], t[2]) for slug, t in TOPICS.items()},
    )


LEAF_TOPICS = [slug for slug, t in TOPICS.items() if t[0] is not None]
# Zipf-like topic popularity: a few topics are very common, most are rarer
TOPIC_WEIGHTS = [1.0 / (r + 1) ** 0.8 for r in range(len(LEAF_TOPICS))]
KINDS = ["advice", "mentoring", "hands-on", "introduction", "review"]


def _topic_words(slug: str, german: bool) -> list[str]:
    _, _, _, english, deutsch = TOPICS[slug]
    return (deutsch if german else english).split()


def _document(rng: random.Random, ref: str, type_: str, names: list[str]) -> MatchDocument:
    german = rng.random() < 0.6
    topics = set(rng.choices(LEAF_TOPICS, TOPIC_WEIGHTS, k=rng.randint(1, 3)))
    topic_words = [w for slug in sorted(topics) for w in _topic_words(slug, german)]
    generic = GENERIC_DE if german else GENERIC_EN
    stop = STOP_DE if german else STOP_EN
    words: list[str] = []
    for _ in range(rng.randint(25, 70)):
        r = rng.random()
        if r < 0.35:
            words.append(rng.choice(topic_words))
        elif r < 0.65:
            words.append(rng.choice(generic))
        elif r < 0.92:
            words.append(rng.choice(stop))
        else:
            words.append(rng.choice(names))
    title_words = rng.sample(topic_words, k=min(3, len(topic_words)))
    city, nuts, lat, lon = rng.choice(CITIES)
    return MatchDocument(
        ref=ref,
        type=type_,
        title=" ".join(title_words),
        text=" ".join(words) + ".",
        topics=frozenset(topics),
        kinds=frozenset(rng.sample(KINDS, k=rng.randint(1, 2))),
        languages=frozenset({"de"} if german else {"en"})
        | ({"en"} if rng.random() < 0.5 else set()),
        region=Region(city, "DE", nuts, lat + rng.uniform(-0.1, 0.1), lon + rng.uniform(-0.1, 0.1)),
        remote=rng.random() < 0.6,
        capacity_hours=rng.choice([None, 0, 2, 4, 8, 16]),
        open_introductions=rng.choice([0, 0, 0, 1, 2, 5]),
    )


def network(size: int, queries: int, seed: int) -> tuple[list[MatchDocument], list[MatchDocument]]:
    rng = random.Random(seed)
    # the vocabulary's long tail grows with the network, as it does with real text
    names = [_name(rng) for _ in range(max(200, size // 10))]
    offers = [_document(rng, f"offer:{i:06d}", "offer", names) for i in range(size)]
    needs = [_document(rng, f"need:{i:04d}", "need", names) for i in range(queries)]
    return offers, needs


# --- timing ------------------------------------------------------------------------------


def _percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p50 * 1e3, p99 * 1e3


def _time_all(fn: Callable[[MatchDocument], object], needs: Sequence[MatchDocument]) -> list[float]:
    for need in needs[:10]:  # warm caches (analysis, sqlite pages) as a server would be
        fn(need)
    samples = []
    for need in needs:
        start = time.perf_counter()
        fn(need)
        samples.append(time.perf_counter() - start)
    return samples


def _fts5(offers: Sequence[MatchDocument]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE offers USING fts5("
        "title, text, tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO offers(rowid, title, text) VALUES (?, ?, ?)",
        ((i, d.title, d.text) for i, d in enumerate(offers)),
    )
    db.execute("INSERT INTO offers(offers) VALUES ('optimize')")
    return db


def _fts5_query(need: MatchDocument) -> str:
    # OR of the need's distinct content words, quoted so FTS5 syntax cannot leak in;
    # stop words are removed as any sane full-text setup would.
    words = dict.fromkeys(
        w.lower()
        for w in "".join(c if c.isalnum() else " " for c in f"{need.title} {need.text}").split()
        if len(w) > 1 and w.lower() not in STOP_WORDS
    )
    return " OR ".join(f'"{w}"' for w in words)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark klinke matching against FTS5.")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--check", action="store_true", help="compare with exhaustive top 10")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as promised
    tree = _topic_tree()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows.append(_measure(size, args.queries, args.seed + size, tree, check=args.check))
        print(f"  done {size:>7,} offers", file=sys.stderr, flush=True)
    header = (
        f"{'offers':>8} {'build s':>8} {'fts build s':>11} {'ours p50':>9} {'ours p99':>9}"
        f" {'mmap p50':>9} {'mmap p99':>9} {'fts5 p50':>9} {'fts5 p99':>9}"
        f" {'p50 ratio':>9} {'p99 ratio':>9} {'peak MB':>8}"
    )
    if args.check:
        header += f" {'top10 recall':>12}"
    print(f"\nranking {args.queries} needs, limit 10, one core; times in ms; ratio = ours/FTS5")
    print(header)
    print("-" * len(header))
    for size, b, fb, o50, o99, p50, p99, f50, f99, overlap, rss in rows:
        line = (
            f"{size:>8,} {b:>8.1f} {fb:>11.1f} {o50:>9.2f} {o99:>9.2f} {p50:>9.2f} {p99:>9.2f}"
            f" {f50:>9.2f} {f99:>9.2f} {o50 / f50:>9.2f} {o99 / f99:>9.2f} {rss:>8.0f}"
        )
        if args.check:
            line += f" {overlap:>12}"
        print(line)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _explained(need: MatchDocument, index: MatchIndex, tree: TopicTree) -> int:
    """Rank, and read every result's reasons (the engine explains a match when asked)."""
    return sum(len(match.reasons) for match in rank(need, index, topics=tree, limit=10))


def _time_ours(
    offers: Sequence[MatchDocument],
    needs: Sequence[MatchDocument],
    tree: TopicTree,
    *,
    check: bool,
) -> tuple[float, list[float], list[float], str]:
    start = time.perf_counter()
    index = MatchIndex.build(offers)
    build_s = time.perf_counter() - start
    # A server keeps the index for its lifetime; freezing it keeps the cyclic GC
    # from rescanning millions of index objects during queries.
    gc.collect()
    gc.freeze()
    try:
        ours = _time_all(lambda n: _explained(n, index, tree), needs)
        overlap = f"{_exhaustive_overlap(index, needs[:50], tree):.3f}" if check else ""
        # The same index packed, as web processes read it from the shared generation file.
        shared = PackedIndex(memoryview(pack(index)))
        packed = _time_all(lambda n: _explained(n, shared, tree), needs)
    finally:
        gc.unfreeze()
    return build_s, ours, packed, overlap


def _measure(
    size: int, queries: int, seed: int, tree: TopicTree, *, check: bool
) -> tuple[int, float, float, float, float, float, float, float, float, str, float]:
    """Build both indexes for one network size and time the same needs on each."""
    offers, needs = network(size, queries, seed)
    build_s, ours, packed, overlap = _time_ours(offers, needs, tree, check=check)
    gc.collect()  # the index is gone; free its memory before building FTS5's
    start = time.perf_counter()
    db = _fts5(offers)
    fts_build_s = time.perf_counter() - start
    sql = (
        "SELECT rowid, bm25(offers) FROM offers WHERE offers MATCH ? ORDER BY bm25(offers) LIMIT 10"
    )
    theirs = _time_all(lambda n: db.execute(sql, (_fts5_query(n),)).fetchall(), needs)
    db.close()
    o50, o99 = _percentiles(ours)
    f50, f99 = _percentiles(theirs)
    p50, p99 = _percentiles(packed)
    return (size, build_s, fts_build_s, o50, o99, p50, p99, f50, f99, overlap, _peak_rss_mb())


def _exhaustive_overlap(
    index: MatchIndex, needs: Sequence[MatchDocument], tree: TopicTree
) -> float:
    """Share of the exhaustive top 10 (unlimited candidate pool) that the default finds."""
    unlimited = replace(DEFAULT_WEIGHTS, candidate_pool=10**9)
    hits = total = 0
    for need in needs:
        fast = {m.ref for m in rank(need, index, topics=tree, limit=10)}
        full = {m.ref for m in rank(need, index, topics=tree, limit=10, weights=unlimited)}
        hits += len(fast & full)
        total += len(full)
    return hits / total if total else 1.0


if __name__ == "__main__":
    main()
