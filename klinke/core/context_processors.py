from django.conf import settings
from django.http import HttpRequest

from klinke.core.models import is_network_member


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_URL": settings.SITE_URL,
        "is_network_member": is_network_member(getattr(request, "user", None)),
    }
