from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from klinke.accounts import throttle
from klinke.accounts.models import User
from klinke.core.client_address import client_ip
from klinke.core.languages import interface_language
from klinke.core.mail import render_plain_text

LINKS = ("activate_url", "password_reset_url", "signup_url")
"""Context values of allauth's mails that are links into klinke."""


def on_site(url: str) -> str:
    """The same path on SITE_URL, whatever Host header the request that made the link carried."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    path = site.path.rstrip("/") + parts.path
    return urlunsplit((site.scheme, site.netloc, path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_under_attack": _(
            "There have been too many failed logins for this account. To log in, ask for a "
            "sign-in code by email or reset your password."
        ),
    }

    def save_user(
        self, request: HttpRequest, user: User, form: object, commit: bool = True
    ) -> User:
        # New people get email in the language they signed up in.
        user.language = interface_language()
        # The name people see, asked for on the sign-up form (accounts.forms.SignupNameForm).
        cleaned = getattr(form, "cleaned_data", {})
        user.name = str(cleaned.get("name", "")).strip()
        saved: User = super().save_user(request, user, form, commit)
        return saved

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def authenticate(self, request: HttpRequest, **credentials: object) -> User | None:
        login = str(credentials.get("email", ""))
        under_attack = throttle.is_account_under_attack(request, login)
        # Counts the attempt against the client's address, and refuses it once that address
        # has failed too often.
        user: User | None = super().authenticate(request, **credentials)
        if under_attack and not (user is not None and _has_totp(user)):
            # Right and wrong passwords get the same answer, so the lock tells no one whether
            # a guess was right; a TOTP code would still be asked for after the password.
            raise self.validation_error("account_under_attack")
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: object) -> None:
        throttle.record_failed_login(request, str(credentials.get("email", "")))

    def _delete_login_attempts_cached_email(
        self, request: HttpRequest, **credentials: object
    ) -> None:
        # allauth calls this after a successful password reset: the owner is back in control.
        super()._delete_login_attempts_cached_email(request, **credentials)
        throttle.clear_failed_logins(request, str(credentials.get("email", "")))

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, object],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """Account mail from klinke's own templates, as plain text like every klinke mail.

        Links point at SITE_URL: a request with a forged Host header cannot send someone a
        password reset link to another site.
        """
        values = {**context, "SITE_URL": settings.SITE_URL}
        for key in LINKS:
            link = values.get(key)
            if isinstance(link, str):
                values[key] = on_site(link)
        subject = render_plain_text(f"{template_prefix}_subject.txt", values)
        body = render_plain_text(f"{template_prefix}_message.txt", values).strip() + "\n"
        return EmailMessage(
            subject=self.format_email_subject(" ".join(subject.split())),
            body=body,
            from_email=self.get_from_email(),
            to=[email] if isinstance(email, str) else list(email),
            headers=headers,
        )


def _has_totp(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())
