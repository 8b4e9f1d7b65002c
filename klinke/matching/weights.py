"""Every tunable number of the matching engine, in one documented place.

The engine scores each candidate per *factor* with a value in [0, 1] and combines
the factors as a weighted mean over the factors that apply to the query (a need
without topics has no topic factor), so the total score stays in [0, 1] and is
comparable between candidates of the same query. Change weights here, not in the
engine; tests pin the behaviour the defaults are meant to produce.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Weights:
    """Factor weights and the parameters of each factor's value."""

    # --- factor weights (relative; normalised over the factors that apply) -------
    topic: float = 0.30
    """Hierarchy-aware overlap of the query's topics with the candidate's."""
    text: float = 0.30
    """BM25 relevance of the candidate's text to the query's text."""
    kind: float = 0.10
    """Share of the query's kinds of help that the candidate offers."""
    language: float = 0.10
    """Whether query and candidate share a working language."""
    region: float = 0.08
    """Proximity, or both sides able to work remotely."""
    availability: float = 0.07
    """Free hours of the candidate (relative to the hours needed, if known)."""
    fairness: float = 0.05
    """Spreads introductions: candidates with many unanswered ones rank lower."""
    semantic: float = 0.15
    """Embedding similarity; only applies when an embedder is available."""
    semantic_floor: float = 0.75
    """Cosine similarity that counts as 0 for the semantic factor; the value rises linearly
    to 1 at similarity 1. Embedding models give even unrelated texts of one domain a high
    cosine (multilingual-e5: about 0.75), so without a floor the factor barely separates."""
    feedback: float = 0.05
    """Introductions to this counterpart rated helpful, on topics like the query's.

    The rule, in the open: an introduction counts as helpful when its requester answered
    "helpful" or rated it 4 or 5; it counts for a query when its need had one of the query's
    topics (or a parent or child of one). The value is n / (n + ``feedback_half``), so the first
    helpful introductions matter most and many can add at most this weight. Unhelpful or low
    ratings are never subtracted: nobody ranks lower, let alone disappears, for one bad
    rating; they only miss the small lift. Applies only when the caller passes feedback and
    the query has topics; the reason says "3 hilfreiche Vermittlungen zu Akquise".
    """

    # --- topic ----------------------------------------------------------------
    topic_parent_step: float = 0.6
    """Similarity per hierarchy step between a topic and its ancestor/descendant."""
    topic_sibling: float = 0.3
    """Similarity between two topics with the same parent."""

    # --- text (BM25) ----------------------------------------------------------
    bm25_k1: float = 1.2
    """Term-frequency saturation; standard BM25 value."""
    bm25_b: float = 0.75
    """Length normalisation; standard BM25 value."""
    title_boost: int = 2
    """Title terms count this many times, since titles summarise."""
    text_half: float = 3.0
    """BM25 score, in query-average idf units, at which the text factor reaches 0.5.

    A long need cannot be covered by a short offer, so coverage is not the measure:
    matching about three average query terms is "half way"; more saturates. Short
    queries use half their term count instead, so matching all of them scores high.
    """
    max_query_terms: int = 32
    """Query terms used besides the core terms: the rarest ones; commoner ones barely
    discriminate and cost time. *Core* terms, always used at full weight, are those of the
    query's title and those tied to its topics (found in a topic's name), so a long need keeps
    "Preisgestaltung" even when its text has many rarer words."""
    core_terms_max: int = 16
    """At most this many core terms (rarest first); the rest count as ordinary terms."""
    long_query_term_weight: float = 0.5
    """Weight of the non-core terms of a long query (more than ``max_query_terms`` terms):
    in a long text, the title and topics say what matters, the rest says it in passing."""
    excluded_penalty: float = 0.5
    """Score multiplier for a candidate offering what the query rules out ("kein Tracking",
    "no agencies"): it may still appear, but not first for exactly that."""

    # --- candidate selection (see klinke.matching.engine) -----------------------
    candidate_pool: int = 400
    """Documents scored exactly per query, chosen by approximate text+topic points.

    Larger is closer to exhaustive and slower (about 3 µs per document at 30 query
    terms); ``bench/match.py --check`` reports the top-10 agreement.
    """
    selection_resolution: int = 512
    """Integer selection points per unit of weighted factor value (quantisation)."""

    # --- neutral values for unknown data ----------------------------------------
    unknown: float = 0.5
    """Value of kind/language/availability when the candidate does not say."""
    region_unknown: float = 0.3
    """Value of the region factor when location is unknown on one side."""

    # --- region ---------------------------------------------------------------
    remote: float = 0.8
    """Value when both sides can work remotely (on-site nearby can still beat it)."""
    distance_scale_km: float = 100.0
    """Proximity decays as exp(-distance / scale): 35 km -> 0.70, 150 km -> 0.22."""
    same_nuts3: float = 0.9
    """Same NUTS-3 area (roughly a district) when coordinates are missing."""
    same_nuts2: float = 0.7
    """Same NUTS-2 area (roughly a state region)."""
    same_nuts1: float = 0.55
    """Same NUTS-1 area (roughly a federal state)."""
    same_country: float = 0.35
    """Same country, nothing more precise known (also the floor with coordinates)."""

    # --- availability and fairness ----------------------------------------------
    availability_half_hours: float = 4.0
    """Free hours per month at which availability reaches 0.5 if no need is stated."""
    fairness_half: float = 3.0
    """Unanswered introductions at which the fairness value halves."""
    feedback_half: float = 2.0
    """Helpful introductions on similar topics at which the feedback value reaches 0.5."""

    # --- output ---------------------------------------------------------------
    reason_min: float = 0.005
    """Contributions below this are not worth a reason."""


DEFAULT_WEIGHTS = Weights()
"""The weights used unless a caller passes others."""
