"""The public inquiry form (the one form strangers use) and the collective's answers.

The public form carries two traps for robots and no third party: a honeypot field people do
not see, and a signed time stamp (`django.core.signing`) that refuses a form sent back faster
than a person can fill it in, or older than a day. Browsers with JavaScript also send an
optional proof of work (`proof`, see `proof_of_work.py`), which the action checks.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.inquiries.models import (
    Budget,
    InquiryLanguage,
    InquirySettings,
    OrganisationType,
    TimeFrame,
)
from klinke.inquiries.routing import DEFAULT_RULES
from klinke.topics.models import Topic

TIME_TRAP_SALT = "klinke.inquiries.started"
MIN_SECONDS = 3
MAX_AGE_SECONDS = 24 * 3600


def time_stamp(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=TIME_TRAP_SALT)


def strip_controls(value: str, *, keep_lines: bool) -> str:
    """Control characters go; line breaks and tabs stay only where lines mean something."""
    kept = "\n\t" if keep_lines else ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in kept or not unicodedata.category(ch).startswith("C"))


class SpamRefused(Exception):
    """The form was sent by a robot: the view answers as if it had worked."""


class InquiryForm(CleanTextInputs, forms.Form):
    description = forms.CharField(
        label=_("What is your project about?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should be built or changed, for whom, and what is there already."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Kind of work"),
        queryset=Topic.objects.order_by("name_en"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation_type = forms.ChoiceField(
        label=_("Your organisation"), choices=OrganisationType.choices
    )
    budget = forms.ChoiceField(label=_("Budget"), choices=Budget.choices, initial=Budget.UNKNOWN)
    time_frame = forms.ChoiceField(
        label=_("Time frame"), choices=TimeFrame.choices, initial=TimeFrame.UNKNOWN
    )
    region = forms.RegexField(
        label=_("Region"),
        regex=r"^[A-Za-z]{2}[A-Za-z0-9]{0,3}$",
        max_length=5,
        required=False,
        help_text=_("A country code (DE) or EU region code (DED51 for Leipzig)."),
        error_messages={
            "invalid": _("Use a country code such as DE or a region code such as DED51.")
        },
    )
    remote = forms.BooleanField(label=_("The work can be done remotely"), required=False)
    language = forms.ChoiceField(label=_("Your language"), choices=InquiryLanguage.choices)
    contact_name = forms.CharField(label=_("Your name"), max_length=120)
    contact_email = forms.EmailField(label=_("Your email address"), max_length=254)
    contact_phone = forms.RegexField(
        label=_("Phone (optional)"),
        regex=r"^[0-9+()/. -]{3,40}$",
        max_length=40,
        required=False,
        error_messages={"invalid": _("Only digits, spaces and + ( ) / . - please.")},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that klinke passes my inquiry, with my name and contact details, on to the "
            "network's collectives that fit it."
        ),
    )
    collective = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    # The honeypot: hidden from people (and from screen readers), filled by robots.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)
    # Filled by the proof-of-work widget, which draws its own input; empty without JavaScript.
    # Its length is judged by proof_of_work.check, which refuses an overlong one as wrong.
    proof = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["started"].initial = time_stamp()
        self.spam = False

    def clean_description(self) -> str:
        return strip_controls(self.cleaned_data["description"], keep_lines=True).strip()

    def clean_contact_name(self) -> str:
        name = " ".join(strip_controls(self.cleaned_data["contact_name"], keep_lines=False).split())
        if not name:
            raise forms.ValidationError(_("Tell us your name."))
        return name

    def clean_contact_email(self) -> str:
        email: str = self.cleaned_data["contact_email"]
        if any(unicodedata.category(ch).startswith("C") or ch in ",;<>" for ch in email):
            raise forms.ValidationError(_("Enter one email address."))
        return email

    def clean_region(self) -> str:
        return str(self.cleaned_data.get("region") or "").upper()

    def clean_started(self) -> str:
        raw = self.cleaned_data["started"]
        try:
            started = int(signing.loads(raw, salt=TIME_TRAP_SALT, max_age=MAX_AGE_SECONDS))
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _("This form is too old or was changed. Please fill it in again.")
            ) from None
        if time.time() - started < MIN_SECONDS:
            raise forms.ValidationError(
                _(
                    "That was faster than anyone can type. "
                    "Please check your inquiry and send it again."
                )
            )
        return str(raw)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("homepage"):
            self.spam = True
        if not data.get("region") and not data.get("remote") and not self.errors:
            raise forms.ValidationError(
                _("Give a region, or say that the work can be done remotely.")
            )
        return data


class AnswerForm(CleanTextInputs, forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("interested", _("interested")), ("declined", _("not this time"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the client"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you are interested and what you would do first. The client reads this."),
    )

    def clean_note(self) -> str:
        return strip_controls(self.cleaned_data["note"], keep_lines=True).strip()


class SettingsForm(CleanTextInputs, forms.ModelForm[InquirySettings]):
    class Meta:
        model = InquirySettings
        fields = ["capacity", "paused"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"].help_text = _(
            "How many inquiries your collective can take over %(days)d days."
        ) % {"days": DEFAULT_RULES.window_days}
