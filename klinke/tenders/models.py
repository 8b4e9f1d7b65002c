"""Public tenders built from their notices, tender profiles of collectives, and their inboxes.

A `Tender` is one procurement procedure (eForms BT-04, OCDS ``ocid``); its fields are always
the fold of its `Notice`s (see `klinke.tenders.importing`), which are kept with their
provenance. A `TenderProfile` says what one collective looks for; an `InboxEntry` is a tender
that fits it, with the reasons, the red-line screening and what the collective did with it.
Profiles and inbox entries are private to the collective's members; tenders are public data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.screening import Hit
from klinke.workbench.models import Lead, split_lines

DEFAULT_LEAD_DAYS = 7
"""A lead made from a tender is due this many days before the tender's deadline."""


class TenderState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


class NoticeRole(models.TextChoices):
    COMPETITION = "competition", _("call for competition")
    RESULT = "result", _("result")
    CHANGE = "change", _("change")
    CANCELLATION = "cancellation", _("cancellation")
    OTHER = "other", _("other")


class TenderQuerySet(models.QuerySet["Tender"]):
    def open(self) -> TenderQuerySet:
        return self.filter(state=TenderState.OPEN)


class Tender(models.Model):
    """A public procurement procedure, as its notices describe it now."""

    procedure_id = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=16, choices=TenderState.choices, default=TenderState.OPEN)
    notice_id = models.CharField(max_length=200)
    """The notice the current fields come from."""
    notice_version = models.CharField(max_length=40, blank=True)
    publication_number = models.CharField(max_length=40, blank=True)
    notice_type = models.CharField(max_length=40, blank=True)
    notice_subtype = models.CharField(max_length=16, blank=True)
    procedure_type = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=8, blank=True)
    title = models.JSONField(default=dict, blank=True)
    """Language (ISO 639-1) → title."""
    description = models.JSONField(default=dict, blank=True)
    buyer_name = models.CharField(max_length=500, blank=True)
    buyer_country = models.CharField(max_length=2, blank=True)
    cpv_main = models.CharField(max_length=8, blank=True)
    cpv_additional = models.JSONField(default=list, blank=True)
    nuts = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    anywhere = models.BooleanField(default=False)
    deadline = models.DateTimeField(null=True, blank=True)
    """In UTC; the earliest lot deadline."""
    deadline_written = models.CharField(max_length=60, blank=True)
    deadline_kind = models.CharField(max_length=8, blank=True)
    deadline_placeholder = models.BooleanField(default=False)
    estimated_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    documents_url = models.CharField(max_length=1000, blank=True)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenderQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.title_in("en") or self.procedure_id

    @staticmethod
    def _in(texts: dict[str, str], lang: str) -> str:
        for code in (lang[:2], "de", "en", *sorted(texts)):
            if texts.get(code):
                return texts[code]
        return ""

    def title_in(self, lang: str) -> str:
        """The title in `lang`, else German, else English, else any."""
        return self._in(self.title, lang)

    def description_in(self, lang: str) -> str:
        return self._in(self.description, lang)

    @property
    def cpv_codes(self) -> list[str]:
        """Main code first, then the additional codes and the lots' codes."""
        codes = [self.cpv_main] if self.cpv_main else []
        codes += [c for c in self.cpv_additional if c not in codes]
        return codes

    def days_left(self, now: dt.datetime | None = None) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline.date() - (now or timezone.now()).date()).days

    def is_past_deadline(self, now: dt.datetime | None = None) -> bool:
        return (
            self.deadline is not None
            and not self.deadline_placeholder
            and self.deadline < (now or timezone.now())
        )


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    lot_id = models.CharField(max_length=60)
    title = models.JSONField(default=dict, blank=True)
    cpv = models.JSONField(default=list, blank=True)
    nuts = models.JSONField(default=list, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    deadline_written = models.CharField(max_length=60, blank=True)
    estimated_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ["tender", "lot_id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "lot_id"], name="one_lot_id_per_tender")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}/{self.lot_id}"

    def title_in(self, lang: str) -> str:
        return Tender._in(self.title, lang)


class Notice(models.Model):
    """One version of one notice, normalised, with where it came from.

    A change, result or cancellation whose tender is not there yet waits here (``tender`` is
    empty) and is applied when its original arrives.
    """

    tender = models.ForeignKey(
        Tender, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    notice_id = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    procedure_id = models.CharField(max_length=200, db_index=True)
    changes_notice_id = models.CharField(max_length=200, blank=True, db_index=True)
    role = models.CharField(max_length=16, choices=NoticeRole.choices)
    notice_type = models.CharField(max_length=40, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    record = models.JSONField()
    """`NoticeRecord.as_json()`: the normalised notice as the parser gave it."""
    source_name = models.CharField(max_length=500)
    source_member = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issue_date", "imported_at", "pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["notice_id", "version"], name="one_notice_version")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} v{self.version}"

    @property
    def source_label(self) -> str:
        return (
            f"{self.source_name}:{self.source_member}" if self.source_member else self.source_name
        )


# --- profiles ------------------------------------------------------------------------


class TenderProfile(models.Model):
    """What a collective looks for in public tenders."""

    collective = models.OneToOneField(
        Collective, on_delete=models.CASCADE, related_name="tender_profile"
    )
    cpv_codes = models.JSONField(_("CPV codes"), default=list, blank=True)
    """8-digit codes; a code with trailing zeros also covers everything beneath it."""
    keywords_de = models.TextField(_("German keywords"), blank=True, max_length=2000)
    keywords_en = models.TextField(_("English keywords"), blank=True, max_length=2000)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    """NUTS prefixes ("DED", "DED5") or countries ("DE"), upper case."""
    remote_ok = models.BooleanField(_("we also work remotely"), default=False)
    value_min = models.PositiveIntegerField(_("value from (EUR)"), null=True, blank=True)
    value_max = models.PositiveIntegerField(_("value up to (EUR)"), null=True, blank=True)
    languages = models.JSONField(_("languages we bid in"), default=list, blank=True)
    lead_days_before_deadline = models.PositiveSmallIntegerField(
        _("a lead is due this many days before the deadline"),
        default=DEFAULT_LEAD_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )
    digest = models.BooleanField(_("email me new fitting tenders (at most daily)"), default=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    screened_with = models.CharField(max_length=64, blank=True, editable=False)
    """The fingerprint of the red lines the inbox was last screened with."""
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tender profile")
        verbose_name_plural = _("tender profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(value_min__isnull=True)
                | Q(value_max__isnull=True)
                | Q(value_min__lte=F("value_max")),
                name="tender_profile_value_min_not_above_max",
            )
        ]

    def __str__(self) -> str:
        return f"tender profile of {self.collective}"

    @property
    def keyword_list_de(self) -> list[str]:
        return split_lines(self.keywords_de)

    @property
    def keyword_list_en(self) -> list[str]:
        return split_lines(self.keywords_en)

    @property
    def keywords(self) -> list[str]:
        return list(dict.fromkeys([*self.keyword_list_de, *self.keyword_list_en]))

    def value_fits(self, value: Decimal | None) -> bool:
        if value is None:
            return True
        if self.value_min is not None and value < self.value_min:
            return False
        return self.value_max is None or value <= self.value_max


# --- inbox ---------------------------------------------------------------------------


class EntryState(models.TextChoices):
    NEW = "new", _("new")
    DISMISSED = "dismissed", _("not interesting")
    LEAD = "lead", _("turned into a lead")


class ScreeningState(models.TextChoices):
    CLEAN = "clean", _("no red line touched")
    FLAGGED = "flagged", _("touches a red line")
    NOT_SCREENED = "not-screened", _("not screened: no text in a language screening knows")


class InboxEntryQuerySet(models.QuerySet["InboxEntry"]):
    def for_inbox(self) -> InboxEntryQuerySet:
        """What the inbox shows, in a fixed number of queries however many entries there are."""
        return self.select_related("tender", "lead").prefetch_related(
            "tender__lots", "screening_overrides"
        )


class InboxEntry(models.Model):
    """A tender that fits a collective's profile: why, what its red lines say, what was done."""

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="tender_entries"
    )
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="inbox_entries")
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list, blank=True)
    """Structured reasons (`klinke.tenders.ranking.FitReason.as_dict`), rendered per language."""
    fits = models.BooleanField(default=True)
    """False once the tender no longer fits the profile (kept when someone acted on it)."""
    state = models.CharField(max_length=16, choices=EntryState.choices, default=EntryState.NEW)
    dismiss_reason = models.TextField(_("why not"), blank=True, max_length=1000)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lead = models.OneToOneField(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="tender_entry"
    )
    screening_state = models.CharField(
        max_length=16, choices=ScreeningState.choices, default=ScreeningState.NOT_SCREENED
    )
    screening_hits = models.JSONField(default=list, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    is_flagged = models.BooleanField(default=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    """When the members were told about it in a digest (the claim against sending twice)."""
    reminded_at = models.DateTimeField(null=True, blank=True)
    """When the lead's members were reminded of the tender's deadline."""
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InboxEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("inbox entry")
        verbose_name_plural = _("inbox entries")
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "tender"], name="one_inbox_entry_per_tender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} for {self.collective_id}"

    @property
    def hits(self) -> list[Hit]:
        return [Hit.from_dict(data) for data in self.screening_hits]


class TenderScreeningOverride(models.Model):
    """A member's reasoned decision that red-line hits on a tender are not a problem."""

    entry = models.ForeignKey(
        InboxEntry, on_delete=models.CASCADE, related_name="screening_overrides"
    )
    keys = models.JSONField(default=list)
    reason = models.TextField(_("why this is fine"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"override on {self.entry_id}"


# --- consortia (Bietergemeinschaften) -----------------------------------------------------


class ConsortiumState(models.TextChoices):
    FORMING = "forming", _("forming")
    BIDDING = "bidding", _("preparing the bid")
    SUBMITTED = "submitted", _("bid submitted")
    WON = "won", _("won")
    LOST = "lost", _("lost")
    DISSOLVED = "dissolved", _("dissolved")


ACTIVE_CONSORTIUM_STATES = (
    ConsortiumState.FORMING,
    ConsortiumState.BIDDING,
    ConsortiumState.SUBMITTED,
)


class MemberState(models.TextChoices):
    INVITED = "invited", _("invited")
    ACCEPTED = "accepted", _("taking part")
    DECLINED = "declined", _("declined")
    LEFT = "left", _("left")


SEEING_STATES = (MemberState.INVITED, MemberState.ACCEPTED)
"""Member collectives in these states see the consortium's shared page."""


class ConsortiumQuerySet(models.QuerySet["Consortium"]):
    def seen_by(self, collective: Collective) -> ConsortiumQuerySet:
        """Consortia whose shared page the collective may see: it is invited or taking part."""
        return self.filter(
            members__collective=collective, members__state__in=SEEING_STATES
        ).distinct()

    def for_page(self) -> ConsortiumQuerySet:
        return self.select_related("tender", "initiator").prefetch_related(
            "tender__lots",
            models.Prefetch(
                "members",
                ConsortiumMember.objects.select_related("collective", "contact", "decision")
                .prefetch_related("taken_lots__lot", "decision__responses")
                .order_by("pk"),
            ),
        )


class Consortium(models.Model):
    """Collectives bidding for one tender together (a *Bietergemeinschaft*).

    Its shared page shows the tender, who takes which lot and share, the members' states and
    decisions and their contact people; never anything of a member's own pipeline.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="consortia")
    initiator = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="initiated_consortia"
    )
    state = models.CharField(
        max_length=16, choices=ConsortiumState.choices, default=ConsortiumState.FORMING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsortiumQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")

    def __str__(self) -> str:
        return f"consortium {self.pk} for {self.tender_id}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_CONSORTIUM_STATES


class ConsortiumMember(models.Model):
    """One collective in a consortium: invited, taking part, declined or gone; its lots and
    its share. The initiator is a member too, taking part from the start."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="consortium_memberships"
    )
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="+")
    """The consortium's tender, kept here so the database holds "one consortium per tender"."""
    state = models.CharField(max_length=16, choices=MemberState.choices)
    share = models.DecimalField(
        _("share in percent"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    message = models.TextField(_("message to the collective"), blank=True, max_length=2000)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    """Whom the other members talk to; shown on the shared page."""
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    """The member's own lead for the tender: private to that collective, never shown to others."""
    decision = models.OneToOneField(
        "workbench.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consortium_member",
    )
    """The member collective's own "do we bid together?" decision in its workbench."""

    class Meta:
        ordering = ["pk"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "collective"], name="one_membership_per_consortium"
            ),
            models.UniqueConstraint(
                fields=["collective", "tender"],
                condition=Q(state__in=["invited", "accepted"]),
                name="one_consortium_per_tender_and_collective",
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=100),
                name="consortium_share_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collective_id} in {self.consortium_id}"

    @property
    def is_taking_part(self) -> bool:
        return self.state == MemberState.ACCEPTED


class ConsortiumLot(models.Model):
    """A lot one member takes; a lot is taken by at most one member of a consortium."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="lots")
    member = models.ForeignKey(
        ConsortiumMember, on_delete=models.CASCADE, related_name="taken_lots"
    )
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["lot__lot_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "lot"], name="one_member_per_lot")
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} by {self.member_id}"
