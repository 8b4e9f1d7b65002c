"""The account itself: profile, email addresses, second factors, API tokens, admin actions.

Exported as names and dates only: never a password hash, token digest or TOTP secret.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from klinke.accounts.models import APIToken, PersonalExport, User
from klinke.core.personal_data import ExportFile, PersonalData, rows


def export(user: User) -> list[ExportFile]:
    profile = {
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "language": user.language,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": rows(
            EmailAddress.objects.filter(user=user).order_by("pk"), "email", "verified", "primary"
        ),
        "second_factors": rows(
            Authenticator.objects.filter(user=user).order_by("pk"),
            "type",
            "created_at",
            "last_used_at",
        ),
    }
    return [
        ExportFile(
            name="profile",
            about_en=(
                "Your account: email addresses, name, phone, language, when you joined and last "
                "logged in, and which second factors you set up (never their secrets)."
            ),
            about_de=(
                "Dein Konto: E-Mail-Adressen, Name, Telefon, Sprache, wann du beigetreten bist "
                "und dich zuletzt angemeldet hast, und welche zweiten Faktoren du eingerichtet "
                "hast (nie ihre Geheimnisse)."
            ),
            content=profile,
        ),
        ExportFile(
            name="api_tokens",
            about_en="Your API tokens: names and dates only, never the secrets.",
            about_de="Deine API-Tokens: nur Namen und Daten, nie die Geheimnisse.",
            content=rows(
                APIToken.objects.filter(user=user).order_by("created_at"),
                "name",
                "created_at",
                "last_used_at",
                "revoked_at",
            ),
        ),
        ExportFile(
            name="admin_actions",
            about_en="Changes you made in the admin, as a network steward.",
            about_de="Änderungen, die du als Netzwerk-Betreuer*in in der Verwaltung gemacht hast.",
            content=rows(
                LogEntry.objects.filter(user=user).order_by("action_time"),
                "action_time",
                "content_type__model",
                "object_repr",
                "action_flag",
                "change_message",
            ),
        ),
        ExportFile(
            name="exports",
            about_en="When you asked for an export of your data.",
            about_de="Wann du einen Export deiner Daten angefordert hast.",
            content=rows(
                PersonalExport.objects.filter(user=user).order_by("requested_at"),
                "requested_at",
                "state",
                "ready_at",
                "expires_at",
            ),
        ),
    ]


def erase(user: User) -> None:
    from klinke.accounts.export import delete_export_files

    APIToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    delete_export_files(PersonalExport.objects.filter(user=user))
    PersonalExport.objects.filter(user=user).delete()
    LogEntry.objects.filter(user=user).delete()
    # Stewards' log entries about this account name it: they keep the action, not the name.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr="", change_message="")


PERSONAL_DATA = PersonalData(
    app_label="accounts",
    covers=(
        "account.EmailAddress.user",
        "mfa.Authenticator.user",
        "admin.LogEntry.user",
        "accounts.APIToken.user",
        "accounts.PersonalExport.user",
    ),
    export=export,
    erase=erase,
)
