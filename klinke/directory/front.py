"""What the anonymous front page shows: how big the directory is and its newest collectives.

The home app renders it for visitors who are not logged in; logged-in people get their
personal home instead (`klinke.home`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from klinke.collectives.models import Collective
from klinke.core.counts import cached_count
from klinke.core.models import Visitor
from klinke.supporters.models import Supporter


def front_page_context(user: Visitor) -> dict[str, Any]:
    collectives = Collective.objects.active().visible_to(user)
    supporters = Supporter.objects.visible_to(user)
    my_collectives = Collective.objects.active().of_member(user).annotate(n=Count("memberships"))
    return {
        "collective_count": cached_count(collectives),
        "supporter_count": cached_count(supporters),
        "recent_collectives": collectives.order_by("-created_at")[:6],
        "my_collectives": my_collectives,
    }
