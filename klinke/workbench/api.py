"""JSON API of the acquisition workbench, for the collective's members only.

Mounted at /api/v1/workbench; every path starts with the collective's slug. Authentication
checks membership before anything else, so a caller outside the collective gets 404 whatever
the body (even an invalid one), exactly as for a collective that does not exist; anonymous
callers get 401. Objects are always looked up within the collective, so another collective's
ids answer 404 too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from klinke.accounts import request_user
from klinke.accounts.models import User
from klinke.collectives.access import collective_member, request_collective
from klinke.collectives.models import Collective
from klinke.contacts.models import Contact, Organisation
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, answers
from klinke.matching.analysis import query_terms
from klinke.screening import SECTORS, Hit
from klinke.topics.models import Topic
from klinke.workbench import actions, candidates, summary
from klinke.workbench.actions import LeadValues, RedLineValues
from klinke.workbench.models import (
    COMMENT_EDIT_WINDOW,
    Activity,
    ActivityKind,
    Decision,
    DecisionComment,
    Lead,
    LeadQuerySet,
    RedLine,
    Referral,
    ReferralLogEntry,
    ReferralQuerySet,
    ScreeningOverride,
    Stage,
    WorkbenchSettings,
)
from klinke.workbench.portability import archive_response

router = Router(tags=["workbench"], auth=collective_member)


def _collective(request: HttpRequest) -> Collective:
    return request_collective(request)


def _conflict(exc: actions.WorkbenchError) -> HttpError:
    return HttpError(409, str(exc))


def _invalid(exc: ValidationError) -> HttpError:
    """422 naming the first field the action refused, as "field: message"."""
    field, messages = next(iter(exc.message_dict.items()))
    return HttpError(422, f"{field}: {messages[0]}")


# --- schemas ---------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class TextOut(Schema):
    en: str
    de: str


class HitOut(Schema):
    red_line: int
    red_line_name: str
    kind: str
    criterion: str
    criterion_label: TextOut
    keyword: str
    field: str
    matched: str
    start: int
    end: int
    score: float
    text: TextOut

    @staticmethod
    def from_hit(hit: Hit) -> HitOut:
        return HitOut(
            red_line=int(hit.red_line),
            red_line_name=hit.red_line_name,
            kind=hit.kind,
            criterion=hit.criterion,
            criterion_label=TextOut(en=hit.criterion_label("en"), de=hit.criterion_label("de")),
            keyword=hit.keyword,
            field=hit.field,
            matched=hit.matched,
            start=hit.start,
            end=hit.end,
            score=hit.score,
            text=TextOut(en=hit.text("en"), de=hit.text("de")),
        )


class LeadOut(Schema):
    id: int
    title: str
    organisation: Ref | None
    contact: Ref | None
    client_name: str
    description: str
    source: str
    source_detail: str
    topics: list[str]
    value_min: int | None
    value_max: int | None
    stage: str
    closed_reason: str
    closed_at: datetime | None
    next_action: str
    next_action_due: date | None
    members: list[Ref]
    last_activity_at: datetime
    is_flagged: bool
    screening_hits: list[HitOut]
    decision_outcome: str
    referred_from: str | None
    """The slug of the collective that passed this lead on, if any."""
    created_at: datetime
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_organisation(obj: Lead) -> Ref | None:
        return Ref(id=obj.organisation.pk, name=obj.organisation.name) if obj.organisation else None

    @staticmethod
    def resolve_contact(obj: Lead) -> Ref | None:
        return Ref(id=obj.contact.pk, name=obj.contact.display_name) if obj.contact else None

    @staticmethod
    def resolve_topics(obj: Lead) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_members(obj: Lead) -> list[Ref]:
        return [Ref(id=m.pk, name=m.display_name) for m in obj.members.all()]

    @staticmethod
    def resolve_screening_hits(obj: Lead) -> list[HitOut]:
        return [HitOut.from_hit(hit) for hit in obj.hits]

    @staticmethod
    def resolve_referred_from(obj: Lead) -> str | None:
        referral = getattr(obj, "referred_by_referral", None)
        return referral.from_collective.slug if referral is not None else None

    @staticmethod
    def resolve_url(obj: Lead) -> str:
        return obj.get_absolute_url()


class LeadIn(InputSchema):
    title: str
    organisation: int | None = None
    contact: int | None = None
    client_name: str = ""
    description: str = ""
    source: str = "other"
    source_detail: str = ""
    topics: list[str] = []
    value_min: int | None = Field(default=None, ge=0)
    value_max: int | None = Field(default=None, ge=0)
    next_action: str = ""
    next_action_due: date | None = None
    members: list[int] = []
    """User ids of members working on it; left empty, the caller."""


class LeadPatch(InputSchema):
    title: str | None = None
    organisation: int | None = None
    contact: int | None = None
    client_name: str | None = None
    description: str | None = None
    source: str | None = None
    source_detail: str | None = None
    # Lists are left out to keep them, or sent (maybe empty) to replace them; null is refused.
    topics: list[str] = []
    value_min: int | None = Field(default=None, ge=0)
    value_max: int | None = Field(default=None, ge=0)
    next_action: str | None = None
    next_action_due: date | None = None
    members: list[int] = []


class MoveIn(InputSchema):
    from_stage: str
    to_stage: str


class CloseIn(InputSchema):
    stage: str
    reason: str


class ActivityOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    by: Ref | None
    text: str
    contact: Ref | None

    @staticmethod
    def resolve_by(obj: Activity) -> Ref | None:
        return Ref(id=obj.by.pk, name=obj.by.display_name) if obj.by else None

    @staticmethod
    def resolve_contact(obj: Activity) -> Ref | None:
        return Ref(id=obj.contact.pk, name=obj.contact.display_name) if obj.contact else None


class ActivityIn(InputSchema):
    kind: str
    text: str
    occurred_at: datetime | None = None
    contact: int | None = None


class OverrideOut(Schema):
    by: Ref | None
    at: datetime
    reason: str

    @staticmethod
    def resolve_by(obj: ScreeningOverride) -> Ref | None:
        return Ref(id=obj.by.pk, name=obj.by.display_name) if obj.by else None


class ScreeningOut(Schema):
    is_flagged: bool
    screened_at: datetime | None
    hits: list[HitOut]
    overrides: list[OverrideOut]


class OverrideIn(InputSchema):
    reason: str


class RedLineOut(Schema):
    id: int
    name: str
    explanation: str
    sectors: list[str]
    keywords_de: list[str]
    keywords_en: list[str]
    organisations: list[str]

    @staticmethod
    def resolve_sectors(obj: RedLine) -> list[str]:
        return obj.sector_codes

    @staticmethod
    def resolve_keywords_de(obj: RedLine) -> list[str]:
        return obj.keyword_list_de

    @staticmethod
    def resolve_keywords_en(obj: RedLine) -> list[str]:
        return obj.keyword_list_en

    @staticmethod
    def resolve_organisations(obj: RedLine) -> list[str]:
        return obj.organisation_list


class RedLineIn(InputSchema):
    name: str
    explanation: str = ""
    sectors: list[str] = []
    keywords_de: list[str] = []
    keywords_en: list[str] = []
    organisations: list[str] = []


class SectorOut(Schema):
    code: str
    label: TextOut
    keywords_de: list[str]
    keywords_en: list[str]
    used: bool
    """Whether one of the collective's red lines names this sector."""


class ResponseOut(Schema):
    member: Ref
    choice: str
    reason: str
    updated_at: datetime


class DecisionOut(Schema):
    id: int
    question: str
    details: str
    deadline: datetime
    lead: int | None
    rule: str
    quorum_percent: int
    state: str
    outcome: str
    decided_at: datetime | None
    tally: dict[str, object]
    responses: list[ResponseOut]
    url: str

    @staticmethod
    def resolve_lead(obj: Decision) -> int | None:
        return obj.lead_id

    @staticmethod
    def resolve_tally(obj: Decision) -> dict[str, object]:
        if obj.tally:
            return dict(obj.tally)
        current = actions.current_tally(obj)
        return {
            "agree": current.agree,
            "abstain": current.abstain,
            "disagree": current.disagree,
            "block": current.block,
            "members": current.members,
            "quorum_reached": current.quorum_reached,
        }

    @staticmethod
    def resolve_responses(obj: Decision) -> list[ResponseOut]:
        return [
            ResponseOut(
                member=Ref(id=r.member.pk, name=r.member.display_name),
                choice=r.choice,
                reason=r.reason,
                updated_at=r.updated_at,
            )
            for r in obj.responses.select_related("member")
        ]

    @staticmethod
    def resolve_url(obj: Decision) -> str:
        return obj.get_absolute_url()


class DecisionIn(InputSchema):
    question: str
    deadline: datetime
    details: str = ""
    lead: int | None = None


class RespondIn(InputSchema):
    choice: str
    reason: str = ""


class ReferralOut(Schema):
    id: int
    direction: str
    """"incoming" or "outgoing", seen from the collective in the path."""
    from_collective: str
    to_collective: str
    state: str
    title: str
    client_name: str
    client_contact: str
    description: str
    message: str
    value_min: int | None
    value_max: int | None
    topic: str | None
    created_at: datetime
    answered_at: datetime | None
    answer_message: str
    lead: int | None
    """The lead in the caller's own workbench: the original, or the one created on accept."""


class ReferralIn(InputSchema):
    to_collective: str
    client_agreed: bool
    message: str = ""
    client_contact: str = ""


class ReferralAnswerIn(InputSchema):
    message: str = ""


class CandidateOut(Schema):
    collective: str
    name: str
    score: float
    reasons: list[dict[str, object]]


class LogEntryOut(Schema):
    from_collective: str
    to_collective: str
    topic: str | None
    referred_on: date
    state: str


class SettingsOut(Schema):
    stale_after_days: int
    decision_rule: str
    quorum_percent: int


class SettingsIn(InputSchema):
    stale_after_days: int = Field(ge=1, le=365)
    decision_rule: str
    quorum_percent: int = Field(ge=1, le=100)


class StageFiguresOut(Schema):
    stage: str
    count: int
    value_low: int
    value_high: int
    without_value: int


class MonthFiguresOut(Schema):
    month: date
    won: int
    lost: int


class SummaryOut(Schema):
    stages: list[StageFiguresOut]
    months: list[MonthFiguresOut]


# --- leads -----------------------------------------------------------------------------


def _leads(request: HttpRequest) -> LeadQuerySet:
    return (
        Lead.objects.filter(collective=_collective(request))
        .select_related("organisation", "contact", "referred_by_referral__from_collective")
        .prefetch_related("members", "topics")
    )


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    lead: Lead = get_object_or_404(_leads(request), pk=lead_id)
    return lead


def _lead_values(
    collective: Collective, payload: LeadIn | LeadPatch, base: LeadValues
) -> LeadValues:
    """The payload's fields over `base`, with ids and slugs looked up in the collective."""
    sent = payload.dict(exclude_unset=True) if isinstance(payload, LeadPatch) else payload.dict()
    changes: dict[str, Any] = {}
    for name, value in sent.items():
        if name in ("organisation", "contact"):
            model = Organisation if name == "organisation" else Contact
            found = model.objects.filter(collective=collective, pk=value).first() if value else None
            if value is not None and found is None:
                raise HttpError(422, f"{name}: no such {name} in this collective")
            changes[name] = found
        elif name == "topics":
            topics = list(Topic.objects.filter(slug__in=value))
            unknown = sorted(set(value) - {topic.slug for topic in topics})
            if unknown:
                raise HttpError(422, f"topics: unknown topic {unknown[0]!r}")
            changes[name] = topics
        elif name == "members":
            users = list(User.objects.filter(pk__in=value))
            if len(users) != len(set(value)):
                raise HttpError(422, "members: no such user")
            changes[name] = users
        elif value is None and isinstance(getattr(base, name), str):
            changes[name] = ""  # as an emptied form field
        else:
            changes[name] = value
    return replace(base, **changes)


@router.get("/{collective}/leads", response=answers(list[LeadOut], 401, 404, 422))
@paginate(Pagination)
def list_leads(
    request: HttpRequest,
    collective: str,
    stage: str = "",
    member: int | None = None,
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Lead]:
    """Leads of the collective: open ones unless `stage` is a stage, "closed" or "all"."""
    leads = _leads(request)
    if stage == "closed":
        leads = leads.closed()
    elif stage in Stage.values:
        leads = leads.filter(stage=stage)
    elif stage != "all":
        leads = leads.open()
    if member is not None:
        leads = leads.filter(members__pk=member)
    if overdue:
        leads = leads.overdue()
    terms = query_terms(q)
    if terms:
        leads = leads.matching_terms(terms)
    return leads.order_by("next_action_due", "-updated_at", "pk").distinct()


@router.post("/{collective}/leads", response=answers(LeadOut, 401, 403, 404, 422, status=201))
def create_lead(request: HttpRequest, collective: str, payload: LeadIn) -> Status[Lead]:
    group = _collective(request)
    values = _lead_values(group, payload, LeadValues(title=payload.title))
    try:
        lead = actions.do_create_lead(collective=group, user=request_user(request), values=values)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, _lead(request, lead.pk))


@router.get("/{collective}/leads/{lead_id}", response=answers(LeadOut, 401, 404, 422))
def get_lead(request: HttpRequest, collective: str, lead_id: int) -> Lead:
    return _lead(request, lead_id)


@router.patch("/{collective}/leads/{lead_id}", response=answers(LeadOut, 401, 403, 404, 422))
def update_lead(request: HttpRequest, collective: str, lead_id: int, payload: LeadPatch) -> Lead:
    lead = _lead(request, lead_id)
    values = _lead_values(_collective(request), payload, LeadValues.of(lead))
    try:
        actions.do_update_lead(lead=lead, user=request_user(request), values=values)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _lead(request, lead.pk)


@router.post(
    "/{collective}/leads/{lead_id}/move", response=answers(LeadOut, 401, 403, 404, 409, 422)
)
def move_lead(request: HttpRequest, collective: str, lead_id: int, payload: MoveIn) -> Lead:
    lead = _lead(request, lead_id)
    try:
        actions.do_move_lead(
            lead=lead,
            user=request_user(request),
            from_stage=payload.from_stage,
            to_stage=payload.to_stage,
        )
    except actions.WorkbenchError as exc:
        raise _conflict(exc) from exc
    return _lead(request, lead.pk)


@router.post(
    "/{collective}/leads/{lead_id}/close", response=answers(LeadOut, 401, 403, 404, 409, 422)
)
def close_lead(request: HttpRequest, collective: str, lead_id: int, payload: CloseIn) -> Lead:
    lead = _lead(request, lead_id)
    try:
        actions.do_close_lead(
            lead=lead, user=request_user(request), stage=payload.stage, reason=payload.reason
        )
    except actions.WorkbenchError as exc:
        raise _conflict(exc) from exc
    return _lead(request, lead.pk)


@router.get(
    "/{collective}/leads/{lead_id}/activities", response=answers(list[ActivityOut], 401, 404, 422)
)
@paginate(Pagination)
def list_activities(request: HttpRequest, collective: str, lead_id: int) -> QuerySet[Activity]:
    return _lead(request, lead_id).activities.select_related("by", "contact")


@router.post(
    "/{collective}/leads/{lead_id}/activities",
    response=answers(ActivityOut, 401, 403, 404, 422, status=201),
)
def log_activity(
    request: HttpRequest, collective: str, lead_id: int, payload: ActivityIn
) -> Status[Activity]:
    lead = _lead(request, lead_id)
    if payload.kind not in ActivityKind.values:
        raise HttpError(422, f"kind: use one of {', '.join(ActivityKind.values)}")
    contact = None
    if payload.contact is not None:
        contact = Contact.objects.filter(
            collective=_collective(request), pk=payload.contact
        ).first()
        if contact is None:
            raise HttpError(422, "contact: no such contact in this collective")
    try:
        activity = actions.do_log_activity(
            lead=lead,
            user=request_user(request),
            kind=payload.kind,
            text=payload.text,
            occurred_at=payload.occurred_at,
            contact=contact,
        )
    except actions.WorkbenchError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, activity)


def _screening(lead: Lead) -> dict[str, object]:
    return {
        "is_flagged": lead.is_flagged,
        "screened_at": lead.screened_at,
        "hits": [HitOut.from_hit(hit) for hit in lead.hits],
        "overrides": list(lead.screening_overrides.select_related("by")),
    }


@router.get(
    "/{collective}/leads/{lead_id}/screening", response=answers(ScreeningOut, 401, 404, 422)
)
def get_screening(request: HttpRequest, collective: str, lead_id: int) -> dict[str, object]:
    """The red-line hits on a lead, with their evidence, and the overrides so far."""
    return _screening(_lead(request, lead_id))


@router.post(
    "/{collective}/leads/{lead_id}/screening/override",
    response=answers(ScreeningOut, 401, 403, 404, 422),
)
def override_screening(
    request: HttpRequest, collective: str, lead_id: int, payload: OverrideIn
) -> dict[str, object]:
    lead = _lead(request, lead_id)
    try:
        actions.do_override_screening(lead=lead, user=request_user(request), reason=payload.reason)
    except actions.WorkbenchError as exc:
        raise HttpError(422, str(exc)) from exc
    return _screening(_lead(request, lead_id))


# --- referrals -------------------------------------------------------------------------


def _referral_out(referral: Referral, collective: Collective) -> ReferralOut:
    incoming = referral.to_collective_id == collective.pk
    return ReferralOut(
        id=referral.pk,
        direction="incoming" if incoming else "outgoing",
        from_collective=referral.from_collective.slug,
        to_collective=referral.to_collective.slug,
        state=referral.state,
        title=referral.title,
        client_name=referral.client_name,
        client_contact=referral.client_contact,
        description=referral.description,
        message=referral.message,
        value_min=referral.value_min,
        value_max=referral.value_max,
        topic=referral.topic.slug if referral.topic else None,
        created_at=referral.created_at,
        answered_at=referral.answered_at,
        answer_message=referral.answer_message,
        lead=referral.new_lead_id if incoming else referral.lead_id,
    )


def _referrals(request: HttpRequest) -> ReferralQuerySet:
    return Referral.objects.involving(_collective(request)).select_related(
        "from_collective", "to_collective", "topic"
    )


@router.get(
    "/{collective}/leads/{lead_id}/referral-candidates",
    response=answers(list[CandidateOut], 401, 404, 422),
)
def referral_candidates(
    request: HttpRequest, collective: str, lead_id: int, limit: int = 8
) -> list[dict[str, object]]:
    """Collectives that could take the lead, best first, with the matching engine's reasons."""
    lead = _lead(request, lead_id)
    ranked = candidates.rank_collectives_for_lead(
        lead, user=request_user(request), limit=min(max(limit, 1), 30)
    )
    return [
        {
            "collective": match.obj.slug,
            "name": match.obj.name,
            "score": match.score,
            "reasons": [reason.as_dict() for reason in match.reasons],
        }
        for match in ranked
    ]


@router.post(
    "/{collective}/leads/{lead_id}/referrals",
    response=answers(ReferralOut, 401, 403, 404, 409, 422, status=201),
)
def refer_lead(
    request: HttpRequest, collective: str, lead_id: int, payload: ReferralIn
) -> Status[ReferralOut]:
    lead = _lead(request, lead_id)
    user = request_user(request)
    target = Collective.objects.active().visible_to(user).filter(slug=payload.to_collective).first()
    if target is None:
        raise HttpError(422, "to_collective: no such collective")
    try:
        referral = actions.do_refer_lead(
            lead=lead,
            user=user,
            to_collective=target,
            client_agreed=payload.client_agreed,
            message=payload.message,
            client_contact=payload.client_contact,
        )
    except actions.WorkbenchError as exc:
        raise HttpError(409 if "already" in str(exc) else 422, str(exc)) from exc
    return Status(201, _referral_out(referral, _collective(request)))


@router.get("/{collective}/referrals", response=answers(list[ReferralOut], 401, 404, 422))
@paginate(Pagination)
def list_referrals(request: HttpRequest, collective: str, direction: str = "") -> list[ReferralOut]:
    group = _collective(request)
    referrals = _referrals(request)
    if direction == "incoming":
        referrals = referrals.filter(to_collective=group)
    elif direction == "outgoing":
        referrals = referrals.filter(from_collective=group)
    return [_referral_out(r, group) for r in referrals.order_by("-created_at", "-pk")]


@router.get("/{collective}/referrals/{referral_id}", response=answers(ReferralOut, 401, 404, 422))
def get_referral(request: HttpRequest, collective: str, referral_id: int) -> ReferralOut:
    return _referral_out(
        get_object_or_404(_referrals(request), pk=referral_id), _collective(request)
    )


def _answer(request: HttpRequest, referral_id: int, accept: bool, message: str) -> ReferralOut:
    referral = get_object_or_404(_referrals(request), pk=referral_id)
    try:
        actions.do_answer_referral(
            referral_id=referral.pk, user=request_user(request), accept=accept, message=message
        )
    except actions.WorkbenchError as exc:
        raise _conflict(exc) from exc
    return _referral_out(
        get_object_or_404(_referrals(request), pk=referral_id), _collective(request)
    )


@router.post(
    "/{collective}/referrals/{referral_id}/accept",
    response=answers(ReferralOut, 401, 403, 404, 409, 422),
)
def accept_referral(
    request: HttpRequest, collective: str, referral_id: int, payload: ReferralAnswerIn
) -> ReferralOut:
    return _answer(request, referral_id, True, payload.message)


@router.post(
    "/{collective}/referrals/{referral_id}/decline",
    response=answers(ReferralOut, 401, 403, 404, 409, 422),
)
def decline_referral(
    request: HttpRequest, collective: str, referral_id: int, payload: ReferralAnswerIn
) -> ReferralOut:
    return _answer(request, referral_id, False, payload.message)


@router.post(
    "/{collective}/referrals/{referral_id}/withdraw",
    response=answers(ReferralOut, 401, 403, 404, 409, 422),
)
def withdraw_referral(request: HttpRequest, collective: str, referral_id: int) -> ReferralOut:
    referral = get_object_or_404(_referrals(request), pk=referral_id)
    try:
        actions.do_withdraw_referral(referral_id=referral.pk, user=request_user(request))
    except actions.WorkbenchError as exc:
        raise _conflict(exc) from exc
    return _referral_out(
        get_object_or_404(_referrals(request), pk=referral_id), _collective(request)
    )


@router.get("/{collective}/referral-log", response=answers(list[LogEntryOut], 401, 404, 422))
@paginate(Pagination)
def referral_log(request: HttpRequest, collective: str) -> list[LogEntryOut]:
    """The collective's part of the network's referral log: no titles, clients or people."""
    group = _collective(request)
    entries = (
        ReferralLogEntry.objects.filter(from_collective=group)
        | ReferralLogEntry.objects.filter(to_collective=group)
    ).select_related("from_collective", "to_collective", "topic")
    return [
        LogEntryOut(
            from_collective=e.from_collective.slug,
            to_collective=e.to_collective.slug,
            topic=e.topic.slug if e.topic else None,
            referred_on=e.referred_on,
            state=e.state,
        )
        for e in entries.order_by("-referred_on", "-pk")
    ]


# --- decisions -------------------------------------------------------------------------


def _decisions(request: HttpRequest) -> QuerySet[Decision]:
    return Decision.objects.filter(collective=_collective(request))


@router.get("/{collective}/decisions", response=answers(list[DecisionOut], 401, 404, 422))
@paginate(Pagination)
def list_decisions(request: HttpRequest, collective: str, state: str = "") -> QuerySet[Decision]:
    decisions = _decisions(request)
    if state:
        decisions = decisions.filter(state=state)
    return decisions.order_by("-opened_at", "-pk")


@router.post(
    "/{collective}/decisions", response=answers(DecisionOut, 401, 403, 404, 422, status=201)
)
def open_decision(request: HttpRequest, collective: str, payload: DecisionIn) -> Status[Decision]:
    group = _collective(request)
    lead = None
    if payload.lead is not None:
        lead = Lead.objects.filter(collective=group, pk=payload.lead).first()
        if lead is None:
            raise HttpError(422, "lead: no such lead in this collective")
    deadline = payload.deadline
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    try:
        decision = actions.do_open_decision(
            collective=group,
            user=request_user(request),
            question=payload.question,
            details=payload.details,
            deadline=deadline,
            lead=lead,
        )
    except actions.WorkbenchError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, decision)


@router.get("/{collective}/decisions/{decision_id}", response=answers(DecisionOut, 401, 404, 422))
def get_decision(request: HttpRequest, collective: str, decision_id: int) -> Decision:
    return get_object_or_404(_decisions(request), pk=decision_id)


@router.post(
    "/{collective}/decisions/{decision_id}/respond",
    response=answers(DecisionOut, 401, 403, 404, 409, 422),
)
def respond_to_decision(
    request: HttpRequest, collective: str, decision_id: int, payload: RespondIn
) -> Decision:
    """Give or change one's response: agree, abstain, disagree or block (with a reason)."""
    decision = get_object_or_404(_decisions(request), pk=decision_id)
    try:
        actions.do_respond_to_decision(
            decision_id=decision.pk,
            user=request_user(request),
            choice=payload.choice,
            reason=payload.reason,
        )
    except actions.WorkbenchError as exc:
        status = 409 if "closed" in str(exc) else 422
        raise HttpError(status, str(exc)) from exc
    return get_object_or_404(_decisions(request), pk=decision_id)


class CommentOut(Schema):
    id: int
    author: Ref | None
    """None once the author deleted their account ("former member")."""
    text: str
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime

    @staticmethod
    def resolve_author(obj: DecisionComment) -> Ref | None:
        if obj.author is None or obj.author.is_deleted:
            return None
        return Ref(id=obj.author.pk, name=obj.author.display_name)

    @staticmethod
    def resolve_editable_until(obj: DecisionComment) -> datetime:
        return obj.created_at + COMMENT_EDIT_WINDOW


class CommentIn(InputSchema):
    text: str


def _decision_of(request: HttpRequest, decision_id: int) -> Decision:
    return get_object_or_404(_decisions(request), pk=decision_id)


@router.get(
    "/{collective}/decisions/{decision_id}/comments",
    response=answers(list[CommentOut], 401, 404, 422),
)
@paginate(Pagination)
def list_decision_comments(
    request: HttpRequest, collective: str, decision_id: int
) -> QuerySet[DecisionComment]:
    """The decision's discussion, oldest first."""
    decision = _decision_of(request, decision_id)
    return DecisionComment.objects.filter(decision=decision).for_thread()


@router.post(
    "/{collective}/decisions/{decision_id}/comments",
    response=answers(CommentOut, 401, 403, 404, 422, status=201),
)
def comment_on_decision(
    request: HttpRequest, collective: str, decision_id: int, payload: CommentIn
) -> Status[DecisionComment]:
    """Add a comment to the decision's discussion (plain text, at most 5,000 characters)."""
    decision = _decision_of(request, decision_id)
    try:
        comment = actions.do_comment_on_decision(
            decision=decision, user=request_user(request), text=payload.text
        )
    except actions.WorkbenchError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, comment)


def _own_comment_or_404(request: HttpRequest, decision_id: int, comment_id: int) -> DecisionComment:
    decision = _decision_of(request, decision_id)
    return get_object_or_404(
        DecisionComment.objects.filter(decision=decision).select_related("author"), pk=comment_id
    )


def _check_changeable(request: HttpRequest, comment: DecisionComment) -> None:
    user = request_user(request)
    if comment.author_id != user.pk:
        raise HttpError(403, "Only its author can change a comment.")
    if not comment.can_be_changed_by(user):
        raise HttpError(403, "The time to change this comment has passed.")


@router.patch(
    "/{collective}/decisions/{decision_id}/comments/{comment_id}",
    response=answers(CommentOut, 401, 403, 404, 422),
)
def edit_decision_comment(
    request: HttpRequest, collective: str, decision_id: int, comment_id: int, payload: CommentIn
) -> DecisionComment:
    """Change one's own comment, within 24 hours of writing it."""
    comment = _own_comment_or_404(request, decision_id, comment_id)
    _check_changeable(request, comment)
    try:
        return actions.do_edit_decision_comment(
            comment_id=comment.pk, user=request_user(request), text=payload.text
        )
    except actions.WorkbenchError as exc:
        raise HttpError(422, str(exc)) from exc


@router.delete(
    "/{collective}/decisions/{decision_id}/comments/{comment_id}",
    response=answers(None, 401, 403, 404, 422, status=204),
)
def delete_decision_comment(
    request: HttpRequest, collective: str, decision_id: int, comment_id: int
) -> Status[None]:
    """Delete one's own comment, within 24 hours of writing it."""
    comment = _own_comment_or_404(request, decision_id, comment_id)
    _check_changeable(request, comment)
    try:
        actions.do_delete_decision_comment(comment_id=comment.pk, user=request_user(request))
    except actions.WorkbenchError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(204, None)


# --- red lines -------------------------------------------------------------------------


def _save_red_line(
    request: HttpRequest, payload: RedLineIn, red_line: RedLine | None = None
) -> RedLine:
    values = RedLineValues(
        name=payload.name,
        explanation=payload.explanation,
        sectors=payload.sectors,
        keywords_de="\n".join(payload.keywords_de),
        keywords_en="\n".join(payload.keywords_en),
        organisations="\n".join(payload.organisations),
    )
    try:
        return actions.do_save_red_line(
            collective=_collective(request),
            user=request_user(request),
            values=values,
            red_line=red_line,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc


@router.get("/{collective}/sectors", response=answers(list[SectorOut], 401, 404, 422))
def list_sectors(request: HttpRequest, collective: str) -> list[SectorOut]:
    """The fixed sector catalogue a red line can name, with its keywords."""
    used: set[str] = set()
    for red_line in RedLine.objects.filter(collective=_collective(request)):
        used.update(red_line.sector_codes)
    return [
        SectorOut(
            code=sector.code,
            label=TextOut(en=sector.label.en, de=sector.label.de),
            keywords_de=[k.text for k in sector.keywords if k.language == "de"],
            keywords_en=[k.text for k in sector.keywords if k.language == "en"],
            used=sector.code in used,
        )
        for sector in SECTORS.values()
    ]


@router.get("/{collective}/red-lines", response=answers(list[RedLineOut], 401, 404, 422))
def list_red_lines(request: HttpRequest, collective: str) -> QuerySet[RedLine]:
    return RedLine.objects.filter(collective=_collective(request))


@router.post(
    "/{collective}/red-lines", response=answers(RedLineOut, 401, 403, 404, 422, status=201)
)
def create_red_line(request: HttpRequest, collective: str, payload: RedLineIn) -> Status[RedLine]:
    return Status(201, _save_red_line(request, payload))


@router.get("/{collective}/red-lines/{red_line_id}", response=answers(RedLineOut, 401, 404, 422))
def get_red_line(request: HttpRequest, collective: str, red_line_id: int) -> RedLine:
    return get_object_or_404(
        RedLine.objects.filter(collective=_collective(request)), pk=red_line_id
    )


@router.put(
    "/{collective}/red-lines/{red_line_id}", response=answers(RedLineOut, 401, 403, 404, 422)
)
def update_red_line(
    request: HttpRequest, collective: str, red_line_id: int, payload: RedLineIn
) -> RedLine:
    red_line = get_object_or_404(
        RedLine.objects.filter(collective=_collective(request)), pk=red_line_id
    )
    return _save_red_line(request, payload, red_line)


@router.delete(
    "/{collective}/red-lines/{red_line_id}", response=answers(None, 401, 403, 404, 422, status=204)
)
def delete_red_line(request: HttpRequest, collective: str, red_line_id: int) -> Status[None]:
    red_line = get_object_or_404(
        RedLine.objects.filter(collective=_collective(request)), pk=red_line_id
    )
    actions.do_delete_red_line(red_line=red_line, user=request_user(request))
    return Status(204, None)


# --- settings and summary --------------------------------------------------------------


@router.get("/{collective}/settings", response=answers(SettingsOut, 401, 404, 422))
def get_settings(request: HttpRequest, collective: str) -> WorkbenchSettings:
    return WorkbenchSettings.for_collective(_collective(request))


@router.put("/{collective}/settings", response=answers(SettingsOut, 401, 403, 404, 422))
def update_settings(
    request: HttpRequest, collective: str, payload: SettingsIn
) -> WorkbenchSettings:
    values = actions.SettingsValues(
        stale_after_days=payload.stale_after_days,
        decision_rule=payload.decision_rule,
        quorum_percent=payload.quorum_percent,
    )
    try:
        return actions.do_save_settings(
            collective=_collective(request), user=request_user(request), values=values
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc


@router.get(
    "/{collective}/export",
    response=answers(None, 401, 404, 422),
    openapi_extra={
        "responses": {
            200: {
                "description": "The workbench archive (.zip), as the page's download.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_workbench(request: HttpRequest, collective: str) -> HttpResponse:
    """The collective's workbench as one .zip: contacts (vCard 4, CSV), leads with activities
    and decisions (JSON, CSV), red lines, referrals and settings."""
    return archive_response(_collective(request))


@router.get("/{collective}/summary", response=answers(SummaryOut, 401, 404, 422))
def pipeline_summary(request: HttpRequest, collective: str) -> SummaryOut:
    """Leads and value ranges per stage; won and lost per month over the last 12 months."""
    group = _collective(request)
    return SummaryOut(
        stages=[StageFiguresOut(**vars(s)) for s in summary.stage_figures(group)],
        months=[
            MonthFiguresOut(month=m.month, won=m.won, lost=m.lost)
            for m in summary.month_figures(group)
        ],
    )
