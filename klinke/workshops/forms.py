from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from klinke.accounts.models import User
from klinke.core.forms import CleanTextInputs
from klinke.core.languages import WORKING_LANGUAGES
from klinke.core.models import Visitor
from klinke.core.widgets import IsoDateInput, IsoTimeInput
from klinke.topics.forms import TopicFilterField
from klinke.topics.models import Topic
from klinke.workshops.actions import EVENT_FIELDS, EventFields, IdeaFields, check_event
from klinke.workshops.models import (
    DEFAULT_TIMEZONE,
    Event,
    EventFormat,
    Interest,
    PreferredFormat,
    WorkshopIdea,
    timezone_choices,
)
from klinke.workshops.uploads import ALLOWED_LABEL, MAX_MATERIAL_BYTES, CheckedFile, check_material

if TYPE_CHECKING:
    from klinke.knowledge.models import Article


def _topics_field(required: bool) -> forms.ModelMultipleChoiceField[Topic]:
    return forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=required,
    )


class IdeaForm(CleanTextInputs, forms.ModelForm[WorkshopIdea]):
    topics = _topics_field(required=True)

    class Meta:
        model = WorkshopIdea
        fields = ["title", "description", "topics", "language", "interest_threshold", "visibility"]
        help_texts = {
            "title": _("For example: “Akquise für Kollektive” or “Pricing fixed-scope projects”."),
            "description": _("What should people learn or discuss? Who is it for?"),
            "topics": _("Pick at least one topic, so we can suggest hosts."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def idea_fields(self) -> IdeaFields:
        """The valid input, as the actions take it."""
        data = self.cleaned_data
        return IdeaFields(
            title=data["title"],
            description=data["description"],
            topics=list(data["topics"]),
            language=data["language"],
            interest_threshold=data["interest_threshold"],
            visibility=data["visibility"],
        )


class InterestForm(CleanTextInputs, forms.ModelForm[Interest]):
    class Meta:
        model = Interest
        fields = ["preferred_format", "region", "language"]
        widgets = {"preferred_format": forms.RadioSelect}

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        instance: Interest | None = None,
        user: Visitor | None = None,
    ) -> None:
        super().__init__(data, instance=instance)
        self.fields["preferred_format"].initial = PreferredFormat.EITHER
        if user is not None and not self.instance.pk:
            self.fields["language"].initial = getattr(user, "language", "de")


class EventForm(CleanTextInputs, forms.ModelForm[Event]):
    """An event with local date and time in a named zone; stored as aware datetimes."""

    start_date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=IsoTimeInput())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Leave empty when it ends on the same day."),
    )
    end_time = forms.TimeField(label=_("Ends at"), widget=IsoTimeInput())
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=timezone_choices, initial=DEFAULT_TIMEZONE
    )
    topics = _topics_field(required=False)

    class Meta:
        model = Event
        fields = [*EVENT_FIELDS, "topics"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "capacity": forms.NumberInput(attrs={"min": 1}),
        }

    field_order = [
        "title",
        "description",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "time_zone",
        "format",
        "venue",
        "city",
        "online_url",
        "capacity",
        "language",
        "topics",
        "visibility",
    ]

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        instance: Event | None = None,
        initial: dict[str, object] | None = None,
        co_host_choices: QuerySet[User] | None = None,
        min_capacity: int = 0,
    ) -> None:
        super().__init__(data, instance=instance, initial=initial)
        self.min_capacity = min_capacity
        if self.instance.pk:
            start, end = self.instance.local_start, self.instance.local_end
            self.initial.setdefault("start_date", start.date())
            self.initial.setdefault("start_time", start.time().replace(second=0, microsecond=0))
            self.initial.setdefault("end_date", end.date())
            self.initial.setdefault("end_time", end.time().replace(second=0, microsecond=0))
            self.initial.setdefault("time_zone", self.instance.time_zone)
        if co_host_choices is not None and co_host_choices.exists():
            self.fields["co_hosts"] = forms.ModelMultipleChoiceField(
                label=_("Co-hosts"),
                queryset=co_host_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("They can edit the event and see who registered."),
            )
            self.fields["co_hosts"].initial = list(co_host_choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start_date, start_time = cleaned.get("start_date"), cleaned.get("start_time")
        end_date = cleaned.get("end_date") or start_date
        end_time = cleaned.get("end_time")
        check = check_event(
            start=_combined(start_date, start_time),
            end=_combined(end_date, end_time),
            zone=cleaned.get("time_zone") or DEFAULT_TIMEZONE,
            event_format=cleaned.get("format"),
            venue=cleaned.get("venue") or "",
            city=cleaned.get("city") or "",
            online_url=cleaned.get("online_url") or "",
            capacity=cleaned.get("capacity"),
            min_capacity=self.min_capacity,
            creating=not self.instance.pk,
        )
        for name, message in check.errors.items():
            self.add_error(name, message)
        return cleaned

    def event_fields(self) -> EventFields:
        """The valid input, as the actions take it."""
        data = self.cleaned_data
        start = _combined(data["start_date"], data["start_time"])
        end = _combined(data.get("end_date") or data["start_date"], data["end_time"])
        assert start is not None and end is not None
        return EventFields(
            title=data["title"],
            description=data["description"],
            start=start,
            end=end,
            time_zone=data["time_zone"],
            format=data["format"],
            venue=data["venue"],
            city=data["city"],
            online_url=data["online_url"],
            capacity=data["capacity"],
            language=data["language"],
            topics=list(data.get("topics") or []),
            visibility=data["visibility"],
        )


def _combined(day: date | None, at: time | None) -> datetime | None:
    return datetime.combine(day, at) if day and at else None


class CancelEventForm(CleanTextInputs, forms.Form):
    note = forms.CharField(
        label=_("Why is it cancelled? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone registered or on the waitlist gets an email with this note."),
    )


class MessageForm(CleanTextInputs, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    include_waitlist = forms.BooleanField(label=_("Also write to the waitlist"), required=False)


class MaterialForm(CleanTextInputs, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(kinds)s; at most %(size)s MB.")
        % {"kinds": ALLOWED_LABEL, "size": MAX_MATERIAL_BYTES // 2**20},
    )

    checked: CheckedFile | None = None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        self.checked = check_material(upload)
        return upload


class FollowUpForm(CleanTextInputs, forms.Form):
    notes = forms.CharField(
        label=_("Notes after the event"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you covered, links, next steps. Markdown."),
    )

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        initial: dict[str, object] | None = None,
        articles: QuerySet[Article] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        if articles is not None:
            self.fields["article"] = forms.ModelChoiceField(
                label=_("Knowledge article"),
                queryset=articles,
                required=False,
                help_text=_("Link the article where you wrote down what you learned."),
            )


class AddHostForm(CleanTextInputs, forms.Form):
    email = forms.EmailField(
        label=_("Email address of the new host"),
        help_text=_("They must be a member of a collective or a supporter."),
    )


def co_host_choices(idea: WorkshopIdea, user: User) -> QuerySet[User]:
    """Other proposers of `idea`: the natural co-hosts when it becomes an event."""
    return User.objects.filter(proposed_workshop_ideas=idea).exclude(pk=user.pk).order_by("name")


class _ListFilterForm(CleanTextInputs, forms.Form):
    """What both workshop lists filter by first: words and a topic."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = TopicFilterField(empty_label=_("all topics"))


class EventFilterForm(_ListFilterForm):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("all languages")), *WORKING_LANGUAGES], required=False
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[("", _("all formats")), *EventFormat.choices], required=False
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("upcoming", _("upcoming")), ("past", _("past"))],
        required=False,
    )


class IdeaFilterForm(_ListFilterForm):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("open", _("gathering interest")),
            ("scheduled", _("scheduled")),
            ("all", _("all")),
        ],
        required=False,
    )
