from __future__ import annotations

from datetime import datetime
from typing import Unpack

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.collectives.scoped_forms import CollectiveForm, CollectiveModelForm
from klinke.contacts.models import Contact, Organisation
from klinke.core.forms import CleanTextInputs
from klinke.core.languages import interface_language
from klinke.core.signatures import FormData, FormOptions, ModelFormOptions, form_field
from klinke.core.widgets import IsoDateInput, IsoDateTimeField, IsoDateTimeLocalInput
from klinke.screening import sector_choices
from klinke.topics.models import Topic
from klinke.workbench.actions import LeadValues, RedLineValues, SettingsValues
from klinke.workbench.models import (
    CLOSED_STAGES,
    Activity,
    ActivityKind,
    DigestScope,
    Lead,
    RedLine,
    ResponseChoice,
    Stage,
    WorkbenchSettings,
)
from klinke.workbench.portability import (
    MAX_ARCHIVE_BYTES,
    WorkbenchArchive,
    WorkbenchArchiveError,
    read_workbench_archive,
)


def members_of(collective: Collective) -> QuerySet[User]:
    return User.objects.filter(memberships__collective=collective).order_by("name", "email")


class MemberChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj.display_name)


class LeadForm(CleanTextInputs, CollectiveModelForm[Lead]):
    members = MemberChoiceField(
        label=_("members working on it"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Left empty, you work on it."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("They help to find a collective when you pass the lead on."),
    )

    class Meta:
        model = Lead
        fields = [
            "title",
            "contact",
            "organisation",
            "client_name",
            "description",
            "source",
            "source_detail",
            "topics",
            "value_min",
            "value_max",
            "next_action",
            "next_action_due",
            "members",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "next_action_due": IsoDateInput(),
        }
        help_texts = {
            "title": _("For example: “Website relaunch for the tenants' association”."),
            "contact": _("The person you talk to; their organisation is filled in for you."),
            "value_min": _("A range is fine: what the project may be worth, in euros."),
        }

    def limit_choices(self, collective: Collective) -> None:
        organisation_field = form_field(self, "organisation", forms.ModelChoiceField)
        organisation_field.queryset = Organisation.objects.filter(collective=collective)
        contact_field = form_field(self, "contact", forms.ModelChoiceField)
        contact_field.queryset = Contact.objects.filter(collective=collective).select_related(
            "organisation"
        )
        members_field = form_field(self, "members", forms.ModelMultipleChoiceField)
        members_field.queryset = members_of(collective)

    def values(self) -> LeadValues:
        data = self.cleaned_data
        return LeadValues(
            title=data["title"],
            contact=data["contact"],
            organisation=data["organisation"],
            client_name=data["client_name"],
            description=data["description"],
            source=data["source"],
            source_detail=data["source_detail"],
            topics=list(data["topics"]),
            value_min=data["value_min"],
            value_max=data["value_max"],
            next_action=data["next_action"],
            next_action_due=data["next_action_due"],
            members=list(data["members"]),
        )


class CloseLeadForm(CleanTextInputs, forms.Form):
    stage = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(stage.value, stage.label) for stage in Stage if stage in CLOSED_STAGES],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you learned: why it was won, lost or passed on."),
    )


class ActivityForm(CleanTextInputs, forms.ModelForm[Activity]):
    class Meta:
        model = Activity
        fields = ["kind", "occurred_at", "contact", "text"]
        field_classes = {"occurred_at": IsoDateTimeField}
        widgets = {
            "occurred_at": IsoDateTimeLocalInput(),
            "text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, data: FormData = None, *, lead: Lead, **options: Unpack[ModelFormOptions[Activity]]
    ) -> None:
        options.setdefault(
            "initial",
            {
                "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
                "contact": lead.contact_id,
            },
        )
        super().__init__(data, **options)
        contacts = Contact.objects.filter(collective_id=lead.collective_id)
        if lead.organisation_id is not None or lead.contact_id is not None:
            # The people of this client, not the whole address book in one select.
            contacts = contacts.filter(
                Q(organisation_id=lead.organisation_id) | Q(pk=lead.contact_id)
            )
        contact_field = form_field(self, "contact", forms.ModelChoiceField)
        contact_field.queryset = contacts
        kind = form_field(self, "kind", forms.ChoiceField)
        kind.choices = ActivityKind.choices


class OverrideForm(CleanTextInputs, forms.Form):
    reason = forms.CharField(
        label=_("Why does the red line not apply?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RedLineForm(CleanTextInputs, forms.ModelForm[RedLine]):
    sector_choices = forms.MultipleChoiceField(
        label=_("sectors"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = RedLine
        fields = ["name", "explanation", "keywords_de", "keywords_en", "organisations"]
        widgets = {
            "explanation": forms.Textarea(attrs={"rows": 3}),
            "keywords_de": forms.Textarea(attrs={"rows": 4}),
            "keywords_en": forms.Textarea(attrs={"rows": 4}),
            "organisations": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "keywords_de": _("One per line. “Überwachung” also finds “Überwachungssoftware”."),
            "keywords_en": _("One per line. “tracking” also finds “tracking pixels”."),
        }

    field_order = ["name", "explanation", "sector_choices"]

    def __init__(self, data: FormData = None, **options: Unpack[ModelFormOptions[RedLine]]) -> None:
        super().__init__(data, **options)
        sectors = form_field(self, "sector_choices", forms.ChoiceField)
        sectors.choices = sector_choices(interface_language())
        if self.instance.pk:
            sectors.initial = self.instance.sector_codes

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        # The model's clean() wants to see the sectors among the other criteria.
        self.instance.sector_codes = list(cleaned.get("sector_choices") or [])
        return cleaned

    def values(self) -> RedLineValues:
        data = self.cleaned_data
        return RedLineValues(
            name=data["name"],
            explanation=data["explanation"],
            sectors=list(data.get("sector_choices") or []),
            keywords_de=data["keywords_de"],
            keywords_en=data["keywords_en"],
            organisations=data["organisations"],
        )


class DecisionForm(CleanTextInputs, CollectiveForm):
    question = forms.CharField(
        label=_("Question"),
        max_length=300,
        help_text=_("For example: “Do we take this project?”"),
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = IsoDateTimeField(label=_("Deadline"))
    lead = forms.ModelChoiceField(
        label=_("About the lead (optional)"), queryset=Lead.objects.none(), required=False
    )

    def limit_choices(self, collective: Collective) -> None:
        lead_field = form_field(self, "lead", forms.ModelChoiceField)
        lead_field.queryset = Lead.objects.filter(collective=collective).open()

    def clean_deadline(self) -> datetime:
        deadline: datetime = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline must lie in the future."))
        return deadline


class ResponseForm(CleanTextInputs, forms.Form):
    choice = forms.ChoiceField(
        label=_("Your response"), choices=ResponseChoice.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you block."),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("choice") == ResponseChoice.BLOCK and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("A block needs a reason, so the others can address it."))
        return cleaned


class ReferralForm(CleanTextInputs, forms.Form):
    to_collective = forms.ModelChoiceField(
        label=_("Pass on to"), queryset=Collective.objects.none(), to_field_name="slug"
    )
    message = forms.CharField(
        label=_("Message to the collective"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you think it fits them."),
    )
    client_contact = forms.CharField(
        label=_("How to reach the client"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only what the client agreed to share."),
    )
    client_agreed = forms.BooleanField(
        label=_("The client agreed that we pass their request on to this collective."),
        required=True,
    )

    def __init__(
        self, data: FormData = None, *, lead: Lead, user: User, **options: Unpack[FormOptions]
    ) -> None:
        super().__init__(data, **options)
        field = form_field(self, "to_collective", forms.ModelChoiceField)
        field.queryset = Collective.objects.active().visible_to(user).exclude(pk=lead.collective_id)


class SettingsForm(CleanTextInputs, forms.ModelForm[WorkbenchSettings]):
    class Meta:
        model = WorkbenchSettings
        fields = ["stale_after_days", "decision_rule", "quorum_percent"]
        widgets = {"decision_rule": forms.RadioSelect}

    def values(self) -> SettingsValues:
        data = self.cleaned_data
        return SettingsValues(
            stale_after_days=data["stale_after_days"],
            decision_rule=data["decision_rule"],
            quorum_percent=data["quorum_percent"],
        )


class ReminderForm(CleanTextInputs, forms.Form):
    enabled = forms.BooleanField(label=_("Send me a daily reminder email"), required=False)
    scope = forms.ChoiceField(
        label=_("The reminder covers"), choices=DigestScope.choices, widget=forms.RadioSelect
    )


class LeadFilterForm(CleanTextInputs, CollectiveForm):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    member = forms.TypedChoiceField(label=_("Member"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Only overdue next actions"), required=False)

    def limit_choices(self, collective: Collective) -> None:
        stage = form_field(self, "stage", forms.ChoiceField)
        stage.choices = [
            ("", _("open stages")),
            *Stage.choices,
            ("closed", _("all closed")),
            ("all", _("all stages")),
        ]
        member = form_field(self, "member", forms.ChoiceField)
        member.choices = [("", _("anyone"))] + [
            (user.pk, user.display_name) for user in members_of(collective)
        ]


class WorkbenchImportForm(CleanTextInputs, forms.Form):
    archive = forms.FileField(
        label=_("Workbench archive"),
        help_text=_("A .zip file exported from a klinke workbench, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_archive(self) -> WorkbenchArchive:
        upload: UploadedFile = self.cleaned_data["archive"]
        if (upload.size or 0) > MAX_ARCHIVE_BYTES:
            raise forms.ValidationError(_("The archive is larger than 20 MB."))
        try:
            return read_workbench_archive(upload.read(MAX_ARCHIVE_BYTES + 1))
        except WorkbenchArchiveError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DecisionCommentForm(CleanTextInputs, forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text. You can edit or delete it within 24 hours."),
    )
