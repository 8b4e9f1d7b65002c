from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest


def remember_supporter_role(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """The session remembers from the login on whether the user menu shows "My supporter
    profile" or "Become a supporter"."""
    from klinke.core.models import remember_network_role
    from klinke.supporters.models import is_supporter

    if request is not None and hasattr(request, "session"):
        remember_network_role(request.session, "supporter", is_supporter(user))


class SupportersConfig(AppConfig):
    name = "klinke.supporters"
    label = "supporters"

    def ready(self) -> None:
        from klinke.core.models import register_network_role
        from klinke.supporters.models import Supporter, is_supporter

        register_network_role(
            "supporter", is_supporter, lambda pk: Supporter.objects.filter(user_id=pk)
        )

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(remember_supporter_role, dispatch_uid="remember_supporter_role")

        from klinke.core.personal_data import register_personal_data
        from klinke.supporters.personal_data import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)

        from klinke.core import search

        search.register(Supporter)
