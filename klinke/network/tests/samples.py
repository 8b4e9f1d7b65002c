"""A small, valid network file shared by the import and export tests."""

from __future__ import annotations

from typing import Any


def small_network() -> dict[str, Any]:
    """A valid file with one new topic, two collectives and one supporter."""
    return {
        "format": "klinke-network",
        "version": 1,
        "topics": [
            {
                "slug": "green-it",
                "name_en": "Green IT",
                "name_de": "Grüne IT",
                "kind": "technical",
                "parent": "hosting",
            }
        ],
        "collectives": [
            {
                "slug": "zaunkoenig",
                "name": "Zaunkönig Kollektiv",
                "description": {
                    "de": "Wir betreiben Permakultur-Server für Vereine.",
                    "en": "We run permaculture servers for associations.",
                },
                "legal_form": "eg",
                "founded_year": 2019,
                "member_count": 5,
                "region": {
                    "city": "Kassel",
                    "country": "DE",
                    "nuts_code": "DE731",
                    "latitude": 51.31,
                    "longitude": 9.48,
                },
                "remote_friendly": True,
                "working_languages": ["en", "de"],
                "website": "https://zaunkoenig.example",
                "topics": ["green-it", "web-development"],
                "technologies": ["Rust", "Elixir"],
                "references": [
                    {
                        "client_type": "civil-society",
                        "summary": "Mitgliederverwaltung für einen Sportverein",
                        "year": 2023,
                        "url": "https://example.org/verein",
                    },
                    {"client_type": "culture", "summary": "Ticketing for a theatre"},
                ],
                "values_statement": "Konsens und Einheitslohn.",
                "red_lines": "Keine Rüstung.",
                "capacity_person_days_per_month": 8,
                "visibility": "public",
            },
            {
                "slug": "kiebitz",
                "name": "Kiebitz",
                "region": {"country": "AT"},
            },
        ],
        "supporters": [
            {
                "slug": "greta-gruen",
                "name": "Greta Grün",
                "kind": "person",
                "bio": {"de": "Ich helfe bei Ausschreibungen.", "en": "I help with tenders."},
                "organisation": "Tenderhilfe",
                "topics": ["public-tenders", "pricing"],
                "brokering_sectors": ["energy", "culture"],
                "brokering_regions": ["DE7", "AT"],
                "languages": ["de"],
                "region": {"city": "Marburg", "country": "DE"},
                "hours_per_month": 6,
                "visibility": "members",
            }
        ],
    }
