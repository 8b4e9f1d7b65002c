"""Who may see or change a collective's things: the one place views and API routers ask.

The rule. A collective's members-only area (its workbench, contacts, leads, decisions, red
lines, referrals and settings; editing the collective, its members and invitations, leaving
and archiving) exists only for its members. Everyone else gets 404, exactly as for a
collective that does not exist, on pages and in the API, for every method and whatever the
body: membership is checked before the method and before any input is validated, so not even
a 405 or a validation error confirms that the route or the collective is there.

Two exceptions, both independent of the collective asked for, so they leak nothing:
- an anonymous page request is redirected to the login page (`login_required`), as it always
  was, so a member following a link while logged out lands where they meant to go;
- an anonymous API call gets 401 (log in or send a token).

Public things of a visible collective (posting needs and offers in its name) are different:
the collective is no secret there, so a visitor who is not a member gets 403
(`collective_to_act_for`).

Pages use `member_collective(request, slug)` (or the `members_only` decorator); API routes
whose path names the collective as `{collective}` use `auth=collective_member` and read the
collective with `request_collective(request)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from weakref import WeakKeyDictionary

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.collectives.models import Collective, CollectiveQuerySet, Membership
from klinke.core import fragments
from klinke.core.models import Visitor, is_network_member, signed_in_pk


def is_collective_member(user: Visitor) -> bool:
    """Whether `user` is a member of any collective that is not archived (a network role)."""
    pk = signed_in_pk(user)
    return (
        pk is not None
        and Membership.objects.filter(user_id=pk, collective__archived_at__isnull=True).exists()
    )


def visible_collective(
    request: HttpRequest,
    slug: str,
    queryset: CollectiveQuerySet | None = None,
    *,
    keep_as: str = "",
) -> Collective:
    """The collective, or 404 for anyone who may not see it, so its existence does not leak.

    `queryset` may add related rows to fetch; it is narrowed to what the user may see. With
    `keep_as`, the row found (with what `queryset` fetched alongside) is kept under that name
    until the data change (`klinke.core.fragments.kept_value`), for everyone of the same
    audience: who finds it depends only on whether they belong to the network.
    """
    base = Collective.objects.all() if queryset is None else queryset

    def find() -> Collective:
        found: Collective = get_object_or_404(base.visible_to(request.user), slug=slug)
        return found

    if keep_as:
        audience = (slug, is_network_member(request.user))
        collective = fragments.kept_value(keep_as, audience, find)
    else:
        collective = find()
    if collective.is_archived and not collective.has_member(request.user):
        raise Http404
    return collective


def member_collective(request: HttpRequest, slug: str) -> Collective:
    """The collective, for its members only: 404 for everyone else (the members-only area).

    What `visible_collective` and `has_member` would answer together (a member may see their
    collective even when it is archived), in one query.
    """
    pk = signed_in_pk(request.user)
    if pk is None:
        raise Http404

    def find() -> Collective:
        visible = Collective.objects.visible_to(request.user).filter(memberships__user_id=pk)
        # Its search document (large) is for the directory's index, never for a members' page.
        found: Collective = get_object_or_404(visible.defer("search_document"), slug=slug)
        return found

    # Kept for this member until the data change (klinke.core.fragments): a new membership,
    # a member leaving, an archived collective or a changed user all write to the database.
    return fragments.kept_value("collectives:member-collective", (slug, pk), find)


def collective_to_act_for(request: HttpRequest, slug: str) -> Collective:
    """A visible collective the user acts for in public: 404 if hidden, 403 if not a member."""
    collective = visible_collective(request, slug)
    if not collective.has_member(request.user):
        raise PermissionDenied
    return collective


View = Callable[..., HttpResponse]


def members_only(view: View) -> View:
    """A page of the members-only area under `<slug:slug>`: log in, then 404 for non-members.

    The view receives the collective instead of the slug. Membership is checked before
    anything else the view does (including its method check), so outsiders learn nothing.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: object, **kwargs: object) -> HttpResponse:
        return view(request, member_collective(request, slug), *args, **kwargs)

    return wrapper


def members_only_view(methods: Sequence[str] = ("GET", "POST")) -> Callable[[View], View]:
    """`members_only` with the allowed methods: log in, check membership (404), then the
    method (405), and pass the collective on. Membership comes before the method, so a
    non-member learns nothing from a 405 either."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: int, **kwargs: int) -> HttpResponse:
            collective = member_collective(request, slug)
            if request.method not in allowed:
                return HttpResponseNotAllowed(sorted(allowed))
            return view(request, collective, *args, **kwargs)

        return wrapper

    return decorate


class CollectiveMember(TokenOrSessionRequired):
    """API auth: a logged-in member of the collective named in the path (`{collective}`).

    Ninja runs auth before it parses the body, so an outsider gets 404 even for an invalid
    body, never a validation error; anonymous callers get 401.
    """

    def __call__(self, request: HttpRequest) -> Visitor | None:
        user = super().__call__(request)
        if user is None:
            return None
        match = request.resolver_match
        slug = match.kwargs.get("collective") if match is not None else None
        pk = signed_in_pk(user)
        collective = (
            Collective.objects.filter(slug=slug, memberships__user_id=pk).first()
            if slug and pk is not None
            else None
        )
        if collective is None:
            raise Http404
        _member_collectives[request] = collective
        return user


collective_member = CollectiveMember()

# The collective `collective_member` let each request in, for as long as the request lives.
_member_collectives: WeakKeyDictionary[HttpRequest, Collective] = WeakKeyDictionary()


def request_collective(request: HttpRequest) -> Collective:
    """The collective `collective_member` let the caller into."""
    return _member_collectives[request]
