"""What the public sees of vouches: the list on a collective's profile and next to its answer
in an inquiry round, and one sentence that counts who vouched (never stars or scores)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klinke.collectives.models import Collective
from klinke.collectives.profile_sections import ProfileSection
from klinke.core import fragments
from klinke.core.models import Visitor, is_network_member, signed_in_pk
from klinke.supporters.models import Supporter
from klinke.vouches.models import Vouch


def public_vouches(collective: Collective, viewer: Visitor) -> list[Vouch]:
    """The public vouches for `collective` whose voucher `viewer` may see, newest first."""
    return list(Vouch.objects.filter(collective=collective).seen_by(viewer))


def vouches_by_collective(
    collectives: Iterable[Collective], viewer: Visitor
) -> dict[int, list[Vouch]]:
    """`public_vouches` for several collectives at once (one query), by collective pk."""
    found: dict[int, list[Vouch]] = defaultdict(list)
    pks = [collective.pk for collective in collectives]
    for vouch in Vouch.objects.filter(collective_id__in=pks).seen_by(viewer):
        found[vouch.collective_id].append(vouch)
    return dict(found)


def counted(vouches: Iterable[Vouch]) -> str:
    """ "3 collectives and 2 supporters have worked with us.": distinct vouchers, counted."""
    collectives = {v.voucher_collective_id for v in vouches if v.voucher_collective_id}
    supporters = {v.voucher_supporter_id for v in vouches if v.voucher_supporter_id}
    if collectives and supporters:
        return _("%(collectives)s and %(supporters)s have worked with us.") % {
            "collectives": ngettext(
                "%(count)d collective", "%(count)d collectives", len(collectives)
            )
            % {"count": len(collectives)},
            "supporters": ngettext("%(count)d supporter", "%(count)d supporters", len(supporters))
            % {"count": len(supporters)},
        }
    if collectives:
        return ngettext(
            "%(count)d collective has worked with us.",
            "%(count)d collectives have worked with us.",
            len(collectives),
        ) % {"count": len(collectives)}
    if supporters:
        return ngettext(
            "%(count)d supporter has worked with us.",
            "%(count)d supporters have worked with us.",
            len(supporters),
        ) % {"count": len(supporters)}
    return ""


def vouch_links(collective: Collective, viewer: Visitor) -> list[tuple[str, str]]:
    """(who, URL) for each side `viewer` may vouch from for `collective`: their other
    collectives and their supporter profile; none for its own members."""
    user_id = signed_in_pk(viewer)
    if user_id is None or collective.is_archived:
        return []
    # The profile page has the memberships prefetched: no query for its own members.
    if any(m.user_id == user_id for m in collective.memberships.all()):
        return []
    query = f"?for={collective.slug}"
    links = [
        (own.name, reverse("vouches:index", args=[own.slug]) + query)
        for own in Collective.objects.active().filter(memberships__user_id=user_id).order_by("name")
    ]
    if Supporter.objects.filter(user_id=user_id).exists():
        links.append((_("as a supporter"), reverse("supporter_vouches:index") + query))
    return links


def profile_section(collective: Collective, viewer: Visitor) -> ProfileSection | None:
    """The section "Who has worked with us" on the profile: the public vouches, and for people
    who may vouch, where to do it.

    The vouches shown depend on the collective and on whether the viewer belongs to the
    network, nothing else: their list is kept for the next viewer of that audience
    (klinke.core.fragments); where the viewer may vouch is asked per request."""
    member = is_network_member(viewer)

    def build() -> str:
        vouches = public_vouches(collective, viewer)
        if not vouches:
            return ""
        return fragments.render_part(
            "vouches/_profile_vouches.html", {"vouches": vouches, "counted": counted(vouches)}
        )

    listing = fragments.kept("vouches/_profile_vouches.html", (collective.pk, member), build)
    links = vouch_links(collective, viewer)
    if not listing and not links:
        return None
    return ProfileSection(
        template="vouches/_profile_section.html", context={"listing": listing, "links": links}
    )
