"""JSON API of the tenders app, mounted at /api/v1/tenders.

Tenders themselves are public procurement data: any signed-in caller may read them and search
the CPV codes. A collective's tender profile and inbox are private to its members, exactly as
the pages: paths that start with the collective's slug check membership before anything else
(404 for everyone else, whatever the body; 401 for anonymous callers), and inbox entries are
looked up within the collective. Consortia are looked up among those the collective is invited
to or takes part in (404 otherwise); their answers show the shared page's facts only, never a
member's leads, red lines or screening.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.collectives.access import collective_member, request_collective
from klinke.collectives.models import Collective
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, SearchText, answers
from klinke.core.languages import interface_language
from klinke.screening import Hit
from klinke.tenders import actions, consortia, cpv
from klinke.tenders.actions import ProfileValues
from klinke.tenders.models import (
    DEFAULT_LEAD_DAYS,
    Consortium,
    ConsortiumMember,
    EntryState,
    InboxEntry,
    InboxEntryQuerySet,
    Tender,
    TenderProfile,
    TenderState,
)
from klinke.tenders.presenting import reason_texts
from klinke.tenders.suggestions import suggest_collectives

router = Router(tags=["tenders"])
login = TokenOrSessionRequired()


# --- schemas ---------------------------------------------------------------------------


class TenderTextOut(Schema):
    en: str
    de: str


class TenderDeadlineOut(Schema):
    utc: datetime
    written: str
    kind: str
    placeholder: bool


class TenderLotOut(Schema):
    id: str
    title: dict[str, str]
    cpv: list[str]
    nuts: list[str]
    deadline: datetime | None
    estimated_value: Decimal | None
    currency: str


class TenderNoticeOut(Schema):
    notice_id: str
    version: str
    role: str
    notice_type: str
    issue_date: date | None
    source_name: str
    source_member: str
    sha256: str
    imported_at: datetime


class TenderOut(Schema):
    id: int
    procedure_id: str
    state: str
    publication_number: str
    notice_type: str
    procedure_type: str
    language: str
    title: dict[str, str]
    description: dict[str, str]
    buyer_name: str
    buyer_country: str
    cpv_main: str
    cpv_additional: list[str]
    nuts: list[str]
    countries: list[str]
    anywhere: bool
    deadline: TenderDeadlineOut | None
    estimated_value: Decimal | None
    currency: str
    documents_url: str
    cancellation_reason: str
    lots: list[TenderLotOut]

    @staticmethod
    def of(tender: Tender) -> TenderOut:
        deadline = (
            TenderDeadlineOut(
                utc=tender.deadline,
                written=tender.deadline_written,
                kind=tender.deadline_kind,
                placeholder=tender.deadline_placeholder,
            )
            if tender.deadline is not None
            else None
        )
        return TenderOut(
            id=tender.pk,
            procedure_id=tender.procedure_id,
            state=tender.state,
            publication_number=tender.publication_number,
            notice_type=tender.notice_type,
            procedure_type=tender.procedure_type,
            language=tender.language,
            title=tender.title,
            description=tender.description,
            buyer_name=tender.buyer_name,
            buyer_country=tender.buyer_country,
            cpv_main=tender.cpv_main,
            cpv_additional=tender.cpv_additional,
            nuts=tender.nuts,
            countries=tender.countries,
            anywhere=tender.anywhere,
            deadline=deadline,
            estimated_value=tender.estimated_value,
            currency=tender.currency,
            documents_url=tender.documents_url,
            cancellation_reason=tender.cancellation_reason,
            lots=[
                TenderLotOut(
                    id=lot.lot_id,
                    title=lot.title,
                    cpv=lot.cpv,
                    nuts=lot.nuts,
                    deadline=lot.deadline,
                    estimated_value=lot.estimated_value,
                    currency=lot.currency,
                )
                for lot in tender.lots.all()
            ],
        )


class TenderDetailOut(TenderOut):
    notices: list[TenderNoticeOut]


class CpvOut(Schema):
    code: str
    en: str
    de: str


class TenderProfileOut(Schema):
    saved: bool
    """False while the collective has no profile: the values are the prefilled suggestion."""
    cpv_codes: list[CpvOut]
    keywords_de: str
    keywords_en: str
    regions: list[str]
    remote_ok: bool
    value_min: int | None
    value_max: int | None
    languages: list[str]
    lead_days_before_deadline: int
    digest: bool

    @staticmethod
    def of(profile: TenderProfile) -> TenderProfileOut:
        return TenderProfileOut(
            saved=profile.pk is not None,
            cpv_codes=[_cpv(code) for code in profile.cpv_codes],
            keywords_de=profile.keywords_de,
            keywords_en=profile.keywords_en,
            regions=profile.regions,
            remote_ok=profile.remote_ok,
            value_min=profile.value_min,
            value_max=profile.value_max,
            languages=profile.languages,
            lead_days_before_deadline=profile.lead_days_before_deadline,
            digest=profile.digest,
        )


class TenderProfileIn(InputSchema):
    cpv_codes: list[str] = Field(default_factory=list, max_length=200)
    keywords_de: str = Field("", max_length=2000)
    keywords_en: str = Field("", max_length=2000)
    regions: list[str] = Field(default_factory=list, max_length=100)
    remote_ok: bool = False
    value_min: int | None = Field(None, ge=0, le=2_000_000_000)
    value_max: int | None = Field(None, ge=0, le=2_000_000_000)
    languages: list[str] = Field(default_factory=list, max_length=30)
    lead_days_before_deadline: int = Field(DEFAULT_LEAD_DAYS, ge=0, le=90)
    digest: bool = True


class TenderHitOut(Schema):
    red_line: int
    red_line_name: str
    kind: str
    criterion: str
    field: str
    matched: str
    text: TenderTextOut

    @staticmethod
    def of(hit: Hit) -> TenderHitOut:
        return TenderHitOut(
            red_line=int(hit.red_line),
            red_line_name=hit.red_line_name,
            kind=hit.kind,
            criterion=hit.criterion,
            field=hit.field,
            matched=hit.matched,
            text=TenderTextOut(en=hit.text("en"), de=hit.text("de")),
        )


class FitReasonOut(Schema):
    kind: str
    value: str


class InboxEntryOut(Schema):
    id: int
    state: str
    score: float
    reasons: list[FitReasonOut]
    reason_texts: list[TenderTextOut]
    """The reasons with the deadline and value, as the inbox writes them."""
    screening_state: str
    """"clean", "flagged" or "not-screened" (no text in a language screening knows)."""
    is_flagged: bool
    screening_hits: list[TenderHitOut]
    dismiss_reason: str
    lead: int | None
    tender: TenderOut

    @staticmethod
    def of(entry: InboxEntry) -> InboxEntryOut:
        now = timezone.now()
        texts: dict[str, list[str]] = {}
        for lang in ("en", "de"):
            with translation.override(lang):
                texts[lang] = reason_texts(entry.tender, entry.reasons, now)
        return InboxEntryOut(
            id=entry.pk,
            state=entry.state,
            score=entry.score,
            reasons=[FitReasonOut(kind=r["kind"], value=r["value"]) for r in entry.reasons],
            reason_texts=[
                TenderTextOut(en=en, de=de) for en, de in zip(texts["en"], texts["de"], strict=True)
            ],
            screening_state=entry.screening_state,
            is_flagged=entry.is_flagged,
            screening_hits=[TenderHitOut.of(hit) for hit in entry.hits],
            dismiss_reason=entry.dismiss_reason,
            lead=entry.lead_id,
            tender=TenderOut.of(entry.tender),
        )


class TenderReasonIn(InputSchema):
    reason: str = Field(max_length=2000)


class TenderLeadOut(Schema):
    id: int
    title: str
    next_action_due: date | None


def _cpv(code: str) -> CpvOut:
    found = cpv.codes().get(code)
    return CpvOut(code=code, en=found.en if found else "", de=found.de if found else "")


def _entries(request: HttpRequest) -> InboxEntryQuerySet:
    return InboxEntry.objects.filter(collective=request_collective(request)).for_inbox()


def _entry(request: HttpRequest, entry_id: int) -> InboxEntry:
    return get_object_or_404(_entries(request), pk=entry_id)


def _conflict(exc: actions.TenderError) -> HttpError:
    return HttpError(409, str(exc))


# --- tenders (public data, for signed-in callers) ---------------------------------------


@router.get("/", response=answers(list[TenderOut], 401, 422), auth=login)
@paginate(Pagination)
def list_tenders(request: HttpRequest, state: str = TenderState.OPEN) -> list[TenderOut]:
    """Tenders by deadline: open ones unless `state` is "closed", "cancelled" or "all"."""
    tenders = Tender.objects.prefetch_related("lots").order_by("deadline", "pk")
    if state in TenderState.values:
        tenders = tenders.filter(state=state)
    return [TenderOut.of(t) for t in tenders]


@router.get("/cpv", response=answers(list[CpvOut], 401, 422), auth=login)
def search_cpv(request: HttpRequest, q: SearchText = "") -> list[CpvOut]:
    """CPV codes whose code starts with `q`, or whose German or English label holds its words."""
    return [CpvOut(code=c.code, en=c.en, de=c.de) for c in cpv.search(q, limit=50)]


@router.get("/{tender_id}", response=answers(TenderDetailOut, 401, 404, 422), auth=login)
def get_tender(request: HttpRequest, tender_id: int) -> TenderDetailOut:
    """One tender, with the notices it was built from and their provenance."""
    tender = get_object_or_404(Tender.objects.prefetch_related("lots", "notices"), pk=tender_id)
    return TenderDetailOut(
        **TenderOut.of(tender).model_dump(),
        notices=[
            TenderNoticeOut(
                notice_id=n.notice_id,
                version=n.version,
                role=n.role,
                notice_type=n.notice_type,
                issue_date=n.issue_date,
                source_name=n.source_name,
                source_member=n.source_member,
                sha256=n.sha256,
                imported_at=n.imported_at,
            )
            for n in tender.notices.all()
        ],
    )


# --- a collective's profile and inbox (members only) -------------------------------------


@router.get(
    "/{collective}/profile", response=answers(TenderProfileOut, 401, 404), auth=collective_member
)
def get_profile(request: HttpRequest, collective: str) -> TenderProfileOut:
    """The collective's tender profile, or (``saved`` false) the prefilled suggestion."""
    return TenderProfileOut.of(actions.prefilled_profile(request_collective(request)))


@router.put(
    "/{collective}/profile",
    response=answers(TenderProfileOut, 401, 403, 404, 422),
    auth=collective_member,
)
def put_profile(
    request: HttpRequest, collective: str, payload: TenderProfileIn
) -> TenderProfileOut:
    """Create or replace the profile; the inbox is refreshed."""
    try:
        profile = actions.do_save_tender_profile(
            collective=request_collective(request),
            user=request_user(request),
            values=ProfileValues(**payload.model_dump()),
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise HttpError(422, f"{field}: {messages[0]}") from exc
    return TenderProfileOut.of(profile)


@router.get(
    "/{collective}/inbox",
    response=answers(list[InboxEntryOut], 401, 404, 422),
    auth=collective_member,
)
@paginate(Pagination)
def list_inbox(request: HttpRequest, collective: str, show: str = EntryState.NEW) -> Any:
    """Fitting tenders, best first: new ones, or those marked "dismissed", or made "lead"."""
    entries: QuerySet[InboxEntry] = _entries(request).filter(
        state=show if show in EntryState.values else EntryState.NEW
    )
    if show not in (EntryState.DISMISSED, EntryState.LEAD):
        entries = entries.filter(fits=True, tender__state=TenderState.OPEN)
    return [InboxEntryOut.of(e) for e in entries.order_by("-score", "pk")]


@router.get(
    "/{collective}/inbox/{entry_id}",
    response=answers(InboxEntryOut, 401, 404, 422),
    auth=collective_member,
)
def get_entry(request: HttpRequest, collective: str, entry_id: int) -> InboxEntryOut:
    return InboxEntryOut.of(_entry(request, entry_id))


@router.post(
    "/{collective}/inbox/{entry_id}/dismiss",
    response=answers(InboxEntryOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def dismiss_entry(
    request: HttpRequest, collective: str, entry_id: int, payload: TenderReasonIn
) -> InboxEntryOut:
    """Mark as not interesting; the reason is shown and tunes nothing."""
    entry = _entry(request, entry_id)
    try:
        actions.do_dismiss_entry(entry=entry, user=request_user(request), reason=payload.reason)
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return InboxEntryOut.of(_entry(request, entry_id))


@router.post(
    "/{collective}/inbox/{entry_id}/restore",
    response=answers(InboxEntryOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def restore_entry(request: HttpRequest, collective: str, entry_id: int) -> InboxEntryOut:
    entry = _entry(request, entry_id)
    try:
        actions.do_restore_entry(entry=entry, user=request_user(request))
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return InboxEntryOut.of(_entry(request, entry_id))


@router.post(
    "/{collective}/inbox/{entry_id}/lead",
    response=answers(TenderLeadOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def turn_into_lead(request: HttpRequest, collective: str, entry_id: int) -> Status[TenderLeadOut]:
    """Make a workbench lead of the tender, due the profile's days before the deadline."""
    entry = _entry(request, entry_id)
    language = interface_language()
    try:
        lead = actions.do_turn_entry_into_lead(
            entry=entry, user=request_user(request), language=language
        )
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return Status(
        201, TenderLeadOut(id=lead.pk, title=lead.title, next_action_due=lead.next_action_due)
    )


@router.post(
    "/{collective}/inbox/{entry_id}/screening/override",
    response=answers(InboxEntryOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def override_screening(
    request: HttpRequest, collective: str, entry_id: int, payload: TenderReasonIn
) -> InboxEntryOut:
    entry = _entry(request, entry_id)
    try:
        actions.do_override_tender_screening(
            entry=entry, user=request_user(request), reason=payload.reason
        )
    except actions.TenderError as exc:
        raise HttpError(422, str(exc)) from exc
    return InboxEntryOut.of(_entry(request, entry_id))


# --- consortia (members of every member collective) ----------------------------------------


class ConsortiumMemberOut(Schema):
    collective: str
    """The member collective's slug."""
    name: str
    state: str
    """"invited", "accepted", "declined" or "left"."""
    share: Decimal | None
    lots: list[str]
    contact_name: str
    contact_email: str
    decision_state: str
    """Its own "do we bid together?" decision: "open", "decided", or "" while there is none."""
    decision_outcome: str
    invited_at: datetime
    answered_at: datetime | None


class ConsortiumOut(Schema):
    id: int
    tender: TenderOut
    initiator: str
    state: str
    shares_total: Decimal
    members: list[ConsortiumMemberOut]

    @staticmethod
    def of(consortium: Consortium) -> ConsortiumOut:
        members = list(consortium.members.all())
        return ConsortiumOut(
            id=consortium.pk,
            tender=TenderOut.of(consortium.tender),
            initiator=consortium.initiator.slug,
            state=consortium.state,
            shares_total=sum(
                (m.share or Decimal(0) for m in members if m.is_taking_part), Decimal(0)
            ),
            members=[
                ConsortiumMemberOut(
                    collective=m.collective.slug,
                    name=m.collective.name,
                    state=m.state,
                    share=m.share,
                    lots=[t.lot.lot_id for t in m.taken_lots.all()],
                    contact_name=m.contact.display_name if m.contact else "",
                    contact_email=m.contact.email if m.contact else "",
                    decision_state=m.decision.state if m.decision else "",
                    decision_outcome=m.decision.outcome if m.decision else "",
                    invited_at=m.invited_at,
                    answered_at=m.answered_at,
                )
                for m in members
            ],
        )


class ConsortiumIn(InputSchema):
    tender_id: int


class ConsortiumInviteIn(InputSchema):
    collective: str = Field(max_length=100)
    """The slug of the collective to invite."""
    message: str = Field("", max_length=2000)


class ConsortiumPartIn(InputSchema):
    lots: list[str] = Field(default_factory=list, max_length=500)
    """Lot ids of the tender (``LOT-0001``)."""
    share: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    """Percent."""


class ConsortiumAnswerIn(ConsortiumPartIn):
    accept: bool


class ConsortiumStateIn(InputSchema):
    state: str = Field(max_length=16)


class SuggestionOut(Schema):
    collective: str
    name: str
    score: float
    reasons: list[TenderTextOut]


def _consortium(request: HttpRequest, consortium_id: int) -> Consortium:
    return get_object_or_404(
        Consortium.objects.seen_by(request_collective(request)).for_page(), pk=consortium_id
    )


def _own(request: HttpRequest, consortium: Consortium) -> ConsortiumMember:
    collective = request_collective(request)
    return next(m for m in consortium.members.all() if m.collective_id == collective.pk)


def _fresh(request: HttpRequest, consortium_id: int) -> ConsortiumOut:
    return ConsortiumOut.of(_consortium(request, consortium_id))


@router.get(
    "/{collective}/consortia",
    response=answers(list[ConsortiumOut], 401, 404),
    auth=collective_member,
)
def list_consortia(request: HttpRequest, collective: str) -> list[ConsortiumOut]:
    """Consortia the collective takes part in or is invited to, newest first."""
    found = Consortium.objects.seen_by(request_collective(request)).for_page()
    return [ConsortiumOut.of(c) for c in found]


@router.post(
    "/{collective}/consortia",
    response=answers(ConsortiumOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def start_consortium(
    request: HttpRequest, collective: str, payload: ConsortiumIn
) -> Status[ConsortiumOut]:
    """Start a consortium for an open tender; the tender becomes the collective's lead."""
    tender = get_object_or_404(Tender, pk=payload.tender_id)
    try:
        consortium = consortia.do_start_consortium(
            tender=tender,
            collective=request_collective(request),
            user=request_user(request),
            language=interface_language(),
        )
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return Status(201, _fresh(request, consortium.pk))


@router.get(
    "/{collective}/consortia/{consortium_id}",
    response=answers(ConsortiumOut, 401, 404, 422),
    auth=collective_member,
)
def get_consortium(request: HttpRequest, collective: str, consortium_id: int) -> ConsortiumOut:
    """The shared view: lots, shares, states, decisions, contacts; no member's own pipeline."""
    return _fresh(request, consortium_id)


@router.get(
    "/{collective}/consortia/{consortium_id}/suggestions",
    response=answers(list[SuggestionOut], 401, 404, 422),
    auth=collective_member,
)
def consortium_suggestions(
    request: HttpRequest, collective: str, consortium_id: int
) -> list[SuggestionOut]:
    """Collectives the matching engine suggests inviting, best first, with reasons."""
    consortium = _consortium(request, consortium_id)
    return [
        SuggestionOut(
            collective=c.obj.slug,
            name=c.obj.name,
            score=c.score,
            reasons=[TenderTextOut(en=r.text("en"), de=r.text("de")) for r in c.reasons],
        )
        for c in suggest_collectives(consortium, user=request_user(request))
    ]


@router.post(
    "/{collective}/consortia/{consortium_id}/invitations",
    response=answers(ConsortiumOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def invite_to_consortium(
    request: HttpRequest, collective: str, consortium_id: int, payload: ConsortiumInviteIn
) -> Status[ConsortiumOut]:
    """Invite another collective (only members of the initiator); it is told by email."""
    consortium = _consortium(request, consortium_id)
    invitee = Collective.objects.filter(slug=payload.collective).first()
    if invitee is None:
        raise HttpError(422, "collective: there is no such collective")
    try:
        consortia.do_invite_to_consortium(
            consortium=consortium,
            collective=request_collective(request),
            user=request_user(request),
            invitee=invitee,
            message=payload.message,
        )
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return Status(201, _fresh(request, consortium_id))


@router.post(
    "/{collective}/consortia/{consortium_id}/answer",
    response=answers(ConsortiumOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def answer_consortium(
    request: HttpRequest, collective: str, consortium_id: int, payload: ConsortiumAnswerIn
) -> ConsortiumOut:
    """Accept with lots and a share (the tender becomes your lead), or decline."""
    consortium = _consortium(request, consortium_id)
    try:
        consortia.do_answer_invitation(
            member=_own(request, consortium),
            user=request_user(request),
            accept=payload.accept,
            part=consortia.Part(lot_ids=payload.lots, share=payload.share),
            language=interface_language(),
        )
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    if not payload.accept:
        return ConsortiumOut.of(get_object_or_404(Consortium.objects.for_page(), pk=consortium_id))
    return _fresh(request, consortium_id)


@router.put(
    "/{collective}/consortia/{consortium_id}/part",
    response=answers(ConsortiumOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def set_consortium_part(
    request: HttpRequest, collective: str, consortium_id: int, payload: ConsortiumPartIn
) -> ConsortiumOut:
    """Replace the lots your collective takes and its share."""
    consortium = _consortium(request, consortium_id)
    try:
        consortia.do_set_part(
            member=_own(request, consortium),
            user=request_user(request),
            part=consortia.Part(lot_ids=payload.lots, share=payload.share),
        )
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return _fresh(request, consortium_id)


@router.post(
    "/{collective}/consortia/{consortium_id}/leave",
    response=answers(None, 401, 403, 404, 409, 422, status=204),
    auth=collective_member,
)
def leave_consortium(request: HttpRequest, collective: str, consortium_id: int) -> Status[None]:
    """Leave: your lots are free again and your share counts no more."""
    consortium = _consortium(request, consortium_id)
    try:
        consortia.do_leave_consortium(member=_own(request, consortium), user=request_user(request))
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return Status(204, None)


@router.post(
    "/{collective}/consortia/{consortium_id}/state",
    response=answers(ConsortiumOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def set_consortium_state(
    request: HttpRequest, collective: str, consortium_id: int, payload: ConsortiumStateIn
) -> ConsortiumOut:
    """Move the consortium on (only the initiator): forming, bidding, submitted, won, lost,
    dissolved."""
    consortium = _consortium(request, consortium_id)
    try:
        consortia.do_set_consortium_state(
            consortium=consortium,
            collective=request_collective(request),
            user=request_user(request),
            state=payload.state,
        )
    except actions.TenderError as exc:
        raise _conflict(exc) from exc
    return _fresh(request, consortium_id)
