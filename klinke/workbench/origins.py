"""Where a lead came from, as told by the app it came from.

The workbench is a lower floor than the apps that make leads (tenders, for one) and must not
import them. Those apps register a finder in their ``AppConfig.ready``; the lead page asks every
finder and shows what they know: a link back to where the lead started, and its key facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from klinke.workbench.models import Lead


@dataclass(frozen=True, slots=True)
class LeadOrigin:
    """A page a lead started from, with what matters on the lead page."""

    kind: str
    """What it is, for people ("Public tender")."""
    title: str
    url: str
    """A local URL (the app's own page), never user text."""
    buyer: str = ""
    deadline: dt.datetime | None = None
    reference: str = ""


LeadOriginFinder = Callable[[Lead], "LeadOrigin | None"]
_FINDERS: list[LeadOriginFinder] = []


def register_lead_origin(finder: LeadOriginFinder) -> None:
    """Let the lead page ask ``finder`` where a lead came from (once per finder)."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def lead_origins(lead: Lead) -> list[LeadOrigin]:
    """What every registered app knows about where ``lead`` came from."""
    return [origin for finder in _FINDERS if (origin := finder(lead)) is not None]
