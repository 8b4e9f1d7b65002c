from __future__ import annotations

from typing import Unpack, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.collectives.scoped_forms import CollectiveForm, CollectiveModelForm
from klinke.contacts import limits, parsers
from klinke.contacts.actions import ContactValues, OrganisationValues, contact_form_fields
from klinke.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organisation,
    Source,
    join_tags,
    split_tags,
)
from klinke.core.forms import CleanTextInputs
from klinke.core.signatures import FormData, FormOptions, form_field
from klinke.core.widgets import IsoDateInput


class TagsField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(
            label=_("tags"),
            required=False,
            help_text=_("Separate tags with commas, e.g. “tenant, city council”."),
        )

    def prepare_value(self, value: object) -> object:
        if isinstance(value, str) and value.startswith(","):
            return ", ".join(split_tags(value))
        return value

    def clean(self, value: object) -> str:
        text = super().clean(value)
        tags = join_tags(str(text).split(","))
        if len(tags) > 500:
            raise forms.ValidationError(_("Too many tags."))
        return tags


class CountryCode(forms.BaseForm):
    """A form whose `country` field takes a two-letter country code, stored upper-case."""

    def clean_country(self) -> str:
        country = str(self.cleaned_data.get("country") or "").strip().upper()
        if country and not (len(country) == 2 and country.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code, e.g. DE."))
        return country


class OrganisationForm(CleanTextInputs, CountryCode, forms.ModelForm[Organisation]):
    tags = TagsField()

    class Meta:
        model = Organisation
        fields = list(OrganisationValues.__annotations__)

    def organisation_values(self) -> OrganisationValues:
        """The checked values as plain data for actions.do_write_organisation."""
        # The form's fields are OrganisationValues' keys, checked above.
        values = cast(
            OrganisationValues, {name: self.cleaned_data[name] for name in self.Meta.fields}
        )
        values["tags"] = split_tags(self.cleaned_data["tags"])
        return values


class ContactForm(CleanTextInputs, CountryCode, CollectiveModelForm[Contact]):
    tags = TagsField()

    class Meta:
        model = Contact
        fields = contact_form_fields()
        widgets = {
            "consent_on": IsoDateInput(),
            "birthday": IsoDateInput(),
            "last_contacted_on": IsoDateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "contact_preferences": forms.Textarea(attrs={"rows": 2}),
        }

    def limit_choices(self, collective: Collective) -> None:
        organisation = form_field(self, "organisation", forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.for_collective(collective)
        source = form_field(self, "source", forms.ChoiceField)
        # Imports, introductions and the demo set their own source; people pick the others.
        allowed = {Source.MANUAL, Source.EVENT}
        if self.instance.pk:
            allowed.add(Source(self.instance.source))
        source.choices = [(v, label) for v, label in Source.choices if v in allowed]

    def contact_values(self) -> ContactValues:
        """The checked values as plain data for actions.do_write_contact."""
        skipped = {"organisation", "tags"}
        # The form's fields are ContactValues' keys (but organisation and tags), checked above.
        values = cast(
            ContactValues,
            {name: self.cleaned_data[name] for name in self.Meta.fields if name not in skipped},
        )
        organisation = self.cleaned_data.get("organisation")
        values["organisation_id"] = organisation.pk if organisation else None
        values["tags"] = split_tags(self.cleaned_data["tags"])
        return values

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not (
            cleaned.get("given_name") or cleaned.get("family_name") or cleaned.get("full_name")
        ):
            raise forms.ValidationError(_("Give at least a name."))
        return cleaned


class EmailForm(CleanTextInputs, forms.ModelForm[ContactEmail]):
    class Meta:
        model = ContactEmail
        fields = ["email", "label"]
        widgets = {"label": forms.TextInput(attrs={"placeholder": _("e.g. work")})}


class PhoneForm(CleanTextInputs, forms.ModelForm[ContactPhone]):
    class Meta:
        model = ContactPhone
        fields = ["raw", "label"]
        labels = {"raw": _("phone number")}
        help_texts = {
            "raw": _(
                "Without a country code, the contact's country is assumed, else your collective's."
            )
        }
        widgets = {"label": forms.TextInput(attrs={"placeholder": _("e.g. mobile")})}


EmailFormSet = forms.inlineformset_factory(
    Contact,
    ContactEmail,
    form=EmailForm,
    extra=2,
    can_delete=True,
    max_num=limits.MAX_EMAILS,
    validate_max=True,
)
PhoneFormSet = forms.inlineformset_factory(
    Contact,
    ContactPhone,
    form=PhoneForm,
    extra=2,
    can_delete=True,
    max_num=limits.MAX_PHONES,
    validate_max=True,
)


class ContactFilterForm(CleanTextInputs, CollectiveForm):
    q = forms.CharField(label=_("Search"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )

    def limit_choices(self, collective: Collective) -> None:
        organisation = form_field(self, "organisation", forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.for_collective(collective).only("pk", "name")
        organisation.empty_label = _("all organisations")


class UploadForm(CleanTextInputs, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A vCard file (.vcf) or a CSV table, at most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".vcf,.vcard,.csv,.txt,text/vcard,text/csv"}
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > parsers.MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


FIELD_LABELS = {
    "": _("— ignore —"),
    "full_name": _("full name"),
    "given_name": _("given name"),
    "family_name": _("family name"),
    "organisation": _("organisation"),
    "role": _("role"),
    "email": _("email"),
    "phone": _("phone"),
    "notes": _("notes"),
    "tags": _("tags"),
    "website": _("website"),
    "street": _("street"),
    "postal_code": _("postal code"),
    "city": _("city"),
    "country": _("country"),
    "birthday": _("birthday"),
    "nickname": _("nickname"),
}


class MappingForm(CleanTextInputs, forms.Form):
    """One select per CSV column: which contact field it holds."""

    def __init__(
        self,
        data: FormData = None,
        *,
        header: list[str],
        initial_mapping: list[str],
        **options: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, **options)
        choices = [(key, FIELD_LABELS[key]) for key in ("", *parsers.CSV_FIELDS)]
        for index, column in enumerate(header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column or _("column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_mapping[index] if index < len(initial_mapping) else "",
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(name) or "" for name in self.fields]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        values = [cleaned.get(name) or "" for name in self.fields]
        if not {"full_name", "given_name", "family_name", "email", "phone", "organisation"} & set(
            values
        ):
            raise forms.ValidationError(
                _("Map at least one column to a name, organisation, email or phone.")
            )
        for single in ("full_name", "given_name", "family_name", "organisation", "role"):
            if values.count(single) > 1:
                raise forms.ValidationError(
                    _("Only one column can be the %(field)s.") % {"field": FIELD_LABELS[single]}
                )
        return cleaned


class MergeForm(CleanTextInputs, forms.Form):
    other = forms.IntegerField(label=_("contact to merge into this one"), widget=forms.HiddenInput)
