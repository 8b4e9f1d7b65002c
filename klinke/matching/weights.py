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
    """Rarest query terms used; commoner ones barely discriminate and cost time."""

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

    # --- output ---------------------------------------------------------------
    reason_min: float = 0.005
    """Contributions below this are not worth a reason."""


DEFAULT_WEIGHTS = Weights()
"""The weights used unless a caller passes others."""
