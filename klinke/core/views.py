from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
