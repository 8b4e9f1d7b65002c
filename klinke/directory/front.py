"""What the anonymous front page shows: how big the directory is and its newest collectives.

The home app renders it for visitors who are not logged in; logged-in people get their
personal home instead (`klinke.home`), which lists their collectives.
"""

from __future__ import annotations

from typing import Any

from klinke.collectives.models import Collective
from klinke.core.counts import cached_counts
from klinke.core.models import Visitor
from klinke.supporters.models import Supporter


def front_page_context(user: Visitor) -> dict[str, Any]:
    collectives = Collective.objects.active().visible_to(user)
    supporters = Supporter.objects.visible_to(user)
    collective_count, supporter_count = cached_counts([collectives, supporters])  # one cache read
    return {
        "collective_count": collective_count,
        "supporter_count": supporter_count,
        # What a card shows, not the whole profile (its search document is large).
        "recent_collectives": collectives.order_by("-created_at").only(
            "name", "slug", "city", "country", "is_demo"
        )[:6],
    }
