"""The ranking on plain data: hard filters outside the engine, CPV tree and keywords inside."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from klinke.tenders import cpv
from klinke.tenders.ranking import (
    FitReason,
    ProfileCriteria,
    TenderFacts,
    build_index,
    excluded_because,
    rank_tenders,
)

NOW = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def facts(ref: str, **fields) -> TenderFacts:
    fields.setdefault("title", {"de": "Entwicklung eines Webportals"})
    fields.setdefault("description", {"de": "Ein barrierefreies Portal für Bürgerinnen."})
    fields.setdefault("cpv_codes", ("72230000",))
    fields.setdefault("nuts", ("DED51",))
    fields.setdefault("countries", ("DE",))
    fields.setdefault("language", "de")
    fields.setdefault("deadline", NOW + dt.timedelta(days=12))
    return TenderFacts(ref=ref, **fields)


PROFILE = ProfileCriteria(
    cpv_codes=("72200000",), keywords=("Webportal",), regions=("DED",), languages=("de", "en")
)


def test_it_knows_the_cpv_tree_from_trailing_zeros():
    assert cpv.parent("72230000") == "72200000"
    assert cpv.parent("72200000") == "72000000"
    assert cpv.parent("72000000") is None
    assert cpv.tree().ancestors("72230000") == ["72200000", "72000000"]
    assert cpv.normalise("45233130-1") == "4523313"
    assert cpv.normalise("Webportal") is None
    assert cpv.covers("72200000", "72230000")
    assert not cpv.covers("72200000", "72300000")


def test_it_searches_cpv_labels_in_both_languages():
    assert "72230000" in [c.code for c in cpv.search("kundenspezifischer Software")]
    assert "72230000" in [c.code for c in cpv.search("custom software")]
    assert cpv.search("7223")[0].code == "72230000"
    assert cpv.search("") == []


def test_it_ranks_a_fitting_tender_with_cpv_keyword_and_region_reasons():
    index, by_ref = build_index([facts("tender:1")])
    fits = rank_tenders(PROFILE, index, by_ref, now=NOW)
    assert [f.ref for f in fits] == ["tender:1"]
    assert fits[0].reasons == (
        FitReason("cpv", "72230000"),
        FitReason("keyword", "Webportal"),
        FitReason("region", "DED51"),
    )


def test_it_finds_by_keyword_when_the_cpv_code_is_elsewhere():
    tender = facts("tender:2", cpv_codes=("79342000",), title={"de": "Web-Portal für Marketing"})
    index, by_ref = build_index([tender])
    fits = rank_tenders(PROFILE, index, by_ref, now=NOW)
    assert [r.kind for r in fits[0].reasons] == ["keyword", "region"]


def test_it_leaves_out_tenders_that_share_neither_code_nor_keyword():
    tender = facts("tender:3", cpv_codes=("45233130",), title={"de": "Straßenbau"}, description={})
    index, by_ref = build_index([tender])
    assert rank_tenders(PROFILE, index, by_ref, now=NOW) == []


def test_it_applies_the_hard_filters_outside_the_engine():
    assert excluded_because(PROFILE, facts("t", deadline=NOW - dt.timedelta(hours=1)), NOW) == (
        "deadline"
    )
    # A placeholder deadline is not trusted, so it does not exclude.
    placeholder = facts("t", deadline=NOW - dt.timedelta(days=1), deadline_placeholder=True)
    assert excluded_because(PROFILE, placeholder, NOW) is None
    low = ProfileCriteria(value_max=50000)
    assert excluded_because(low, facts("t", estimated_value=Decimal("80000")), NOW) == "value"
    assert excluded_because(low, facts("t", estimated_value=None), NOW) is None
    assert excluded_because(PROFILE, facts("t", nuts=("AT130",), countries=("AT",)), NOW) == (
        "region"
    )
    french = facts("t", language="fr", title={"fr": "Portail web"})
    assert excluded_because(PROFILE, french, NOW) == "language"
    assert excluded_because(PROFILE, facts("t", open=False), NOW) == "closed"


def test_it_accepts_anywhere_only_for_collectives_that_work_remotely():
    anywhere = facts("t", nuts=(), countries=(), anywhere=True)
    assert excluded_because(PROFILE, anywhere, NOW) == "region"
    remote = ProfileCriteria(cpv_codes=("72200000",), regions=("DED",), remote_ok=True)
    assert excluded_because(remote, anywhere, NOW) is None
    index, by_ref = build_index([anywhere])
    fits = rank_tenders(remote, index, by_ref, now=NOW)
    assert FitReason("remote", "") in fits[0].reasons


def test_it_ranks_the_closer_cpv_code_first():
    near = facts("tender:near", cpv_codes=("72200000",), title={"de": "Software"}, description={})
    far = facts("tender:far", cpv_codes=("72230000",), title={"de": "IT"}, description={})
    other = facts("tender:other", cpv_codes=("72300000",), title={"de": "Daten"}, description={})
    profile = ProfileCriteria(cpv_codes=("72200000",))
    index, by_ref = build_index([near, far, other])
    assert [f.ref for f in rank_tenders(profile, index, by_ref, now=NOW)] == [
        "tender:near",
        "tender:far",
    ]
