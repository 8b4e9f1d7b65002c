from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.utils.translation import get_language

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
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # New people get email in the language they signed up in.
        user.language = (get_language() or "de")[:2]
        return super().save_user(request, user, form, commit)

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """Account mail from klinke's own templates, as plain text like every klinke mail.

        Links point at SITE_URL: a request with a forged Host header cannot send someone a
        password reset link to another site.
        """
        values = {**context, "SITE_URL": settings.SITE_URL}
        for key in LINKS:
            if isinstance(values.get(key), str):
                values[key] = on_site(values[key])
        subject = render_plain_text(f"{template_prefix}_subject.txt", values)
        body = render_plain_text(f"{template_prefix}_message.txt", values).strip() + "\n"
        return EmailMessage(
            subject=self.format_email_subject(" ".join(subject.split())),
            body=body,
            from_email=self.get_from_email(),
            to=[email] if isinstance(email, str) else list(email),
            headers=headers,
        )
