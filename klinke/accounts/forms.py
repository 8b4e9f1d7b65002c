from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.accounts.models import APIToken, User
from klinke.core.forms import CleanTextInputs


class SignupNameForm(CleanTextInputs, forms.Form):
    """What allauth's sign-up form asks beyond email and password: the name others see.

    allauth builds its sign-up form on this class (ACCOUNT_SIGNUP_FORM_CLASS), so the name
    comes first; the adapter stores it on the new user.
    """

    field_order = ("name", "email", "password1", "password2")

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("Shown to others in the network, e.g. “Mira Schneider” or “Mira”."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request: object, user: User) -> None:
        """allauth's hook after the user is saved; the adapter has stored the name already."""


class AccountSettingsForm(CleanTextInputs, forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["name", "language", "phone"]


class APITokenForm(CleanTextInputs, forms.ModelForm[APIToken]):
    class Meta:
        model = APIToken
        fields = ["name"]
        help_texts = {"name": _("What the token is for, e.g. 'calendar sync'.")}


class DeleteAccountForm(CleanTextInputs, forms.Form):
    """The proof a person gives before their account is deleted."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: object, needs_code: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]
