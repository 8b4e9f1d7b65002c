from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.accounts.models import APIToken, User
from klinke.core.forms import CleanTextInputs


class AccountSettingsForm(CleanTextInputs, forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["name", "language", "phone"]


class APITokenForm(CleanTextInputs, forms.ModelForm[APIToken]):
    class Meta:
        model = APIToken
        fields = ["name"]
        help_texts = {"name": _("What the token is for, e.g. 'calendar sync'.")}
