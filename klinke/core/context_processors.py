from django.conf import settings
from django.http import HttpRequest

from klinke.core.models import holds_network_role, is_network_member


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "SITE_URL": settings.SITE_URL,
        "is_network_member": is_network_member(user),
        # Called by the template only where it asks (the user menu), then cached on the user.
        "has_supporter_profile": lambda: holds_network_role(user, "supporter"),
    }
