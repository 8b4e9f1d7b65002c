from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klinke.collectives.models import Collective
from klinke.supporters.models import Supporter


def home(request: HttpRequest) -> HttpResponse:
    collectives = Collective.objects.active().visible_to(request.user)
    supporters = Supporter.objects.visible_to(request.user)
    my_collectives = (
        Collective.objects.active().of_member(request.user).annotate(n=Count("memberships"))
    )
    return render(
        request,
        "core/home.html",
        {
            "collective_count": collectives.count(),
            "supporter_count": supporters.count(),
            "recent_collectives": collectives.order_by("-created_at")[:6],
            "my_collectives": my_collectives,
        },
    )


def notifications_off(request: HttpRequest, token: str) -> HttpResponse:
    """Turn one kind of email off from a link in such an email; no login needed."""
    from django.core import signing

    from klinke.core.mail import read_unsubscribe_token
    from klinke.core.models import NotificationKind, NotificationMute

    try:
        user_pk, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "core/notifications_off.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if "undo" in request.POST:
            NotificationMute.objects.filter(user_id=user_pk, kind=kind).delete()
        else:
            NotificationMute.objects.get_or_create(user_id=user_pk, kind=kind)
    muted = NotificationMute.objects.filter(user_id=user_pk, kind=kind).exists()
    return render(
        request,
        "core/notifications_off.html",
        {"kind": NotificationKind(kind).label, "muted": muted, "token": token},
    )
