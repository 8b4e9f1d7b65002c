from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.topics.forms import TopicsField


class ProfileEssentialsForm(CleanTextInputs, forms.Form):
    """Only what matters first: what the collective does, where, and on which topics."""

    description = forms.CharField(
        label=_("What does your collective do?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Two or three sentences: what you build, for whom, and what makes you good at it. "
            "Others find you by these words."
        ),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    topics = TopicsField(
        label=_("Topics"),
        required=True,
        help_text=_("What you know well; suggestions and searches use them."),
    )
