"""Which collective a user may see and act for: the one place views and API routers ask.

Private things answer 404 to outsiders before anything else is checked, so their existence
does not leak; members-only actions answer 403 to visitors who may see the collective.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from klinke.collectives.models import Collective, Membership


def is_collective_member(user: Any) -> bool:
    """Whether `user` is a member of any collective that is not archived (a network role)."""
    return Membership.objects.filter(user=user, collective__archived_at__isnull=True).exists()


def visible_collective(request: HttpRequest, slug: str) -> Collective:
    """The collective, or 404 for anyone who may not see it, so its existence does not leak."""
    collective: Collective = get_object_or_404(
        Collective.objects.visible_to(request.user), slug=slug
    )
    if collective.is_archived and not collective.has_member(request.user):
        raise Http404
    return collective


def member_collective(request: HttpRequest, slug: str) -> Collective:
    """The collective the requesting user acts for: 404 if hidden from them, 403 if not a member."""
    collective = visible_collective(request, slug)
    if not collective.has_member(request.user):
        raise PermissionDenied
    return collective
