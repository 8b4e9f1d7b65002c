"""Everything that changes an inquiry: sending, confirming, routing, answering, closing a round,
choosing, withdrawing, and forgetting. The pure rule lives in `routing.py`; this module fills it
from the database and keeps what it decided.

Races are settled by locking the inquiry row (`select_for_update`): answers, the round's close
and the client's choice all take the lock first, so an answer that arrives after the round
closed is refused, and a choice and an answer never half-apply.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Reference
from klinke.contacts.actions import do_write_contact
from klinke.contacts.models import Consent, Source
from klinke.core.mail import notify_users, send_notification
from klinke.core.models import NotificationKind
from klinke.core.tokens import hash_token, issue_token
from klinke.exchange.candidates import topic_tree
from klinke.inquiries import proof_of_work, routing
from klinke.inquiries.models import (
    KEEP_CLOSED_DAYS,
    KEEP_UNCONFIRMED_HOURS,
    Answer,
    Inquiry,
    InquiryOffer,
    InquirySettings,
    LimitKind,
    SpentChallenge,
    State,
    SubmissionMark,
    window_start,
)
from klinke.matching.documents import MatchDocument, Region
from klinke.matching.engine import rank
from klinke.screening.screener import screen
from klinke.topics.models import Topic
from klinke.workbench.actions import LeadValues, do_create_lead, do_open_decision
from klinke.workbench.candidates import collective_document
from klinke.workbench.models import Decision, LeadSource, RedLine

RULES = routing.DEFAULT_RULES

_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("inquiries_quiet", default=False)


@contextlib.contextmanager
def quiet_mail() -> Iterator[None]:
    """No mail for what happens inside (the demo network's invented clients and members)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


LIMIT_PER_ADDRESS = 5
"""Inquiries one network address may send per hour, when this one comes with a solved proof of
work (a browser with JavaScript)."""
LIMIT_PER_ADDRESS_WITHOUT_PROOF = 3
"""The same without a proof of work (no JavaScript): stricter, because a robot that skips the
work has spent nothing, yet high enough for a small office behind one address."""
LIMIT_PER_EMAIL = 3
"""Inquiries one email address may send per day."""


class InquiryError(Exception):
    """An inquiry action refused, with a message for people."""


class TooMany(InquiryError):
    """The public form's limits: too many inquiries from one address or for one email."""


class ProofRefused(InquiryError):
    """The form's proof of work was forged, tampered with or sent before."""


@dataclass(frozen=True, kw_only=True)
class InquiryFields:
    """What a client writes in the public form."""

    description: str
    organisation_type: str
    contact_name: str
    contact_email: str
    consent: bool
    topics: Sequence[Topic] = ()
    budget: str = "unknown"
    time_frame: str = "unknown"
    region: str = ""
    remote: bool = False
    language: str = "de"
    contact_phone: str = ""
    collective: Collective | None = None


# --- the public door -------------------------------------------------------------------------


def _limit_digest(kind: str, value: str) -> str:
    return salted_hmac("klinke.inquiries.limit", f"{kind}:{value}").hexdigest()


def _check_limits(
    address: str, email: str, now: datetime, *, per_address: int
) -> list[SubmissionMark]:
    marks = [
        SubmissionMark(
            kind=LimitKind.ADDRESS, fingerprint=_limit_digest("a", address or "-"), created_at=now
        ),
        SubmissionMark(
            kind=LimitKind.EMAIL,
            fingerprint=_limit_digest("e", email.strip().lower()),
            created_at=now,
        ),
    ]
    from_address = SubmissionMark.objects.filter(
        kind=LimitKind.ADDRESS,
        fingerprint=marks[0].fingerprint,
        created_at__gte=now - timedelta(hours=1),
    ).count()
    if from_address >= per_address:
        raise TooMany(_("Too many inquiries from your network in the last hour. Try again later."))
    per_email = SubmissionMark.objects.filter(
        kind=LimitKind.EMAIL,
        fingerprint=marks[1].fingerprint,
        created_at__gte=now - timedelta(days=1),
    ).count()
    if per_email >= LIMIT_PER_EMAIL:
        raise TooMany(_("Too many inquiries for this email address today. Try again tomorrow."))
    return marks


def _single_line(value: str) -> str:
    """Names and addresses go into mail headers' neighbourhood: no line breaks, ever."""
    return " ".join(value.split())


def _spend_proof(proof: str) -> bool:
    """Whether the form came with a solved proof of work, spending it (see proof_of_work.py).

    Raises ProofRefused for a wrong solution or one sent before; no solution, or one whose
    challenge expired, is the path without JavaScript (False).
    """
    checked = proof_of_work.check(proof)
    if checked.verdict == "wrong":
        raise ProofRefused(
            _("The automatic check against spam did not work out. Please send the form again.")
        )
    if checked.verdict != "solved":
        return False
    assert checked.expires_at is not None
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(
                fingerprint=checked.fingerprint, expires_at=checked.expires_at
            )
    except IntegrityError:
        raise ProofRefused(
            _("This form was sent before. Please reload the page and send it again.")
        ) from None
    return True


@transaction.atomic
def do_submit_inquiry(
    *, fields: InquiryFields, address: str, proof: str = ""
) -> tuple[Inquiry, str]:
    """Store a new inquiry, unconfirmed, and mail its private link; (inquiry, raw link token).

    `proof` is the form's proof-of-work solution, empty without JavaScript. Raises
    ProofRefused for a wrong or replayed solution, TooMany past the limits per address (stricter
    without a solution) and per email, InquiryError without consent.
    """
    if not fields.consent:
        raise InquiryError(_("We can only pass your inquiry on with your consent."))
    now = timezone.now()
    solved = _spend_proof(proof)
    marks = _check_limits(
        address,
        fields.contact_email,
        now,
        per_address=LIMIT_PER_ADDRESS if solved else LIMIT_PER_ADDRESS_WITHOUT_PROOF,
    )
    raw, digest = issue_token("inq_")
    inquiry = Inquiry.objects.create(
        description=fields.description.strip(),
        organisation_type=fields.organisation_type,
        budget=fields.budget,
        time_frame=fields.time_frame,
        region=fields.region.strip().upper(),
        remote=fields.remote,
        language=fields.language if fields.language in ("de", "en") else "de",
        contact_name=_single_line(fields.contact_name),
        contact_email=_single_line(fields.contact_email),
        contact_phone=_single_line(fields.contact_phone),
        consent_at=now,
        collective=fields.collective,
        status_digest=digest,
        created_at=now,
    )
    inquiry.topics.set(fields.topics)
    SubmissionMark.objects.bulk_create(marks)
    _mail_client(inquiry, "confirm", {"status_url": inquiry.status_url(raw)})
    return inquiry, raw


def inquiry_for_token(raw: str) -> Inquiry | None:
    """The inquiry behind a private link, or None for a wrong or revoked one."""
    if not raw or len(raw) > 100:
        return None
    return (
        Inquiry.objects.filter(status_digest=hash_token(raw))
        .prefetch_related(
            "topics",
            Prefetch(
                "offers", InquiryOffer.objects.select_related("collective").order_by("-score", "pk")
            ),
        )
        .first()
    )


def do_confirm_inquiry(*, inquiry: Inquiry) -> Inquiry:
    """The client confirmed their address: the inquiry is routed at once."""
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.state != State.UNCONFIRMED:
            return locked
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_at"])
        _route(locked)
    return locked


def do_renew_status_link(*, inquiry: Inquiry) -> str:
    """Revoke the private link and mail a new one; returns the new raw token."""
    raw, digest = issue_token("inq_")
    Inquiry.objects.filter(pk=inquiry.pk).update(status_digest=digest)
    inquiry.status_digest = digest
    _mail_client(inquiry, "new_link", {"status_url": inquiry.status_url(raw)})
    return raw


def do_withdraw_inquiry(*, inquiry: Inquiry) -> Inquiry:
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.state in (State.HANDED_OVER, State.WITHDRAWN):
            raise InquiryError(_("This inquiry cannot be withdrawn any more."))
        locked.state = State.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        # A withdrawn inquiry was nobody's: neither received nor earned.
        InquiryOffer.objects.filter(inquiry=locked, chosen_at__isnull=True).update(
            counted_at=None, share=None
        )
    return locked


# --- routing ---------------------------------------------------------------------------------


def inquiry_facts(inquiry: Inquiry) -> routing.InquiryFacts:
    return routing.InquiryFacts(
        topics=frozenset(t.slug for t in inquiry.topics.all()),
        language=inquiry.language,
        region=inquiry.region,
        remote=inquiry.remote,
    )


def _inquiry_document(inquiry: Inquiry) -> MatchDocument:
    region = None
    if inquiry.region:
        region = Region(country=inquiry.region[:2], nuts_code=inquiry.region)
    return MatchDocument(
        ref=f"inquiry:{inquiry.pk}",
        type="inquiry",
        text=inquiry.description,
        topics=frozenset(t.slug for t in inquiry.topics.all()),
        languages=frozenset({inquiry.language}),
        region=region,
        remote=inquiry.remote,
    )


def _candidates(inquiry: Inquiry) -> tuple[list[routing.CandidateFacts], dict[str, object]]:
    """Every active collective as routing sees it, with its score, reasons and screening."""
    collectives = Collective.objects.active().prefetch_related(
        "topics", Prefetch("references", Reference.objects.order_by("pk"))
    )
    if inquiry.collective_id is not None:
        collectives = collectives.filter(pk=inquiry.collective_id)
    by_ref = {str(c.pk): c for c in collectives}
    if not by_ref:
        return [], {}
    documents = {}
    for pk, collective in by_ref.items():
        document = collective_document(collective)
        documents[pk] = dataclasses.replace(document, ref=pk)
    matches = rank(
        _inquiry_document(inquiry), list(documents.values()), topics=topic_tree(), limit=len(by_ref)
    )
    scored = {m.ref: m for m in matches}
    settings_by = {
        s.collective_id: s for s in InquirySettings.objects.filter(collective__in=by_ref.values())
    }
    since = window_start()
    received = {
        row["collective_id"]: row
        for row in InquiryOffer.objects.filter(
            collective__in=by_ref.values(), counted_at__isnull=False
        )
        .values("collective_id")
        .annotate(n=Count("pk", filter=Q(counted_at__gte=since)), last=Max("counted_at"))
    }
    red_lines: dict[int, list[RedLine]] = {}
    for line in RedLine.objects.filter(collective__in=by_ref.values()):
        red_lines.setdefault(line.collective_id, []).append(line)
    screening_fields = {"description": inquiry.description}
    out = []
    extra: dict[str, object] = {}
    for pk, collective in by_ref.items():
        config = settings_by.get(collective.pk)
        lines = red_lines.get(collective.pk, [])
        hits = screen(screening_fields, [line.criteria() for line in lines]) if lines else []
        match = scored.get(pk)
        row = received.get(collective.pk)
        out.append(
            routing.CandidateFacts(
                ref=pk,
                score=match.score if match else 0.0,
                topics=documents[pk].topics,
                regions=tuple(
                    code for code in (collective.nuts_code or collective.country,) if code
                ),
                remote_ok=collective.remote_friendly,
                languages=frozenset(collective.language_codes),
                capacity=config.capacity if config else RULES.default_capacity,
                assigned_in_window=row["n"] if row else 0,
                last_assigned_at=row["last"] if row else None,
                paused=config.paused if config else False,
                red_line_hits=tuple(hit.text("en") for hit in hits),
            )
        )
        extra[pk] = {
            "collective": collective,
            "reasons": [{"en": r.text("en"), "de": r.text("de")} for r in match.reasons[:4]]
            if match
            else [],
            "screening": {"red_lines": len(lines), "hits": [h.as_dict() for h in hits]},
        }
    return out, extra


def _parents() -> dict[str, str | None]:
    return dict(Topic.objects.values_list("slug", "parent__slug"))


def _route(inquiry: Inquiry) -> None:
    """Ask the fit band about a confirmed inquiry (the caller holds the row lock)."""
    candidates, extra = _candidates(inquiry)
    screened = routing.screen_candidates(
        inquiry_facts(inquiry), candidates, parents=_parents(), rules=RULES
    )
    band = routing.fit_band(screened.eligible, rules=RULES)
    exclusions: dict[str, int] = {}
    for _candidate, why in screened.excluded:
        exclusions[why] = exclusions.get(why, 0) + 1
    inquiry.exclusions = exclusions
    now = timezone.now()
    if not band:
        inquiry.state = State.NO_TAKER
        inquiry.closed_at = now
        inquiry.save(update_fields=["state", "closed_at", "exclusions"])
        _mail_client(inquiry, "no_taker", {"nobody_fits": True})
        return
    offers = []
    for candidate in band:
        info = extra[candidate.ref]
        assert isinstance(info, dict)
        offers.append(
            InquiryOffer(
                inquiry=inquiry,
                collective=info["collective"],
                score=candidate.score,
                reasons=info["reasons"],
                screening=info["screening"],
                asked_at=now,
            )
        )
    InquiryOffer.objects.bulk_create(offers)
    inquiry.state = State.OPEN
    inquiry.round_closes_at = now + timedelta(hours=RULES.round_hours)
    inquiry.save(update_fields=["state", "round_closes_at", "exclusions"])
    for offer in offers:
        _mail_collective(offer.collective, "offered", inquiry)


# --- the collective's answer -----------------------------------------------------------------


def do_answer_offer(
    *, offer: InquiryOffer, user: User, interested: bool, note: str = ""
) -> InquiryOffer:
    """A member answers for their collective, while the round is open; the last answer closes it."""
    if not offer.collective.has_member(user):
        raise InquiryError(_("Only members of the collective can answer."))
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=offer.inquiry_id)
        if inquiry.state != State.OPEN:
            raise InquiryError(_("This round has closed; answers are no longer taken."))
        locked = InquiryOffer.objects.select_for_update().get(pk=offer.pk)
        locked.answer = Answer.INTERESTED if interested else Answer.DECLINED
        locked.note = note.strip() if interested else ""
        locked.answered_at = timezone.now()
        locked.answered_by = user
        locked.full_clean(exclude=["inquiry", "collective", "answered_by", "decision", "lead"])
        locked.save(update_fields=["answer", "note", "answered_at", "answered_by"])
        if not InquiryOffer.objects.filter(inquiry=inquiry, answer=Answer.PENDING).exists():
            _close_round(inquiry)
    return locked


def do_discuss_offer(*, offer: InquiryOffer, user: User) -> Decision:
    """Open a workbench decision about whether to say "interested"; the link is kept."""
    if offer.decision_id is not None:
        assert offer.decision is not None
        return offer.decision
    closes = offer.inquiry.round_closes_at or timezone.now() + timedelta(hours=RULES.round_hours)
    decision = do_open_decision(
        collective=offer.collective,
        user=user,
        question=_("Shall we say we are interested in the inquiry “%(title)s”?")
        % {"title": offer.inquiry.title},
        details=offer.inquiry.description,
        deadline=max(closes - timedelta(hours=2), timezone.now() + timedelta(hours=1)),
    )
    InquiryOffer.objects.filter(pk=offer.pk).update(decision=decision)
    offer.decision = decision
    return decision


def do_save_inquiry_settings(
    *, collective: Collective, user: User, capacity: int, paused: bool
) -> InquirySettings:
    if not collective.has_member(user):
        raise InquiryError(_("Only members of the collective can do this."))
    if not 0 <= capacity <= 100:
        raise InquiryError(_("Capacity is a number from 0 to 100."))
    config, _created = InquirySettings.objects.update_or_create(
        collective=collective, defaults={"capacity": capacity, "paused": paused}
    )
    return config


# --- closing the round -----------------------------------------------------------------------


def _close_round(inquiry: Inquiry) -> None:
    """Assign among the interested by the rule (the caller holds the row lock)."""
    offers = list(InquiryOffer.objects.filter(inquiry=inquiry).select_related("collective"))
    interested = [o for o in offers if o.answer == Answer.INTERESTED]
    now = timezone.now()
    inquiry.closed_at = None
    if not interested:
        inquiry.state = State.NO_TAKER
        inquiry.closed_at = now
        inquiry.save(update_fields=["state", "closed_at"])
        _mail_client(inquiry, "no_taker", {"nobody_fits": False})
        return
    since = window_start(now)
    ids = [o.collective_id for o in interested]
    received = {
        row["collective_id"]: row
        for row in InquiryOffer.objects.filter(collective_id__in=ids, counted_at__isnull=False)
        .values("collective_id")
        .annotate(n=Count("pk", filter=Q(counted_at__gte=since)), last=Max("counted_at"))
    }
    earned = dict(
        InquiryOffer.objects.filter(collective_id__in=ids, share__isnull=False, asked_at__gte=since)
        .values("collective_id")
        .annotate(total=Sum("share"))
        .values_list("collective_id", "total")
    )
    capacity = dict(
        InquirySettings.objects.filter(collective_id__in=ids).values_list(
            "collective_id", "capacity"
        )
    )
    facts = [
        routing.CandidateFacts(
            ref=str(o.collective_id),
            score=o.score,
            capacity=capacity.get(o.collective_id, RULES.default_capacity),
            assigned_in_window=received[o.collective_id]["n"] if o.collective_id in received else 0,
            earned_in_window=earned.get(o.collective_id) or 0.0,
            last_assigned_at=received[o.collective_id]["last"]
            if o.collective_id in received
            else None,
        )
        for o in interested
    ]
    result = routing.assign(
        facts, seed=routing.new_seed(), best_score=max(o.score for o in offers), rules=RULES
    )
    assert result is not None
    chosen = next(o for o in interested if str(o.collective_id) == result.ref)
    for offer in interested:
        if str(offer.collective_id) in result.shares:
            InquiryOffer.objects.filter(pk=offer.pk).update(
                share=result.shares[str(offer.collective_id)]
            )
    InquiryOffer.objects.filter(pk=chosen.pk).update(assigned=True, counted_at=now)
    inquiry.state = State.ASSIGNED
    inquiry.seed = result.seed
    inquiry.decided_by = result.step
    inquiry.deficits = {
        next(o.collective.name for o in interested if str(o.collective_id) == ref): round(d, 4)
        for ref, d in result.deficits.items()
    }
    inquiry.save(update_fields=["state", "seed", "decided_by", "deficits", "closed_at"])
    _mail_client(
        inquiry,
        "assigned",
        {"interested": interested, "assigned": chosen},
    )


def do_close_round(*, inquiry: Inquiry) -> Inquiry:
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.state == State.OPEN:
            _close_round(locked)
    return locked


def do_close_due_rounds(now: datetime | None = None) -> int:
    """The worker's job: close every round whose 72 hours are over."""
    now = now or timezone.now()
    closed = 0
    for pk in Inquiry.objects.filter(state=State.OPEN, round_closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = Inquiry.objects.select_for_update().filter(pk=pk, state=State.OPEN).first()
            if locked is None:
                continue
            _close_round(locked)
            closed += 1
    return closed


def do_remind_open_rounds(now: datetime | None = None) -> int:
    """The worker's job: remind collectives that have not answered before the round ends."""
    now = now or timezone.now()
    soon = now + timedelta(hours=RULES.reminder_hours)
    reminded = 0
    due = Inquiry.objects.filter(
        state=State.OPEN, reminded_at__isnull=True, round_closes_at__lte=soon
    ).values_list("pk", flat=True)
    for pk in due:
        # Claim the reminder with a conditional update, so two workers never remind twice.
        if not Inquiry.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            continue
        inquiry = Inquiry.objects.get(pk=pk)
        for offer in InquiryOffer.objects.filter(
            inquiry=inquiry, answer=Answer.PENDING
        ).select_related("collective"):
            _mail_collective(offer.collective, "reminder", inquiry)
            reminded += 1
    return reminded


# --- the client's choice ---------------------------------------------------------------------


def do_choose_collective(*, inquiry: Inquiry, offer_id: int) -> InquiryOffer:
    """The client picks one of the interested collectives (default: the assigned one); it gets
    the inquiry as a lead with the client as a contact."""
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.state != State.ASSIGNED:
            raise InquiryError(_("There is nothing to choose at the moment."))
        offer = (
            InquiryOffer.objects.select_for_update(of=("self",))
            .select_related("collective", "answered_by")
            .filter(inquiry=locked, pk=offer_id, answer=Answer.INTERESTED)
            .first()
        )
        if offer is None:
            raise InquiryError(_("Choose one of the collectives that are interested."))
        now = timezone.now()
        InquiryOffer.objects.filter(inquiry=locked).exclude(pk=offer.pk).update(counted_at=None)
        member = offer.answered_by
        if member is None or not offer.collective.has_member(member):
            users = offer.collective.member_users()
            member = users[0] if users else None
        if member is None:
            raise InquiryError(_("This collective cannot take inquiries at the moment."))
        contact = do_write_contact(
            collective=offer.collective,
            user=member,
            contact=None,
            values={
                "full_name": locked.contact_name[:200],
                "source": Source.INQUIRY,
                "source_detail": str(_("Inquiry through klinke"))[:255],
                "consent": Consent.AGREED,
                "consent_on": timezone.localdate(locked.consent_at),
                "consent_note": str(
                    _("Agreed in the inquiry form that the network may pass the inquiry on.")
                )[:500],
            },
            emails=[(locked.contact_email, "")],
            phones=[(locked.contact_phone, "")] if locked.contact_phone else [],
        )
        lead = do_create_lead(
            collective=offer.collective,
            user=member,
            values=LeadValues(
                title=locked.title[:200] or str(_("Inquiry")),
                contact=contact,
                client_name=locked.contact_name[:200],
                description=locked.description,
                source=LeadSource.INQUIRY,
                source_detail=str(_("klinke inquiry #%(number)d") % {"number": locked.pk}),
                topics=list(locked.topics.all()),
            ),
        )
        offer.chosen_at = now
        offer.counted_at = now
        offer.lead = lead
        offer.save(update_fields=["chosen_at", "counted_at", "lead"])
        locked.state = State.HANDED_OVER
        locked.closed_at = now
        locked.save(update_fields=["state", "closed_at"])
    _mail_collective(offer.collective, "handed_over", locked, lead=lead)
    return offer


# --- forgetting ------------------------------------------------------------------------------


def do_forget_inquiries(now: datetime | None = None) -> int:
    """The worker's job: unconfirmed inquiries go after a day, the limits' rows after two, spent
    proof-of-work challenges once they expire, and a closed inquiry's contact details after a
    year (what collectives answered stays, anonymous)."""
    now = now or timezone.now()
    stale = Inquiry.objects.filter(
        state=State.UNCONFIRMED, created_at__lt=now - timedelta(hours=KEEP_UNCONFIRMED_HOURS)
    )
    deleted = stale.count()
    stale.delete()
    SubmissionMark.objects.filter(created_at__lt=now - timedelta(days=2)).delete()
    SpentChallenge.objects.filter(expires_at__lt=now).delete()
    forgotten = (
        Inquiry.objects.filter(closed_at__lt=now - timedelta(days=KEEP_CLOSED_DAYS))
        .exclude(contact_email="")
        .update(contact_name="", contact_email="", contact_phone="", description="")
    )
    return deleted + forgotten


# --- mail ------------------------------------------------------------------------------------


def _mail_client(inquiry: Inquiry, template: str, context: dict[str, object]) -> None:
    if not inquiry.contact_email or _QUIET.get():
        return
    send_notification(
        to=inquiry.contact_email,
        template=f"inquiries/email/client_{template}",
        context={"inquiry": inquiry, **context},
        language=inquiry.language,
    )


def _mail_collective(
    collective: Collective, template: str, inquiry: Inquiry, **extra: object
) -> None:
    if _QUIET.get():
        return
    notify_users(
        collective.member_users(),
        template=f"inquiries/email/collective_{template}",
        context={"inquiry": inquiry, "collective": collective, **extra},
        kind=NotificationKind.WORKBENCH,
    )
