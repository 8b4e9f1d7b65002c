"""Failed logins counted per account, kept apart from allauth's per-address limit.

allauth's per-account limit refuses even the right password, so five wrong guesses from anywhere
lock the owner out. klinke counts failures per account instead and, while the count is over the
limit, lets a password log in only if a second factor follows (TOTP); the owner can still use a
sign-in code sent by email or reset the password, which clears the count. The counts live in the
shared database cache through allauth's rate-limit store, so all app processes see them.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest

APP = "allauth.account"
ACTION = "klinke_login_failed_account"


def _config() -> dict[str, str]:
    return {ACTION: settings.KLINKE_LOGIN_FAILURES_PER_ACCOUNT}


def _key(login: str) -> str:
    return login.strip().lower()


def is_account_under_attack(request: HttpRequest, login: str) -> bool:
    """Whether the account `login` has had too many failed logins lately."""
    usage = ratelimit.consume(
        request, app=APP, action=ACTION, config=_config(), key=_key(login), dry_run=True
    )
    return usage is None


def record_failed_login(request: HttpRequest, login: str) -> None:
    ratelimit.consume(request, app=APP, action=ACTION, config=_config(), key=_key(login))


def clear_failed_logins(request: HttpRequest, login: str) -> None:
    ratelimit.clear(request, app=APP, action=ACTION, config=_config(), key=_key(login))
