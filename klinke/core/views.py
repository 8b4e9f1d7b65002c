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
