"""Writes of the acquisition workbench: leads and their stages, activities, red-line overrides,
decisions, referrals, and the reminder jobs.

Views and the API have already checked that the acting person is a member of the collective;
these functions check it again where a mistake would leak or change another collective's data.
Moves that can race (stage moves, responses to a decision, answers to a referral) check the
state they start from inside the transaction that changes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar, cast

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import ForeignKey, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Membership
from klinke.contacts.actions import refresh_contacts_search
from klinke.contacts.models import Contact, Organisation
from klinke.core.mail import muted_user_ids, notify_user, notify_users
from klinke.core.models import NotificationKind, NotificationMute
from klinke.screening import SECTORS, Hit
from klinke.topics.models import Topic
from klinke.workbench.models import (
    CLOSED_STAGES,
    COMMENT_EDIT_WINDOW,
    OPEN_STAGES,
    Activity,
    Decision,
    DecisionComment,
    DecisionState,
    DigestRecord,
    DigestScope,
    ImportedRecord,
    Lead,
    LeadSource,
    RedLine,
    Referral,
    ReferralLogEntry,
    ReferralState,
    Response,
    ResponseChoice,
    ScreeningOverride,
    Stage,
    Tally,
    WorkbenchPreference,
    WorkbenchSettings,
)
from klinke.workbench.portability import (
    KINDS,
    MODEL_KIND,
    ImportCounts,
    Kind,
    WorkbenchArchive,
    WorkbenchArchiveError,
    field_values,
    rows_of,
)

REMINDER_BEFORE_DEADLINE = timedelta(hours=24)
DIGEST_HOUR = 7
"""Local hour from which the daily digest goes out (the job runs every hour)."""


COMMENT_MAX_LENGTH = 5000


class WorkbenchError(Exception):
    """A move the workbench's rules do not allow; the message says why."""


def _require_member(collective: Collective, user: User) -> None:
    if not collective.has_member(user):
        raise WorkbenchError(_("Only members of the collective can do this."))


def member_users(collective: Collective) -> list[User]:
    return collective.member_users()


def _notify_all(people: Iterable[User], template: str, context: Mapping[str, object]) -> int:
    return notify_users(
        people,
        template=f"workbench/email/{template}",
        context=context,
        kind=NotificationKind.WORKBENCH,
    )


# --- leads ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LeadValues:
    """What a person writes about a lead, from the lead form or the API alike."""

    title: str
    contact: Contact | None = None
    organisation: Organisation | None = None
    client_name: str = ""
    description: str = ""
    source: str = LeadSource.OTHER
    source_detail: str = ""
    topics: Sequence[Topic] = ()
    value_min: int | None = None
    value_max: int | None = None
    next_action: str = ""
    next_action_due: date | None = None
    members: Sequence[User] = ()

    @classmethod
    def of(cls, lead: Lead) -> LeadValues:
        """The lead's current values, to change some of them with `dataclasses.replace`."""
        return cls(
            title=lead.title,
            contact=lead.contact,
            organisation=lead.organisation,
            client_name=lead.client_name,
            description=lead.description,
            source=lead.source,
            source_detail=lead.source_detail,
            topics=list(lead.topics.all()),
            value_min=lead.value_min,
            value_max=lead.value_max,
            next_action=lead.next_action,
            next_action_due=lead.next_action_due,
            members=list(lead.members.all()),
        )


_LEAD_SCALARS = (
    "title",
    "contact",
    "organisation",
    "client_name",
    "description",
    "source",
    "source_detail",
    "value_min",
    "value_max",
    "next_action",
    "next_action_due",
)


def _write_lead(lead: Lead, values: LeadValues) -> Lead:
    """Check the values against the lead's collective and the model's rules, then save."""
    collective_id = lead.collective_id
    errors: dict[str, str] = {}
    for name, owned in (("contact", values.contact), ("organisation", values.organisation)):
        if owned is not None and owned.collective_id != collective_id:
            errors[name] = _("This belongs to another collective.")
    member_ids = {user.pk for user in values.members}
    if member_ids - set(
        Membership.objects.filter(collective_id=collective_id, user_id__in=member_ids).values_list(
            "user_id", flat=True
        )
    ):
        errors["members"] = _("Only members of the collective can work on a lead.")
    if errors:
        raise ValidationError(errors)
    for name in _LEAD_SCALARS:
        setattr(lead, name, getattr(values, name))
    if lead.contact is not None and lead.organisation is None:
        lead.organisation = lead.contact.organisation
    checked = {*_LEAD_SCALARS, "collective"}
    lead.full_clean(
        exclude=[f.name for f in Lead._meta.get_fields() if f.name not in checked],
        validate_unique=False,
    )
    lead.save()
    lead.topics.set(values.topics)
    lead.members.set(values.members)
    return lead


@transaction.atomic
def do_create_lead(*, collective: Collective, user: User, values: LeadValues) -> Lead:
    """Save a new lead; its creator works on it unless others do.

    Raises ValidationError (by field) when the values break the lead's rules.
    """
    _require_member(collective, user)
    lead = Lead(collective=collective, created_by=user, last_activity_at=timezone.now())
    _write_lead(lead, values)
    if not values.members:
        lead.members.add(user)
    return lead


@transaction.atomic
def do_update_lead(*, lead: Lead, user: User, values: LeadValues) -> Lead:
    """Replace what a member wrote about the lead; raises ValidationError like creating."""
    _require_member(lead.collective, user)
    return _write_lead(lead, values)


def do_move_lead(*, lead: Lead, user: User, from_stage: str, to_stage: str) -> Lead:
    """Move a lead one stage forward or back, or reopen a closed one.

    `from_stage` is the stage the person saw: if someone else moved the lead meanwhile, the
    move is refused rather than applied twice.
    """
    _require_member(lead.collective, user)
    if lead.stage != from_stage:
        lead.refresh_from_db(fields=["stage"])
    probe = Lead(stage=from_stage)
    if to_stage not in (probe.next_stage, probe.previous_stage):
        raise WorkbenchError(_("A lead moves one stage at a time; close it with a reason."))
    now = timezone.now()
    changes: dict[str, object] = {"stage": to_stage, "stage_changed_at": now, "updated_at": now}
    if from_stage in CLOSED_STAGES:
        changes.update(closed_reason="", closed_at=None)
    moved = Lead.objects.filter(pk=lead.pk, stage=from_stage).update(**changes)
    if not moved:
        lead.refresh_from_db(fields=["stage"])
        raise WorkbenchError(
            _("Someone moved “%(title)s” in the meantime; it is now at “%(stage)s”.")
            % {"title": lead.title, "stage": lead.get_stage_display()}
        )
    for name, value in changes.items():
        setattr(lead, name, value)
    return lead


def do_close_lead(*, lead: Lead, user: User, stage: str, reason: str) -> Lead:
    """Close a lead as won, lost or passed on; the reason is required and kept."""
    _require_member(lead.collective, user)
    if stage not in CLOSED_STAGES:
        raise WorkbenchError(_("Choose won, lost or passed on."))
    if not reason.strip():
        raise WorkbenchError(_("Say why the lead is closed."))
    now = timezone.now()
    changes = {
        "stage": stage,
        "stage_changed_at": now,
        "closed_reason": reason.strip(),
        "closed_at": now,
        "updated_at": now,
    }
    if not Lead.objects.filter(pk=lead.pk, stage__in=OPEN_STAGES).update(**changes):
        raise WorkbenchError(_("This lead is already closed."))
    for name, value in changes.items():
        setattr(lead, name, value)
    return lead


@transaction.atomic
def do_log_activity(
    *,
    lead: Lead,
    user: User,
    kind: str,
    text: str,
    occurred_at: datetime | None = None,
    contact: Contact | None = None,
) -> Activity:
    """Record a call, email, meeting or note; it freshens the lead and the contact's date."""
    _require_member(lead.collective, user)
    if contact is not None and contact.collective_id != lead.collective_id:
        raise WorkbenchError(_("This contact belongs to another collective."))
    if not text.strip():
        raise WorkbenchError(_("Write what happened."))
    now = timezone.now()
    occurred_at = occurred_at or now
    activity = Activity.objects.create(
        lead=lead, kind=kind, text=text.strip(), occurred_at=occurred_at, by=user, contact=contact
    )
    # A planned meeting logged ahead of time must not make the lead look fresh for weeks.
    seen = min(occurred_at, now)
    if Lead.objects.filter(pk=lead.pk, last_activity_at__lt=seen).update(last_activity_at=seen):
        lead.last_activity_at = seen
    if contact is not None:
        contact.record_contact(on=timezone.localdate(seen))
    return activity


_Override = TypeVar("_Override")


class FlaggedItem(Protocol):
    """Something screened against a collective's red lines: a lead, or a tender in an inbox."""

    is_flagged: bool

    @property
    def pk(self) -> Any: ...

    @property
    def collective(self) -> Collective: ...

    @property
    def hits(self) -> list[Hit]: ...


def do_lift_red_line_flag(
    *,
    item: FlaggedItem,
    user: User,
    reason: str,
    nothing_to_lift: str,
    record: Callable[[list[list[str]], str], _Override],
    error: type[Exception] = WorkbenchError,
) -> _Override:
    """The rule for lifting a red-line flag, wherever something is screened.

    Only a member may lift it, only with a reason, and only if there are hits
    (``nothing_to_lift`` says so otherwise). ``record(keys, reason)`` stores the override with
    the keys of the hits it covers, so that new evidence flags the item again. Refusals raise
    ``error`` with a message for people.
    """
    if not item.collective.has_member(user):
        raise error(_("Only members of the collective can do this."))
    if not reason.strip():
        raise error(_("Say why the flag does not apply."))
    hits = item.hits
    if not hits:
        raise error(nothing_to_lift)
    with transaction.atomic():
        override = record([list(hit.key()) for hit in hits], reason.strip())
        item.is_flagged = False
        model = cast("type[Model]", type(item))
        model._default_manager.filter(pk=item.pk).update(is_flagged=False)
    return override


def do_override_screening(*, lead: Lead, user: User, reason: str) -> ScreeningOverride:
    """Record that a member looked at the red-line hits and the collective may go ahead."""
    return do_lift_red_line_flag(
        item=lead,
        user=user,
        reason=reason,
        nothing_to_lift=_("This lead touches none of your red lines."),
        record=lambda keys, reason: ScreeningOverride.objects.create(
            lead=lead, keys=keys, reason=reason, by=user
        ),
    )


# --- red lines -----------------------------------------------------------------------


def rescreen_leads(collective: Collective) -> int:
    """Screen every lead of the collective again, after its red lines changed."""
    red_lines = list(RedLine.objects.filter(collective=collective))
    leads = list(Lead.objects.filter(collective=collective).select_related("organisation"))
    for lead in leads:
        lead.refresh_screening(red_lines)
    Lead.objects.bulk_update(leads, ["screening_hits", "screened_at", "is_flagged"], batch_size=500)
    return len(leads)


@dataclass(frozen=True, kw_only=True)
class RedLineValues:
    name: str
    explanation: str = ""
    sectors: Sequence[str] = ()
    keywords_de: str = ""
    """One keyword per line (commas separate too), as typed into the form."""
    keywords_en: str = ""
    organisations: str = ""
    """One name per line."""


@transaction.atomic
def do_save_red_line(
    *, collective: Collective, user: User, values: RedLineValues, red_line: RedLine | None = None
) -> RedLine:
    """Create (red_line=None) or change a red line, then screen all leads again.

    Raises ValidationError (by field) for unknown sectors or a red line that names nothing.
    """
    _require_member(collective, user)
    if red_line is None:
        red_line = RedLine(collective=collective, created_by=user)
    elif red_line.collective_id != collective.pk:
        raise WorkbenchError(_("This red line belongs to another collective."))
    unknown = sorted(set(values.sectors) - set(SECTORS))
    if unknown:
        raise ValidationError({"sectors": _("Unknown sector “%(code)s”.") % {"code": unknown[0]}})
    red_line.name = values.name
    red_line.explanation = values.explanation
    red_line.sector_codes = values.sectors
    red_line.keywords_de = values.keywords_de
    red_line.keywords_en = values.keywords_en
    red_line.organisations = values.organisations
    red_line.full_clean(exclude=["collective", "created_by"], validate_unique=False)
    red_line.save()
    rescreen_leads(collective)
    return red_line


@transaction.atomic
def do_delete_red_line(*, red_line: RedLine, user: User) -> None:
    collective = red_line.collective
    _require_member(collective, user)
    red_line.delete()
    rescreen_leads(collective)


# --- settings ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SettingsValues:
    stale_after_days: int
    decision_rule: str
    quorum_percent: int


@transaction.atomic
def do_save_settings(
    *, collective: Collective, user: User, values: SettingsValues
) -> WorkbenchSettings:
    """Save how the collective runs its workbench; raises ValidationError (by field)."""
    _require_member(collective, user)
    config = WorkbenchSettings.for_collective(collective)
    config.stale_after_days = values.stale_after_days
    config.decision_rule = values.decision_rule
    config.quorum_percent = values.quorum_percent
    config.full_clean(exclude=["collective"], validate_unique=False)
    config.save()
    return config


# --- decisions -----------------------------------------------------------------------


@transaction.atomic
def do_open_decision(
    *,
    collective: Collective,
    user: User,
    question: str,
    deadline: datetime,
    details: str = "",
    lead: Lead | None = None,
) -> Decision:
    _require_member(collective, user)
    if lead is not None and lead.collective_id != collective.pk:
        raise WorkbenchError(_("This lead belongs to another collective."))
    if not question.strip():
        raise WorkbenchError(_("Ask a question."))
    if deadline <= timezone.now():
        raise WorkbenchError(_("The deadline must lie in the future."))
    config = WorkbenchSettings.for_collective(collective)
    decision = Decision.objects.create(
        collective=collective,
        lead=lead,
        question=question.strip(),
        details=details.strip(),
        deadline=deadline,
        rule=config.decision_rule,
        quorum_percent=config.quorum_percent,
        opened_by=user,
    )
    others = [person for person in member_users(collective) if person.pk != user.pk]
    _notify_all(others, "decision_opened", {"decision": decision, "collective": collective})
    return decision


def _locked_decision(decision_id: int) -> Decision:
    # No joins: PostgreSQL cannot lock the nullable side of an outer join.
    decision = Decision.objects.select_for_update().filter(pk=decision_id).first()
    if decision is None:
        raise WorkbenchError(_("This decision does not exist."))
    return decision


def current_tally(decision: Decision) -> Tally:
    """The count so far, over responses of people who are still members."""
    member_ids = set(
        Membership.objects.filter(collective_id=decision.collective_id).values_list(
            "user_id", flat=True
        )
    )
    choices = [
        choice
        for member_id, choice in decision.responses.values_list("member_id", "choice")
        if member_id in member_ids
    ]
    return Tally.of(
        choices,
        members=len(member_ids),
        rule=decision.rule,
        quorum_percent=decision.quorum_percent,
    )


def _decide(decision: Decision, tally: Tally) -> None:
    """Close a locked, open decision with the tally's outcome and record it on the lead."""
    now = timezone.now()
    decision.state = DecisionState.DECIDED
    decision.outcome = tally.outcome
    decision.decided_at = now
    decision.tally = {
        "agree": tally.agree,
        "abstain": tally.abstain,
        "disagree": tally.disagree,
        "block": tally.block,
        "members": tally.members,
        "quorum_reached": tally.quorum_reached,
    }
    decision.save(update_fields=["state", "outcome", "decided_at", "tally"])
    if decision.lead_id is not None:
        Lead.objects.filter(pk=decision.lead_id).update(
            decision_outcome=decision.outcome, decided_at=now
        )
    collective = Collective.objects.get(pk=decision.collective_id)
    _notify_all(
        member_users(collective),
        "decision_decided",
        {"decision": decision, "collective": collective, "tally": decision.tally},
    )


def do_respond_to_decision(
    *, decision_id: int, user: User, choice: str, reason: str = ""
) -> Response:
    """Give or change one's response; the last missing response decides at once.

    The decision's row is locked first, so two responses of one member cannot both be
    created, and a response cannot slip in after the deadline job closed the decision.
    """
    if choice not in ResponseChoice.values:
        raise WorkbenchError(_("Choose agree, abstain, disagree or block."))
    if choice == ResponseChoice.BLOCK and not reason.strip():
        raise WorkbenchError(_("A block needs a reason, so the others can address it."))
    with transaction.atomic():
        decision = _locked_decision(decision_id)
        if not Membership.objects.filter(collective_id=decision.collective_id, user=user).exists():
            raise WorkbenchError(_("Only members of the collective can respond."))
        if not decision.accepts_responses():
            raise WorkbenchError(_("This decision is closed; responses are no longer possible."))
        response, _created = Response.objects.update_or_create(
            decision=decision, member=user, defaults={"choice": choice, "reason": reason.strip()}
        )
        tally = current_tally(decision)
        if tally.responded >= tally.members:
            _decide(decision, tally)
    return response


def _comment_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise WorkbenchError(_("Write a comment first."))
    if len(text) > COMMENT_MAX_LENGTH:
        raise WorkbenchError(
            _("A comment can be at most %(max)d characters long.") % {"max": COMMENT_MAX_LENGTH}
        )
    return text


def do_comment_on_decision(*, decision: Decision, user: User, text: str) -> DecisionComment:
    """Add a member's comment to a decision's discussion, open or decided."""
    collective = Collective.objects.get(pk=decision.collective_id)
    _require_member(collective, user)
    return DecisionComment.objects.create(decision=decision, author=user, text=_comment_text(text))


def _own_comment(comment_id: int, user: User) -> DecisionComment:
    comment = DecisionComment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None:
        raise WorkbenchError(_("This comment does not exist."))
    decision = Decision.objects.get(pk=comment.decision_id)
    _require_member(Collective.objects.get(pk=decision.collective_id), user)
    if comment.author_id != user.pk:
        raise WorkbenchError(_("Only its author can change a comment."))
    if not comment.can_be_changed_by(user):
        raise WorkbenchError(
            _("A comment can only be changed within %(hours)d hours of writing it.")
            % {"hours": int(COMMENT_EDIT_WINDOW.total_seconds() // 3600)}
        )
    return comment


@transaction.atomic
def do_edit_decision_comment(*, comment_id: int, user: User, text: str) -> DecisionComment:
    comment = _own_comment(comment_id, user)
    comment.text = _comment_text(text)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


@transaction.atomic
def do_delete_decision_comment(*, comment_id: int, user: User) -> None:
    _own_comment(comment_id, user).delete()


def do_decide_due_decisions() -> int:
    """Close every open decision whose deadline has passed; returns how many."""
    decided = 0
    for pk in Decision.objects.past_deadline().values_list("pk", flat=True):
        with transaction.atomic():
            decision = _locked_decision(pk)
            if decision.state == DecisionState.OPEN and decision.deadline <= timezone.now():
                _decide(decision, current_tally(decision))
                decided += 1
    return decided


def do_remind_decisions() -> int:
    """Remind members who have not responded, once, within a day of the deadline."""
    sent = 0
    for decision in Decision.objects.needing_reminder(REMINDER_BEFORE_DEADLINE).select_related(
        "collective", "lead"
    ):
        with transaction.atomic():
            claimed = Decision.objects.filter(
                pk=decision.pk, reminder_sent_at__isnull=True, state=DecisionState.OPEN
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue  # another worker got there first
            answered = set(decision.responses.values_list("member_id", flat=True))
            waiting = [p for p in member_users(decision.collective) if p.pk not in answered]
            sent += _notify_all(
                waiting,
                "decision_reminder",
                {"decision": decision, "collective": decision.collective},
            )
    return sent


# --- reminder digest -----------------------------------------------------------------


def digest_leads(user: User, leads: Sequence[Lead], scope: str) -> list[Lead]:
    if scope == DigestScope.ALL:
        return list(leads)
    return [lead for lead in leads if any(m.pk == user.pk for m in lead.members.all())]


def do_send_digests(now: datetime | None = None) -> int:
    """Email each member their due and overdue next actions, at most once a day.

    A `DigestRecord` row per person and day is the claim: it is inserted in the same
    transaction that queues the mail, so two workers, or a rerun, send nothing twice.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    leads = list(
        Lead.objects.due_by(today)
        .filter(collective__archived_at__isnull=True)
        .select_related("collective")
        .prefetch_related("members")
        .order_by("next_action_due", "pk")
    )
    if not leads:
        return 0
    by_collective: dict[int, list[Lead]] = defaultdict(list)
    for lead in leads:
        by_collective[lead.collective_id].append(lead)
    muted = muted_user_ids(NotificationKind.WORKBENCH)
    done = set(DigestRecord.objects.filter(sent_on=today).values_list("user_id", flat=True))
    scopes = dict(WorkbenchPreference.objects.values_list("user_id", "digest_scope"))
    people: dict[int, tuple[User, list[Lead]]] = {}
    for membership in Membership.objects.filter(collective_id__in=by_collective).select_related(
        "user"
    ):
        user = membership.user
        if user.pk in muted or user.pk in done or not user.is_active:
            continue
        mine = digest_leads(
            user, by_collective[membership.collective_id], scopes.get(user.pk, DigestScope.MINE)
        )
        entry = people.setdefault(user.pk, (user, []))
        entry[1].extend(mine)
    sent = 0
    for user, user_leads in people.values():
        if not user_leads:
            continue
        user_leads.sort(key=lambda lead: (lead.next_action_due or today, lead.pk))
        try:
            with transaction.atomic():
                DigestRecord.objects.create(user=user, sent_on=today, lead_count=len(user_leads))
                sent += notify_user(
                    user,
                    template="workbench/email/digest",
                    context={
                        "overdue": [lead for lead in user_leads if lead.is_overdue(today)],
                        "due_today": [lead for lead in user_leads if not lead.is_overdue(today)],
                        "today": today,
                        "count": len(user_leads),
                    },
                    kind=NotificationKind.WORKBENCH,
                )
        except IntegrityError:
            continue  # someone else sent today's digest meanwhile
    return sent


@transaction.atomic
def do_set_reminder_preferences(*, user: User, scope: str, enabled: bool) -> WorkbenchPreference:
    preference, _created = WorkbenchPreference.objects.update_or_create(
        user=user, defaults={"digest_scope": scope}
    )
    if enabled:
        NotificationMute.objects.filter(user=user, kind=NotificationKind.WORKBENCH).delete()
    else:
        NotificationMute.objects.get_or_create(user=user, kind=NotificationKind.WORKBENCH)
    return preference


# --- referrals -----------------------------------------------------------------------


def coarse_topic(lead: Lead) -> Topic | None:
    """The top-level topic of the lead's first topic: enough for statistics, nothing private."""
    topic = lead.topics.select_related("parent__parent").order_by("pk").first()
    while topic is not None and topic.parent is not None:
        topic = topic.parent
    return topic


def do_refer_lead(
    *,
    lead: Lead,
    user: User,
    to_collective: Collective,
    client_agreed: bool,
    message: str = "",
    client_contact: str = "",
) -> Referral:
    """Offer a lead to another collective; it stays in the pipeline until they accept."""
    _require_member(lead.collective, user)
    if not client_agreed:
        raise WorkbenchError(_("Pass a lead on only when the client has agreed to it."))
    if not lead.is_open:
        raise WorkbenchError(_("Only open leads can be passed on."))
    if to_collective.pk == lead.collective_id:
        raise WorkbenchError(_("Choose another collective."))
    if to_collective.is_archived:
        raise WorkbenchError(_("This collective is archived."))
    recipients = member_users(to_collective)
    if not recipients:
        raise WorkbenchError(
            _("%(name)s has no members on klinke yet.") % {"name": to_collective.name}
        )
    referral = Referral(
        lead=lead,
        from_collective=lead.collective,
        to_collective=to_collective,
        referred_by=user,
        client_agreed=True,
        message=message.strip(),
        title=lead.title,
        client_name=lead.client_label,
        client_contact=client_contact.strip(),
        description=lead.description,
        value_min=lead.value_min,
        value_max=lead.value_max,
        topic=coarse_topic(lead),
    )
    try:
        with transaction.atomic():
            referral.save()
            ReferralLogEntry.objects.create(
                referral=referral,
                from_collective=referral.from_collective,
                to_collective=to_collective,
                topic=referral.topic,
                referred_on=timezone.localdate(),
                state=referral.state,
            )
            _notify_all(
                recipients,
                "referral_offered",
                {"referral": referral, "url": referral.url_for(to_collective)},
            )
    except IntegrityError:
        raise WorkbenchError(
            _("This lead is already offered to a collective; wait for their answer.")
        ) from None
    return referral


def _locked_referral(referral_id: int) -> Referral:
    referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise WorkbenchError(_("This referral does not exist."))
    return referral


def _log_state(referral: Referral) -> None:
    ReferralLogEntry.objects.filter(referral=referral).update(
        state=referral.state, updated_at=timezone.now()
    )


def do_answer_referral(
    *, referral_id: int, user: User, accept: bool, message: str = ""
) -> Referral:
    """Accept (a new lead in the receiving workbench; the original is passed on) or decline."""
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        to_collective = Collective.objects.get(pk=referral.to_collective_id)
        if not to_collective.has_member(user):
            raise WorkbenchError(_("Only members of the receiving collective can answer."))
        if referral.state != ReferralState.OFFERED:
            raise WorkbenchError(
                _("This referral is already %(state)s.") % {"state": referral.get_state_display()}
            )
        from_collective = Collective.objects.get(pk=referral.from_collective_id)
        now = timezone.now()
        referral.state = ReferralState.ACCEPTED if accept else ReferralState.DECLINED
        referral.answered_at = now
        referral.answered_by = user
        referral.answer_message = message.strip()
        if accept:
            description = referral.description
            if referral.client_contact:
                description = f"{description}\n\n{referral.client_contact}".strip()
            new_lead = Lead(
                collective=to_collective,
                title=referral.title,
                client_name=referral.client_name,
                description=description,
                source=LeadSource.REFERRAL,
                source_detail=_("Referral from %(name)s") % {"name": from_collective.name},
                value_min=referral.value_min,
                value_max=referral.value_max,
                created_by=user,
            )
            new_lead.save()
            new_lead.members.add(user)
            if referral.topic_id is not None:
                new_lead.topics.add(referral.topic_id)
            referral.new_lead = new_lead
            if referral.lead_id is not None:
                Lead.objects.filter(pk=referral.lead_id, stage__in=OPEN_STAGES).update(
                    stage=Stage.PASSED_ON,
                    stage_changed_at=now,
                    closed_at=now,
                    closed_reason=_("Passed on to %(name)s.") % {"name": to_collective.name},
                    updated_at=now,
                )
        referral.save()
        _log_state(referral)
        _notify_all(
            member_users(from_collective),
            "referral_answered",
            {
                "referral": referral,
                "collective": from_collective,
                "url": referral.url_for(from_collective),
            },
        )
    return referral


def do_withdraw_referral(*, referral_id: int, user: User) -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        if not Membership.objects.filter(
            collective_id=referral.from_collective_id, user=user
        ).exists():
            raise WorkbenchError(_("Only the collective that passed it on can withdraw it."))
        if referral.state != ReferralState.OFFERED:
            raise WorkbenchError(
                _("This referral is already %(state)s.") % {"state": referral.get_state_display()}
            )
        referral.state = ReferralState.WITHDRAWN
        referral.answered_at = timezone.now()
        referral.save(update_fields=["state", "answered_at"])
        _log_state(referral)
    return referral


# --- archives ------------------------------------------------------------------------


class _Skip(Exception):
    """A record that cannot be placed here (its collective or person is not on this instance)."""


def _new_row(kind: Kind, record_id: int) -> Model:
    row = kind.model()
    # The archive's id when it is free, so links such as /leads/12/ keep working.
    if not kind.model._default_manager.filter(pk=record_id).exists():
        row.pk = record_id
    return row


@transaction.atomic
def do_import_workbench(*, collective: Collective, archive: WorkbenchArchive) -> ImportCounts:
    """Import a checked workbench archive into `collective`: all of it, or nothing.

    People are linked by email to the collective's own members only; a response of someone
    who is not a member here is left out (the decision keeps its recorded tally). Referrals
    are not imported: each is shared with another collective, whose workbench an import
    must not write into.
    """
    counts = ImportCounts()
    mapped: dict[str, dict[int, int]] = defaultdict(dict)
    for kind_name, source_id, object_id in ImportedRecord.objects.filter(
        collective=collective, source=archive.source
    ).values_list("kind", "source_id", "object_id"):
        mapped[kind_name][source_id] = object_id
    members = {
        email.lower(): pk
        for pk, email in User.objects.filter(memberships__collective=collective).values_list(
            "pk", "email"
        )
    }
    topics = dict(Topic.objects.values_list("slug", "pk"))
    collectives = dict(Collective.objects.values_list("slug", "pk"))
    collectives[archive.collective_slug] = collective.pk

    def resolve(fk: ForeignKey[Any, Any], raw: object) -> object:
        target = fk.related_model
        if target is User:
            found = members.get(str(raw).lower())
            if found is None and not fk.null:
                raise _Skip
            return found
        if target is Collective:
            if str(raw) not in collectives:
                raise _Skip
            return collectives[str(raw)]
        if target is Topic:
            return topics.get(str(raw))
        other = MODEL_KIND.get(target)  # type: ignore[arg-type]
        found = mapped[other.name].get(raw) if other and isinstance(raw, int) else None
        if found is None and not fk.null:
            raise _Skip
        return found

    touched: list[type[Model]] = []
    for kind in KINDS:
        for record in archive.records[kind.name]:
            if not kind.importable:
                counts.add(counts.skipped, kind.name)
                continue
            try:
                values = field_values(kind, record, resolve=resolve)
                if kind.parent:
                    parent_id = mapped[kind.parent].get(record.get(kind.owner))  # type: ignore[arg-type]
                    if parent_id is None:
                        raise _Skip
                    values[f"{kind.owner}_id"] = parent_id
                else:
                    values[f"{kind.owner}_id"] = collective.pk
            except _Skip:
                counts.add(counts.skipped, kind.name)
                continue
            local_id = mapped[kind.name].get(record["id"])
            # Only ever a row of this collective, even if a mapped row was deleted meanwhile.
            row = rows_of(kind, collective).filter(pk=local_id).first() if local_id else None
            if row is None and kind.name == "settings":
                row = WorkbenchSettings.objects.filter(collective=collective).first()
            created = row is None
            if row is None:
                row = _new_row(kind, record["id"])
            for attname, value in values.items():
                setattr(row, attname, value)
            try:
                row.full_clean(validate_unique=False)
            except ValidationError as exc:
                field, messages = next(iter(exc.message_dict.items()))
                raise WorkbenchArchiveError(
                    _("%(kind)s %(id)s: %(field)s: %(error)s")
                    % {"kind": kind.name, "id": record["id"], "field": field, "error": messages[0]}
                ) from exc
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError as exc:
                raise WorkbenchArchiveError(
                    _("%(kind)s %(id)s clashes with what is already here.")
                    % {"kind": kind.name, "id": record["id"]}
                ) from exc
            for m2m in kind.model._meta.many_to_many:
                names = record.get(m2m.name, [])
                if not isinstance(names, list):
                    continue
                if m2m.related_model is Topic:
                    getattr(row, m2m.name).set([topics[s] for s in names if s in topics])
                else:
                    emails = [str(e).lower() for e in names]
                    getattr(row, m2m.name).set([members[e] for e in emails if e in members])
            mapped[kind.name][record["id"]] = row.pk
            ImportedRecord.objects.update_or_create(
                collective=collective,
                source=archive.source,
                kind=kind.name,
                source_id=record["id"],
                defaults={"object_id": row.pk},
            )
            counts.add(counts.created if created else counts.updated, kind.name)
        touched.append(kind.model)
    refresh_contacts_search(Contact.objects.filter(collective=collective))
    for organisation in Organisation.objects.filter(collective=collective):
        organisation.refresh_search_document()
    # Rows that kept their archive ids were inserted with explicit keys; PostgreSQL's
    # sequences must move past them.
    reset = connection.ops.sequence_reset_sql(no_style(), touched)
    if reset:
        with connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)
    return counts
