"""The acquisition workbench: a collective's private pipeline of leads, with activities,
decisions, red lines and referrals to other collectives.

Everything here belongs to one collective and is visible to its members only; the referral log
(`ReferralLogEntry`) is the one record other people see, and it holds no private details.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.core.signatures import SaveOptions
from klinke.screening import SECTORS, Hit, Keyword, RedLineRule, screen

if TYPE_CHECKING:
    from klinke.accounts.models import User

DEFAULT_STALE_DAYS = 14
DEFAULT_QUORUM_PERCENT = 50
BOARD_CLOSED_DAYS = 90
"""Closed leads stay on the board this long."""


# --- settings ------------------------------------------------------------------------


class DecisionRule(models.TextChoices):
    CONSENT = "consent", _("consent: nobody blocks, and enough members respond")
    MAJORITY = "majority", _("simple majority: more agree than disagree, and enough respond")


class WorkbenchSettings(models.Model):
    """How one collective runs its workbench. Collectives without a row use the defaults."""

    collective = models.OneToOneField(
        Collective, on_delete=models.CASCADE, related_name="workbench_settings"
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("highlight leads without activity after (days)"),
        default=DEFAULT_STALE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    decision_rule = models.CharField(
        _("decision rule"),
        max_length=16,
        choices=DecisionRule.choices,
        default=DecisionRule.CONSENT,
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of members who must respond)"),
        default=DEFAULT_QUORUM_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("workbench settings")
        verbose_name_plural = _("workbench settings")

    def __str__(self) -> str:
        return f"workbench settings of {self.collective}"

    @classmethod
    def for_collective(cls, collective: Collective) -> WorkbenchSettings:
        """The collective's settings, or unsaved defaults; reading never writes."""
        found = cls.objects.filter(collective=collective).first()
        return found or cls(collective=collective)


class DigestScope(models.TextChoices):
    MINE = "mine", _("leads I work on")
    ALL = "all", _("all leads of my collectives")


class WorkbenchPreference(models.Model):
    """One person's choices for the daily reminder digest (turning it off is a mute)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workbench_preference"
    )
    digest_scope = models.CharField(
        _("the daily reminder covers"),
        max_length=8,
        choices=DigestScope.choices,
        default=DigestScope.MINE,
    )

    def __str__(self) -> str:
        return f"workbench preference of {self.user}"


class DigestRecord(models.Model):
    """That a person got their reminder digest on a day; the unique row is the claim."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    lead_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_digest_per_day")
        ]

    def __str__(self) -> str:
        return f"digest for {self.user} on {self.sent_on}"


# --- red lines -----------------------------------------------------------------------


def split_lines(value: str) -> list[str]:
    """Non-empty, stripped lines; commas separate entries too."""
    entries = (part.strip() for line in value.splitlines() for part in line.split(","))
    return list(dict.fromkeys(entry for entry in entries if entry))


class RedLine(models.Model):
    """A collective's ethical criterion for refusing work: sectors, keywords, organisations."""

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="workbench_red_lines"
    )
    name = models.CharField(_("name"), max_length=200)
    explanation = models.TextField(
        _("why"), blank=True, max_length=2000, help_text=_("Why the collective refuses this work.")
    )
    sectors = models.CharField(_("sectors"), max_length=500, blank=True, default="")
    keywords_de = models.TextField(
        _("German keywords"), blank=True, max_length=4000, help_text=_("One per line.")
    )
    keywords_en = models.TextField(
        _("English keywords"), blank=True, max_length=4000, help_text=_("One per line.")
    )
    organisations = models.TextField(
        _("organisations"),
        blank=True,
        max_length=4000,
        help_text=_("One name per line; similar spellings are found too."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("red line")
        verbose_name_plural = _("red lines")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workbench:red_line_edit", args=[self.collective.slug, self.pk])

    def clean(self) -> None:
        if not (self.sectors or self.keywords_de or self.keywords_en or self.organisations):
            raise ValidationError(_("Name at least one sector, keyword or organisation."))

    @property
    def sector_codes(self) -> list[str]:
        return [code for code in self.sectors.split(",") if code]

    @sector_codes.setter
    def sector_codes(self, codes: Iterable[str]) -> None:
        order = list(SECTORS)
        known = sorted({c for c in codes if c in SECTORS}, key=order.index)
        self.sectors = f",{','.join(known)}," if known else ""

    def sector_labels(self, lang: str) -> list[str]:
        return [SECTORS[c].label.get(lang) for c in self.sector_codes if c in SECTORS]

    @property
    def keyword_list_de(self) -> list[str]:
        return split_lines(self.keywords_de)

    @property
    def keyword_list_en(self) -> list[str]:
        return split_lines(self.keywords_en)

    @property
    def organisation_list(self) -> list[str]:
        return [line.strip() for line in self.organisations.splitlines() if line.strip()]

    def criteria(self) -> RedLineRule:
        """This red line in the pure screening module's terms."""
        keywords = [Keyword(word, "de") for word in self.keyword_list_de]
        keywords += [Keyword(word, "en") for word in self.keyword_list_en]
        return RedLineRule(
            ref=str(self.pk),
            name=self.name,
            sectors=tuple(self.sector_codes),
            keywords=tuple(keywords),
            organisations=tuple(self.organisation_list),
        )


# --- leads ---------------------------------------------------------------------------


class Stage(models.TextChoices):
    NEW = "new", _("new")
    QUALIFIED = "qualified", _("qualified")
    PROPOSAL = "proposal", _("proposal")
    NEGOTIATION = "negotiation", _("negotiation")
    WON = "won", _("won")
    LOST = "lost", _("lost")
    PASSED_ON = "passed-on", _("passed on")


OPEN_STAGES: tuple[str, ...] = (Stage.NEW, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
CLOSED_STAGES: tuple[str, ...] = (Stage.WON, Stage.LOST, Stage.PASSED_ON)


class LeadSource(models.TextChoices):
    PERSONAL = "personal", _("personal contact")
    RECOMMENDATION = "recommendation", _("recommendation")
    INQUIRY = "inquiry", _("inquiry to us")
    TENDER = "tender", _("public tender")
    EVENT = "event", _("event")
    REFERRAL = "referral", _("referral from the network")
    OTHER = "other", _("other")


class DecisionOutcome(models.TextChoices):
    NONE = "", _("not decided")
    ACCEPTED = "accepted", _("accepted")
    BLOCKED = "blocked", _("blocked")
    REJECTED = "rejected", _("not accepted")
    NO_QUORUM = "no-quorum", _("too few responses")


class LeadQuerySet(models.QuerySet["Lead"]):
    def open(self) -> LeadQuerySet:
        return self.filter(stage__in=OPEN_STAGES)

    def closed(self) -> LeadQuerySet:
        return self.filter(stage__in=CLOSED_STAGES)

    def due_by(self, day: date) -> LeadQuerySet:
        """Open leads whose next action is due on or before `day`."""
        return self.open().filter(next_action_due__lte=day)

    def overdue(self, today: date | None = None) -> LeadQuerySet:
        return self.open().filter(next_action_due__lt=today or timezone.localdate())

    def stale(self, days: int, now: datetime | None = None) -> LeadQuerySet:
        cutoff = (now or timezone.now()) - timedelta(days=days)
        return self.open().filter(last_activity_at__lt=cutoff)

    def worked_on_by(self, user: User) -> LeadQuerySet:
        return self.filter(members=user)

    def matching_terms(self, terms: list[str]) -> LeadQuerySet:
        """Leads whose search document holds every term, found through the search index
        (`core.search`: PostgreSQL full text, SQLite FTS5)."""
        from klinke.core import search

        return search.matching(self, search.TextQuery.all_of(terms))

    def on_board(self) -> LeadQuerySet:
        """Open leads, and those closed in the last 90 days."""
        since = timezone.now() - timedelta(days=BOARD_CLOSED_DAYS)
        return self.filter(Q(stage__in=OPEN_STAGES) | Q(stage_changed_at__gte=since))

    def for_cards(self) -> LeadQuerySet:
        """What a card (or a row of the lead list) shows, and only that, in a fixed number of
        queries however many leads there are."""
        from klinke.accounts.models import User

        return (
            self.select_related("organisation", "referred_by_referral__from_collective")
            .only(*CARD_FIELDS)
            .prefetch_related(
                Prefetch("members", queryset=User.objects.only("name", "email", "deleted_at"))
            )
        )


CARD_FIELDS = (
    "title",
    "stage",
    "client_name",
    "value_min",
    "value_max",
    "next_action",
    "next_action_due",
    "last_activity_at",
    "is_flagged",
    "decision_outcome",
    "updated_at",
    "organisation__name",
    "referred_by_referral__from_collective__name",
)
"""The columns a lead's card on the board and its row in the lead list show (the lead list
sorts by `updated_at` too). Everything else, such as the description, stays in the database."""


def hits_fingerprint(keys: Iterable[Sequence[str]]) -> str:
    digest = hashlib.sha256()
    for key in sorted({"\x1f".join(k) for k in keys}):
        digest.update(key.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


class Lead(models.Model):
    """A potential project in a collective's private pipeline (Projektchance)."""

    # Changing any of these changes what the red lines see, so saving them screens again.
    SCREENED_FIELDS = frozenset(
        {"title", "description", "client_name", "organisation", "source_detail"}
    )

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="leads")
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        "contacts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("client organisation"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("main contact"),
    )
    client_name = models.CharField(
        _("client"),
        max_length=200,
        blank=True,
        help_text=_("Who the client is, if not (yet) an organisation in your contacts."),
    )
    description = models.TextField(_("description"), blank=True, max_length=10000)
    source = models.CharField(
        _("source"), max_length=16, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    source_detail = models.CharField(
        _("source detail"),
        max_length=255,
        blank=True,
        help_text=_("Who recommended you, which tender, which event."),
    )
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="leads"
    )
    value_min = models.PositiveIntegerField(_("value from (EUR)"), null=True, blank=True)
    value_max = models.PositiveIntegerField(_("value up to (EUR)"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.NEW)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    closed_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(null=True, blank=True)
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_action_due = models.DateField(_("next action due"), null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members working on it"),
        blank=True,
        related_name="workbench_leads",
    )
    last_activity_at = models.DateTimeField(default=timezone.now)
    screening_hits = models.JSONField(default=list, blank=True, editable=False)
    screened_at = models.DateTimeField(null=True, blank=True, editable=False)
    # True while some red-line hit has not been overridden with a reason; stored so the board
    # does not have to look at overrides for every card.
    is_flagged = models.BooleanField(default=False, editable=False)
    decision_outcome = models.CharField(
        _("decision"), max_length=16, choices=DecisionOutcome.choices, blank=True, default=""
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    search_document = models.TextField(editable=False, default="")
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    SEARCH_PREFETCH = ("organisation",)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["collective", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_min__isnull=True)
                | Q(value_max__isnull=True)
                | Q(value_min__lte=F("value_max")),
                name="lead_value_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=OPEN_STAGES) | ~Q(closed_reason=""),
                name="closed_lead_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, **options: Unpack[SaveOptions]) -> None:
        update_fields = options.get("update_fields")
        if update_fields is None or self.SCREENED_FIELDS & set(update_fields):
            self.refresh_screening()
            self.refresh_search_document()
            if update_fields is not None:
                options["update_fields"] = {
                    *update_fields,
                    "screening_hits",
                    "screened_at",
                    "is_flagged",
                    "search_document",
                }
        super().save(**options)

    def get_absolute_url(self) -> str:
        return reverse("workbench:lead_detail", args=[self.collective.slug, self.pk])

    def clean(self) -> None:
        low, high = self.value_min, self.value_max
        if low is not None and high is not None and low > high:
            raise ValidationError({"value_max": _("The upper value lies below the lower one.")})

    # -- stages --

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def next_stage(self) -> str | None:
        """The stage the "next" button moves to; closing is a separate step with a reason."""
        if self.stage in OPEN_STAGES[:-1]:
            return OPEN_STAGES[OPEN_STAGES.index(self.stage) + 1]
        return None

    @property
    def previous_stage(self) -> str | None:
        if self.stage in OPEN_STAGES[1:]:
            return OPEN_STAGES[OPEN_STAGES.index(self.stage) - 1]
        if self.stage in CLOSED_STAGES:
            return Stage.NEGOTIATION  # reopening
        return None

    @property
    def next_stage_label(self) -> str:
        return str(Stage(self.next_stage).label) if self.next_stage else ""

    @property
    def previous_stage_label(self) -> str:
        return str(Stage(self.previous_stage).label) if self.previous_stage else ""

    # -- dates --

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.next_action_due is not None and self.next_action_due < today

    def is_due_today(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.next_action_due == today

    def days_without_activity(self, now: datetime | None = None) -> int:
        return max(0, ((now or timezone.now()) - self.last_activity_at).days)

    def is_stale(self, days: int, now: datetime | None = None) -> bool:
        return self.is_open and self.days_without_activity(now) >= days

    # -- client and value --

    @property
    def client_label(self) -> str:
        names = [self.organisation.name if self.organisation else "", self.client_name]
        return " · ".join(dict.fromkeys(n for n in names if n))

    @property
    def has_value(self) -> bool:
        return self.value_min is not None or self.value_max is not None

    # -- screening --

    @property
    def hits(self) -> list[Hit]:
        return [Hit.from_dict(data) for data in self.screening_hits]

    def screening_fields(self) -> dict[str, str]:
        return {
            "title": self.title,
            "client": self.client_label,
            "description": self.description,
            "source": self.source_detail,
        }

    def refresh_screening(self, red_lines: Sequence[RedLine] | None = None) -> None:
        """Screen the lead against its collective's red lines and update the flag."""
        if red_lines is None:
            red_lines = list(RedLine.objects.filter(collective_id=self.collective_id))
        hits = screen(self.screening_fields(), [r.criteria() for r in red_lines])
        self.screening_hits = [hit.as_dict() for hit in hits]
        self.screened_at = timezone.now()
        self.is_flagged = bool(hits) and not self._overridden(hits)

    def _overridden(self, hits: list[Hit]) -> bool:
        if self.pk is None:
            return False
        covered: set[tuple[str, ...]] = set()
        for keys in ScreeningOverride.objects.filter(lead=self).values_list("keys", flat=True):
            covered.update(tuple(key) for key in keys)
        return all(hit.key() in covered for hit in hits)

    def search_documents(self) -> dict[str, str]:
        """The search columns and what they should hold (see `core.search.rebuild`)."""
        from klinke.matching.analysis import search_document

        return {
            "search_document": search_document(
                self.title,
                self.client_label,
                self.description,
                self.next_action,
                self.source_detail,
            )
        }

    def refresh_search_document(self) -> None:
        self.search_document = self.search_documents()["search_document"]


class ScreeningOverride(models.Model):
    """A member's reasoned decision that red-line hits on a lead are not a problem."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="screening_overrides")
    # The keys (`Hit.key()`) of the hits this override covers; a new hit flags the lead again.
    keys = models.JSONField(default=list)
    reason = models.TextField(_("why this is fine"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("red-line override")
        verbose_name_plural = _("red-line overrides")

    def __str__(self) -> str:
        return f"override on {self.lead_id}"


class ActivityKind(models.TextChoices):
    CALL = "call", _("call")
    EMAIL = "email", _("email")
    MEETING = "meeting", _("meeting")
    NOTE = "note", _("note")


class Activity(models.Model):
    """A call, email, meeting or note recorded against a lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("what happened"), max_length=5000)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workbench_activities",
        verbose_name=_("with contact"),
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.lead_id}"


# --- decisions -----------------------------------------------------------------------


class DecisionState(models.TextChoices):
    OPEN = "open", _("open")
    DECIDED = "decided", _("decided")


class ResponseChoice(models.TextChoices):
    AGREE = "agree", _("agree")
    ABSTAIN = "abstain", _("abstain")
    DISAGREE = "disagree", _("disagree")
    BLOCK = "block", _("block")


@dataclass(frozen=True)
class Tally:
    """The count of a decision's responses and what follows from them under a rule."""

    agree: int
    abstain: int
    disagree: int
    block: int
    members: int
    quorum_percent: int
    rule: str

    @property
    def responded(self) -> int:
        return self.agree + self.abstain + self.disagree + self.block

    @property
    def quorum_reached(self) -> bool:
        # Integer arithmetic, so 50 % of 3 members needs 2 responses, not 1.5 rounded down.
        return self.members > 0 and self.responded * 100 >= self.quorum_percent * self.members

    @property
    def outcome(self) -> str:
        if not self.quorum_reached:
            return DecisionOutcome.NO_QUORUM
        if self.rule == DecisionRule.CONSENT:
            return DecisionOutcome.BLOCKED if self.block else DecisionOutcome.ACCEPTED
        # Simple majority: a block counts as a "no"; a tie is not a majority.
        no = self.disagree + self.block
        return DecisionOutcome.ACCEPTED if self.agree > no else DecisionOutcome.REJECTED

    @classmethod
    def of(cls, choices: Iterable[str], *, members: int, rule: str, quorum_percent: int) -> Tally:
        counts = dict.fromkeys(ResponseChoice.values, 0)
        for choice in choices:
            counts[choice] += 1
        return cls(
            agree=counts[ResponseChoice.AGREE],
            abstain=counts[ResponseChoice.ABSTAIN],
            disagree=counts[ResponseChoice.DISAGREE],
            block=counts[ResponseChoice.BLOCK],
            members=members,
            quorum_percent=quorum_percent,
            rule=rule,
        )


class DecisionQuerySet(models.QuerySet["Decision"]):
    def open(self) -> DecisionQuerySet:
        return self.filter(state=DecisionState.OPEN)

    def past_deadline(self, now: datetime | None = None) -> DecisionQuerySet:
        return self.open().filter(deadline__lte=now or timezone.now())

    def needing_reminder(self, within: timedelta, now: datetime | None = None) -> DecisionQuerySet:
        now = now or timezone.now()
        return self.open().filter(
            reminder_sent_at__isnull=True, deadline__gt=now, deadline__lte=now + within
        )


class Decision(models.Model):
    """A collective's consent process on a question, such as "take this lead?"."""

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="workbench_decisions"
    )
    lead = models.ForeignKey(
        Lead,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("lead"),
    )
    question = models.CharField(_("question"), max_length=300)
    details = models.TextField(_("details"), blank=True, max_length=5000)
    deadline = models.DateTimeField(_("deadline"))
    # The rule and quorum in force when the decision was opened: changing the settings later
    # does not change how an open question is decided.
    rule = models.CharField(max_length=16, choices=DecisionRule.choices)
    quorum_percent = models.PositiveSmallIntegerField()
    state = models.CharField(
        max_length=16, choices=DecisionState.choices, default=DecisionState.OPEN
    )
    outcome = models.CharField(
        max_length=16, choices=DecisionOutcome.choices, blank=True, default=""
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The count when decided, kept because membership changes later.
    tally = models.JSONField(default=dict, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("workbench:decision_detail", args=[self.collective.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == DecisionState.OPEN

    def accepts_responses(self, now: datetime | None = None) -> bool:
        return self.is_open and self.deadline > (now or timezone.now())


class Response(models.Model):
    """One member's answer to a decision; it can change until the decision closes."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("your response"), max_length=16, choices=ResponseChoice.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["decision", "member"], name="one_response_per_member"),
            models.CheckConstraint(
                condition=~Q(choice="block") | ~Q(reason=""), name="block_needs_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.choice} on {self.decision_id}"


COMMENT_EDIT_WINDOW = timedelta(hours=24)
"""How long the author of a decision comment may still edit or delete it."""


class DecisionCommentQuerySet(models.QuerySet["DecisionComment"]):
    def for_thread(self) -> DecisionCommentQuerySet:
        return self.select_related("author").order_by("created_at", "pk")


class DecisionComment(models.Model):
    """One contribution to the discussion of a decision, as in Loomio's thread beside a
    proposal. Plain text; it never changes the outcome, which the responses decide."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("decision comment")
        verbose_name_plural = _("decision comments")

    def __str__(self) -> str:
        return f"{self.author} on {self.decision_id}"

    def can_be_changed_by(self, user: object, now: datetime | None = None) -> bool:
        """The author may edit or delete their comment within COMMENT_EDIT_WINDOW."""
        user_id = getattr(user, "pk", None)
        if user_id is None or self.author_id != user_id:
            return False
        return (now or timezone.now()) - self.created_at <= COMMENT_EDIT_WINDOW


# --- referrals -----------------------------------------------------------------------


class ReferralState(models.TextChoices):
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def involving(self, collective: Collective) -> ReferralQuerySet:
        return self.filter(Q(from_collective=collective) | Q(to_collective=collective))

    def open(self) -> ReferralQuerySet:
        return self.filter(state=ReferralState.OFFERED)


class Referral(models.Model):
    """A lead passed to another collective, with what they may see before they accept.

    The title, client and description are copied at referral time: the receiving collective
    sees this copy, never the original lead or its activities.
    """

    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    from_collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="referrals_sent"
    )
    to_collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="referrals_received"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_agreed = models.BooleanField(_("the client agreed to be passed on"))
    message = models.TextField(_("message to the collective"), blank=True, max_length=3000)
    title = models.CharField(_("title"), max_length=200)
    client_name = models.CharField(_("client"), max_length=200, blank=True)
    client_contact = models.TextField(_("how to reach the client"), blank=True, max_length=1000)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    value_min = models.PositiveIntegerField(null=True, blank=True)
    value_max = models.PositiveIntegerField(null=True, blank=True)
    topic = models.ForeignKey(
        "topics.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=16, choices=ReferralState.choices, default=ReferralState.OFFERED
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_message = models.TextField(_("answer"), blank=True, max_length=2000)
    new_lead = models.OneToOneField(
        Lead,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_by_referral",
    )
    is_demo = models.BooleanField(default=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_collective=F("to_collective")),
                name="referral_to_another_collective",
            ),
            models.CheckConstraint(
                condition=Q(client_agreed=True), name="referral_needs_client_consent"
            ),
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(state="offered"),
                name="one_open_referral_per_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.from_collective} → {self.to_collective}"

    def url_for(self, collective: Collective) -> str:
        """The referral's page as seen from one of its two collectives."""
        return reverse("workbench:referral_detail", args=[collective.slug, self.pk])


class ReferralLogEntry(models.Model):
    """The network's record of a referral: collectives, date, state and a coarse topic only."""

    referral = models.OneToOneField(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="log_entry"
    )
    from_collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="+")
    to_collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        "topics.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_on = models.DateField()
    state = models.CharField(max_length=16, choices=ReferralState.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-referred_on", "-pk"]
        verbose_name = _("referral log entry")
        verbose_name_plural = _("referral log")

    def __str__(self) -> str:
        return f"{self.from_collective} → {self.to_collective} ({self.referred_on})"


# --- archives ------------------------------------------------------------------------


class ImportedRecord(models.Model):
    """Which local row stands for a row of an imported workbench archive.

    Importing the same archive again finds its rows here and updates them instead of adding
    copies; `source` names the instance and collective the archive came from.
    """

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    object_id = models.BigIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "source", "kind", "source_id"],
                name="one_local_row_per_archived_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} → {self.object_id}"
