"""A collective's private address book: organisations, contacts, imports and undoable merges.

Everything here belongs to exactly one collective and is visible to its members only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Self, TypeVar, Unpack

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.core.signatures import SaveOptions
from klinke.supporters.models import Sector

if TYPE_CHECKING:
    from klinke.accounts.models import User

IMPORT_LIFETIME = timedelta(hours=24)


def split_tags(value: str) -> list[str]:
    return [tag for tag in value.split(",") if tag]


def join_tags(tags: list[str] | tuple[str, ...]) -> str:
    """Tags are stored as ",a,b," so that one tag cannot match inside another."""
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.replace(",", " ").split()).lower()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    cleaned.sort()
    return f",{','.join(cleaned)}," if cleaned else ""


_Row = TypeVar("_Row", bound=models.Model)


class TaggedQuerySet(models.QuerySet[_Row]):
    def for_collective(self, collective: Collective) -> Self:
        return self.filter(collective=collective)

    def tagged(self, tag: str) -> Self:
        tag = join_tags([tag])
        if not tag:
            return self
        return self.filter(tags__contains=tag)

    def matching_terms(self, terms: list[str]) -> Self:
        """Rows whose search document holds every term, found through the search index
        (`core.search`: PostgreSQL full text, SQLite FTS5)."""
        from klinke.core import search

        return search.matching(self, search.TextQuery.all_of(terms))


class Tagged(models.Model):
    """What organisations and contacts share: owner, tags, notes, search and timestamps."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="+")
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    tags = models.CharField(_("tags"), max_length=500, blank=True, default="")
    is_demo = models.BooleanField(_("demo data"), default=False)
    search_document = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)

    @tag_list.setter
    def tag_list(self, tags: list[str]) -> None:
        self.tags = join_tags(tags)

    def texts_for_search(self) -> list[str]:
        return [self.notes, " ".join(self.tag_list)]

    def search_documents(self) -> dict[str, str]:
        """The search columns and what they should hold (see `core.search.rebuild`)."""
        from klinke.matching.analysis import search_document

        return {"search_document": search_document(*self.texts_for_search())}

    def refresh_search_document(self, *, save: bool = True) -> None:
        self.search_document = self.search_documents()["search_document"]
        if save and self.pk is not None:
            type(self)._default_manager.filter(pk=self.pk).update(
                search_document=self.search_document
            )


class OrganisationQuerySet(TaggedQuerySet["Organisation"]):
    pass


class Organisation(Tagged):
    """An organisation a collective knows: a client, a partner, an administration."""

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    sector = models.CharField(
        _("sector"), max_length=32, choices=Sector.choices, blank=True, default=""
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Two-letter code, e.g. DE, AT, CH.")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["collective", "name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, **options: Unpack[SaveOptions]) -> None:
        self.country = self.country.strip().upper()
        super().save(**options)

    def get_absolute_url(self) -> str:
        return reverse("contacts:organisation_detail", args=[self.collective.slug, self.pk])

    @property
    def region_label(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)

    def texts_for_search(self) -> list[str]:
        return [self.name, self.city, self.website, *super().texts_for_search()]


class Source(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    IMPORT = "import", _("import file")
    INTRODUCTION = "introduction", _("introduction")
    EVENT = "event", _("event")
    DEMO_IMPORT = "demo-import", _("demo import")
    INQUIRY = "inquiry", _("client inquiry")


class Consent(models.TextChoices):
    UNKNOWN = "", _("not asked yet")
    AGREED = "agreed", _("agreed to be contacted")
    DECLINED = "declined", _("does not want to be contacted")
    WITHDRAWN = "withdrawn", _("withdrew consent")


class ContactQuerySet(TaggedQuerySet["Contact"]):
    def with_details(self) -> Self:
        return self.select_related("organisation", "collective").prefetch_related(
            "emails", "phones"
        )

    def at_organisation(self, organisation: Organisation | int) -> Self:
        return self.filter(organisation=organisation)


class Contact(Tagged):
    """A person a collective knows, with where the contact came from and what they agreed to."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="contacts")
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    full_name = models.CharField(
        _("full name"),
        max_length=250,
        blank=True,
        help_text=_("Left empty, it is made from the given and family name."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=200, blank=True)
    nickname = models.CharField(_("nickname"), max_length=120, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Two-letter code, e.g. DE, AT, CH.")
    )

    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    source_detail = models.CharField(
        _("source detail"),
        max_length=255,
        blank=True,
        help_text=_("The import file's name, the event, or who introduced you."),
    )
    source_at = models.DateTimeField(_("added on"), default=timezone.now)
    source_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    introduction = models.ForeignKey(
        "exchange.Introduction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    consent = models.CharField(
        _("consent"), max_length=16, choices=Consent.choices, blank=True, default=""
    )
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    consent_note = models.CharField(_("consent note"), max_length=500, blank=True)
    contact_preferences = models.TextField(
        _("how to contact"),
        blank=True,
        max_length=2000,
        help_text=_("E.g. 'mornings by phone', 'only via the office address'."),
    )
    last_contacted_on = models.DateField(_("last contacted"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    SEARCH_PREFETCH = ("emails", "organisation")

    class Meta:
        ordering = ["family_name", "given_name", "full_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["collective", "family_name", "given_name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "introduction"],
                condition=Q(introduction__isnull=False),
                name="one_contact_per_introduction",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, **options: Unpack[SaveOptions]) -> None:
        self.country = self.country.strip().upper()
        if not self.full_name:
            self.full_name = " ".join(p for p in (self.given_name, self.family_name) if p)
        super().save(**options)

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.collective.slug, self.pk])

    @property
    def display_name(self) -> str:
        return (
            self.full_name
            or " ".join(part for part in (self.given_name, self.family_name) if part)
            or str(_("(no name)"))
        )

    def texts_for_search(self) -> list[str]:
        organisation = self.organisation.name if self.organisation is not None else ""
        emails = [e.email for e in self.emails.all()]
        return [
            self.display_name,
            self.given_name,
            self.family_name,
            self.role,
            organisation,
            self.contact_preferences,
            *emails,
            *super().texts_for_search(),
        ]

    @property
    def phone_region(self) -> str | None:
        """The country of this contact's numbers written without a country code."""
        from klinke.contacts.phones import phone_region

        return phone_region(
            contact_country=self.country, collective_country=self.collective.country
        )

    def record_contact(self, on: date | None = None) -> None:
        """Note that someone talked to this contact; the workbench calls this for activities.

        Only moves the date forward, so logging an old activity later does not hide a newer one.
        """
        on = on or timezone.localdate()
        updated = (
            Contact.objects.filter(pk=self.pk)
            .filter(Q(last_contacted_on__isnull=True) | Q(last_contacted_on__lt=on))
            .update(last_contacted_on=on)
        )
        if updated:
            self.last_contacted_on = on


# The words imports store as labels (vCard TEL/EMAIL types, spreadsheet columns), shown in the
# reader's language; whatever else people type as a label is shown as they typed it.
KNOWN_LABELS = {
    "work": _("work"),
    "home": _("home"),
    "mobile": _("mobile"),
    "fax": _("fax"),
    "pager": _("pager"),
    "other": _("other"),
    "main": _("main"),
}


def shown_label(label: str) -> str:
    """ "work, fax" → "Arbeit, Fax" on a German page; "Büro Nord" stays "Büro Nord"."""
    parts = [part.strip() for part in label.split(",")]
    return ", ".join(str(KNOWN_LABELS.get(part.lower(), part)) for part in parts if part)


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("email"), max_length=254)
    label = models.CharField(_("label"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.email

    def save(self, **options: Unpack[SaveOptions]) -> None:
        self.email = self.normalise(self.email)
        super().save(**options)

    @property
    def shown_label(self) -> str:
        return shown_label(self.label)

    @staticmethod
    def normalise(address: str) -> str:
        """Addresses are compared and stored lower-case, without surrounding space."""
        return address.strip().lower()


class ContactPhone(models.Model):
    """A phone number in E.164 when it could be parsed; otherwise the raw input, flagged."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    raw = models.CharField(_("phone number as entered"), max_length=60)
    e164 = models.CharField(_("phone number (E.164)"), max_length=20, blank=True)
    label = models.CharField(_("label"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        indexes = [models.Index(fields=["e164"])]

    def __str__(self) -> str:
        return self.e164 or self.raw

    def save(self, **options: Unpack[SaveOptions]) -> None:
        from klinke.contacts.phones import normalise_phone

        self.e164 = normalise_phone(self.raw, self.contact.phone_region) or ""
        super().save(**options)

    @property
    def is_unparsed(self) -> bool:
        return not self.e164

    @property
    def shown_label(self) -> str:
        return shown_label(self.label)

    @property
    def is_guessed(self) -> bool:
        """Written without a country code: the country of its E.164 form was inferred."""
        from klinke.contacts.phones import is_international

        return bool(self.e164) and not is_international(self.raw)

    @property
    def number(self) -> str:
        return self.e164 or self.raw

    @property
    def readable(self) -> str:
        """The number formatted for reading, or as written when it has no E.164 form."""
        from klinke.contacts.phones import readable_phone

        if not self.e164:
            return self.raw
        # Read by the collective: its own country's numbers in national form.
        return readable_phone(self.e164, self.contact.collective.country or None)


class ImportState(models.TextChoices):
    MAPPING = "mapping", _("columns to map")
    PREVIEW = "preview", _("ready to review")
    DONE = "done", _("imported")


class ContactImportQuerySet(models.QuerySet["ContactImport"]):
    def for_collective(self, collective: Collective) -> ContactImportQuerySet:
        return self.filter(collective=collective)

    def owned_by(self, collective: Collective, user: User) -> ContactImportQuerySet:
        return self.filter(collective=collective, created_by=user, expires_at__gt=timezone.now())

    def expired(self) -> ContactImportQuerySet:
        return self.filter(expires_at__lte=timezone.now())


def _import_expiry() -> datetime:
    return timezone.now() + IMPORT_LIFETIME


class ContactImport(models.Model):
    """A parsed upload waiting for the column mapping and the user's choices.

    The parsed records stay on the server (not in the session) until the import is confirmed
    or expires; only the person who uploaded may see or confirm it.
    """

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="contact_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(max_length=8)  # "vcard" or "csv"
    state = models.CharField(max_length=16, choices=ImportState.choices)
    # CSV: {"header": [...], "rows": [[line, [cells]], ...], "delimiter": ","}
    table = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # Parsed records (dicts of ContactRecord) with their line numbers.
    records = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_import_expiry)
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    objects = ContactImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class ContactMerge(models.Model):
    """One merge of a duplicate into a kept contact, with enough to undo it exactly."""

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="contact_merges"
    )
    kept = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    # The merged-away contact as it was (fields, emails, phones), or the incoming record for
    # merges from an import, where there is no second row.
    merged_snapshot = models.JSONField(default=dict)
    # The kept contact's fields, emails and phones before the merge.
    kept_before = models.JSONField(default=dict)
    changed_fields = models.JSONField(default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"merge into {self.kept_id}"
