from django.conf import settings
from django.http import HttpRequest

from klinke.core.models import is_network_member, session_holds_network_role


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "SITE_URL": settings.SITE_URL,
        "is_network_member": is_network_member(user),
        # Called by the template only where it asks (the user menu); the session remembers.
        "has_supporter_profile": lambda: session_holds_network_role(request, "supporter"),
    }
