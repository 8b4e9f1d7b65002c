from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klinke.accounts import throttle
from klinke.core.client_address import client_ip


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_under_attack": _(
            "There have been too many failed logins for this account. To log in, ask for a "
            "sign-in code by email or reset your password."
        ),
    }

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # New people get email in the language they signed up in.
        user.language = (get_language() or "de")[:2]
        return super().save_user(request, user, form, commit)

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        login = str(credentials.get("email", ""))
        under_attack = throttle.is_account_under_attack(request, login)
        # Counts the attempt against the client's address, and refuses it once that address
        # has failed too often.
        user = super().authenticate(request, **credentials)
        if under_attack and not (user is not None and _has_totp(user)):
            # Right and wrong passwords get the same answer, so the lock tells no one whether
            # a guess was right; a TOTP code would still be asked for after the password.
            raise self.validation_error("account_under_attack")
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        throttle.record_failed_login(request, str(credentials.get("email", "")))

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth calls this after a successful password reset: the owner is back in control.
        super()._delete_login_attempts_cached_email(request, **credentials)
        throttle.clear_failed_logins(request, str(credentials.get("email", "")))


def _has_totp(user: Any) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())
