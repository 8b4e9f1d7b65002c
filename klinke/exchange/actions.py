"""Writes of the support exchange: posting, closing and renewing items, and introductions.

Introductions are a small state machine. Each move locks the introduction's row, checks that
the acting person is the right party and that the move is allowed from the current state, and
emails the people concerned, so concurrent accepts and withdrawals end in one state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.core.languages import WORKING_LANGUAGES
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind
from klinke.exchange.models import (
    ITEM_LIFETIME_DAYS,
    HelpKind,
    Introduction,
    IntroductionState,
    ItemState,
    Need,
    Offer,
    Outcome,
)
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

RENEW_SALT = "klinke.exchange.renew"


class ExchangeError(Exception):
    """A move the support exchange's rules do not allow; the message says why.

    `field` names the input at fault, when there is one, so the API can say which.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ExchangeError):
    """The person is not the one who may make this move (the API answers 403)."""


# --- needs and offers ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemFields:
    """What a person writes into a need or an offer.

    The page's form and the API's schema both build one, and the same action checks and
    saves it, so both paths follow the same rules.
    """

    title: str
    description: str
    kinds: Sequence[str]
    topics: Sequence[Topic] = ()
    city: str = ""
    country: str = ""
    nuts_code: str = ""
    remote_ok: bool = True
    languages: Sequence[str] = ()
    starts_on: date | None = None
    ends_on: date | None = None
    effort_hours: int | None = None
    expires_on: date | None = None
    """None keeps the item's date: the usual lifetime for a new item."""
    visibility: str = "public"


_LANGUAGE_CODES = {code for code, _label in WORKING_LANGUAGES}


def _apply_fields(item: Need | Offer, fields: ItemFields) -> None:
    """Write `fields` onto `item` and check them, raising a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    if not fields.kinds:
        errors["kinds"] = [_("This field is required.")]
    for name, codes, allowed in (
        ("kinds", fields.kinds, set(HelpKind.values)),
        ("languages", fields.languages, _LANGUAGE_CODES),
    ):
        for code in codes:
            if code not in allowed:
                message = _("Select a valid choice. %(value)s is not one of the available choices.")
                errors[name] = [message % {"value": code}]
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        errors["ends_on"] = [_("The end lies before the start.")]
    item.title = fields.title
    item.description = fields.description
    item.city = fields.city
    item.country = fields.country.upper()
    item.nuts_code = fields.nuts_code.upper()
    item.remote_ok = fields.remote_ok
    item.starts_on = fields.starts_on
    item.ends_on = fields.ends_on
    item.effort_hours = fields.effort_hours
    if fields.expires_on is not None:
        item.expires_on = fields.expires_on
    item.visibility = fields.visibility
    try:
        item.clean_fields(exclude=["ref", "kinds", "languages"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    item.kind_codes = list(fields.kinds)
    item.language_codes = list(fields.languages)


def _fill_defaults(item: Need | Offer, owner: Supporter | Collective) -> None:
    if not (item.city or item.country or item.nuts_code):
        item.copy_region_from(owner)
    if not item.languages:
        item.language_codes = owner.language_codes


@transaction.atomic
def do_post_need(*, collective: Collective, user: User, fields: ItemFields) -> Need:
    if not collective.has_member(user):
        raise NotAllowed(_("Only members of the collective can post its needs."))
    need = Need(collective=collective, created_by=user)
    _apply_fields(need, fields)
    _fill_defaults(need, collective)
    need.save()
    need.topics.set(fields.topics)
    return need


@transaction.atomic
def do_post_offer(
    *,
    user: User,
    fields: ItemFields,
    supporter: Supporter | None = None,
    collective: Collective | None = None,
) -> Offer:
    if (supporter is None) == (collective is None):
        raise ExchangeError(_("An offer belongs either to a supporter or to a collective."))
    if supporter is not None and not supporter.is_managed_by(user):
        raise NotAllowed(_("You can only post offers for your own supporter profile."))
    if collective is not None and not collective.has_member(user):
        raise NotAllowed(_("Only members of the collective can post its offers."))
    offer = Offer(supporter=supporter, collective=collective, created_by=user)
    _apply_fields(offer, fields)
    owner = supporter or collective
    assert owner is not None
    _fill_defaults(offer, owner)
    offer.save()
    offer.topics.set(fields.topics)
    return offer


@transaction.atomic
def do_update_item(*, item: Need | Offer, fields: ItemFields) -> Need | Offer:
    _apply_fields(item, fields)
    item.save()
    item.topics.set(fields.topics)
    return item


def do_set_item_state(*, item: Need | Offer, state: str, outcome: str = "") -> None:
    if state not in ItemState.values:
        raise ExchangeError(_("Unknown state."), field="state")
    if state == ItemState.CLOSED:
        if outcome not in Outcome.values or outcome == Outcome.NONE:
            raise ExchangeError(_("Say how it ended when you close it."), field="outcome")
        item.outcome = outcome
        item.closed_at = timezone.now()
    else:
        item.outcome = Outcome.NONE
        item.closed_at = None
    item.state = state
    item.save(update_fields=["state", "outcome", "closed_at", "updated_at"])


def do_renew_item(*, item: Need | Offer) -> None:
    item.expires_on = timezone.localdate() + timedelta(days=ITEM_LIFETIME_DAYS)
    item.expiry_notified_at = None
    item.save(update_fields=["expires_on", "expiry_notified_at", "updated_at"])


def renew_token(item: Need | Offer) -> str:
    return signing.dumps({"t": item._meta.model_name, "r": item.ref}, salt=RENEW_SALT)


def read_renew_token(token: str) -> Need | Offer | None:
    """The item a renewal link names; None when the link is forged or the item is gone."""
    try:
        data = signing.loads(token, salt=RENEW_SALT, max_age=timedelta(days=60))
    except signing.BadSignature:
        return None
    kind, ref = data.get("t"), data.get("r")
    if kind == "need":
        return Need.objects.filter(ref=ref).first()
    if kind == "offer":
        return Offer.objects.filter(ref=ref).first()
    return None


def _owner_people(item: Need | Offer) -> list[User]:
    if isinstance(item, Offer) and item.supporter is not None:
        return [item.supporter.user] if item.supporter.user else []
    collective = item.collective
    assert collective is not None
    return collective.member_users()


def do_notify_expired_items() -> int:
    """Email the owners of needs and offers that just expired, with a one-click renewal."""
    sent = 0
    for model in (Need, Offer):
        expired = model.objects.expired_unnotified().select_related(
            "collective", *(["supporter__user"] if model is Offer else [])
        )
        for item in expired:
            with transaction.atomic():
                claimed = model.objects.filter(pk=item.pk, expiry_notified_at__isnull=True).update(
                    expiry_notified_at=timezone.now()
                )
                if not claimed:
                    continue  # another worker got there first
                renew_url = settings.SITE_URL + reverse("exchange:renew", args=[renew_token(item)])
                sent += notify_users(
                    _owner_people(item),
                    template="exchange/email/item_expired",
                    context={"item": item, "renew_url": renew_url},
                    kind=NotificationKind.EXPIRY,
                )
    return sent


# --- introductions ------------------------------------------------------------------


def _counterpart_people(counterpart: Supporter | Collective) -> list[User]:
    if isinstance(counterpart, Supporter):
        return [counterpart.user] if counterpart.user is not None else []
    return counterpart.member_users()


def _notify(people: Iterable[User], template: str, introduction: Introduction) -> None:
    notify_users(
        people,
        template=f"exchange/email/{template}",
        context={"introduction": introduction, "need": introduction.need},
        kind=NotificationKind.INTRODUCTIONS,
    )


def _requester_people(introduction: Introduction) -> list[User]:
    return [introduction.requested_by] if introduction.requested_by else []


def do_request_introduction(
    *,
    need: Need,
    user: User,
    counterpart: Supporter | Collective,
    message: str,
    offer: Offer | None = None,
    phone: str = "",
    channel: str = "",
) -> Introduction:
    if not need.collective.has_member(user):
        raise NotAllowed(_("Only members of the collective can ask for introductions."))
    if need.state == ItemState.CLOSED:
        raise ExchangeError(_("This need is closed."))
    if isinstance(counterpart, Collective) and counterpart.pk == need.collective_id:
        raise ExchangeError(_("A collective cannot be introduced to itself."), field="counterpart")
    if isinstance(counterpart, Supporter) and need.collective.has_member(counterpart.user):
        raise ExchangeError(
            _("A collective cannot be introduced to its own members."), field="counterpart"
        )
    if offer is not None and offer.owner != counterpart:
        raise ExchangeError(_("This offer belongs to someone else."), field="offer")
    people = _counterpart_people(counterpart)
    if not people:
        raise ExchangeError(
            _("%(name)s has no account on klinke yet.") % {"name": counterpart.name}
        )
    if not message.strip():
        raise ExchangeError(_("Write a short message."), field="message")
    introduction = Introduction(
        need=need,
        offer=offer,
        supporter=counterpart if isinstance(counterpart, Supporter) else None,
        collective=counterpart if isinstance(counterpart, Collective) else None,
        counterpart_key=Introduction.key_for(counterpart),
        requested_by=user,
        message=message.strip(),
        requester_email=user.email,
        requester_phone=phone or user.phone,
        requester_channel=channel,
    )
    try:
        with transaction.atomic():
            introduction.save()
            if need.state == ItemState.OPEN:
                Need.objects.filter(pk=need.pk).update(state=ItemState.IN_PROGRESS)
            _notify(people, "introduction_requested", introduction)
    except IntegrityError:
        raise ExchangeError(
            _("There is already an open introduction between this need and %(name)s.")
            % {"name": counterpart.name}
        ) from None
    return introduction


def _locked(introduction_id: int) -> Introduction:
    # Lock only the introduction's row: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer joins that select_related makes for the optional supporter and collective.
    introduction = (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("need__collective", "supporter__user", "collective", "requested_by")
        .filter(pk=introduction_id)
        .first()
    )
    if introduction is None:
        raise ExchangeError(_("This introduction does not exist."))
    return introduction


def _expire_if_due(introduction: Introduction) -> bool:
    if (
        introduction.state == IntroductionState.REQUESTED
        and introduction.expires_at <= timezone.now()
    ):
        introduction.state = IntroductionState.EXPIRED
        introduction.closed_at = timezone.now()
        introduction.save(update_fields=["state", "closed_at"])
        return True
    return False


def _refuse_unless_open(
    introduction_id: int, *, may_move: Callable[[Introduction], bool], refusal: str
) -> None:
    """Refuse the wrong person; expire an overdue request for good, then refuse the move."""
    with transaction.atomic():
        introduction = _locked(introduction_id)
        if not may_move(introduction):
            raise NotAllowed(refusal)
        just_expired = _expire_now_if_due(introduction)
    if just_expired:
        raise ExchangeError(_("This request has expired."))


def _locked_request(introduction_id: int) -> Introduction:
    """The introduction, locked, if it still waits for an answer; else refuse the move."""
    introduction = _locked(introduction_id)
    if introduction.state != IntroductionState.REQUESTED:
        raise ExchangeError(
            _("This introduction is already %(state)s.")
            % {"state": introduction.get_state_display()}
        )
    return introduction


def do_answer_introduction(
    *,
    introduction_id: int,
    user: User,
    accept: bool,
    message: str = "",
    phone: str = "",
    channel: str = "",
) -> Introduction:
    _refuse_unless_open(
        introduction_id,
        may_move=lambda introduction: introduction.is_counterpart(user),
        refusal=_("Only the person asked can answer this introduction."),
    )
    with transaction.atomic():
        introduction = _locked_request(introduction_id)
        introduction.state = IntroductionState.ACCEPTED if accept else IntroductionState.DECLINED
        introduction.answered_by = user
        introduction.answered_at = timezone.now()
        introduction.response_message = message.strip()
        if accept:
            introduction.responder_email = user.email
            introduction.responder_phone = phone or user.phone
            introduction.responder_channel = channel
        else:
            introduction.closed_at = introduction.answered_at
        introduction.save()
        template = "introduction_accepted" if accept else "introduction_declined"
        _notify(_requester_people(introduction), template, introduction)
        if accept:
            _notify([user], "introduction_contact_details", introduction)
    return introduction


def _expire_now_if_due(introduction: Introduction) -> bool:
    """Expire an overdue request on the spot, telling both sides as the expiry job would.

    Called before answering or withdrawing, so an overdue request always ends as expired,
    whether the job or a person reaches it first; the caller refuses its own move.
    """
    if not _expire_if_due(introduction):
        return False
    _notify(
        _requester_people(introduction) + _counterpart_people(introduction.counterpart),
        "introduction_expired",
        introduction,
    )
    return True


def do_withdraw_introduction(*, introduction_id: int, user: User) -> Introduction:
    _refuse_unless_open(
        introduction_id,
        may_move=lambda introduction: introduction.is_requester(user),
        refusal=_("Only the collective that asked can withdraw."),
    )
    with transaction.atomic():
        introduction = _locked_request(introduction_id)
        introduction.state = IntroductionState.WITHDRAWN
        introduction.closed_at = timezone.now()
        introduction.save(update_fields=["state", "closed_at"])
        _notify(
            _counterpart_people(introduction.counterpart), "introduction_withdrawn", introduction
        )
    return introduction


def do_complete_introduction(
    *,
    introduction_id: int,
    user: User,
    helpful: bool | None,
    rating: int | None,
    note: str = "",
) -> Introduction:
    if rating is not None and not 1 <= rating <= 5:
        raise ExchangeError(_("Rate from 1 to 5."), field="rating")
    with transaction.atomic():
        introduction = _locked(introduction_id)
        if not introduction.is_requester(user):
            raise NotAllowed(_("Only the collective that asked can complete it."))
        if introduction.state != IntroductionState.ACCEPTED:
            raise ExchangeError(_("Only accepted introductions can be completed."))
        introduction.state = IntroductionState.COMPLETED
        introduction.closed_at = timezone.now()
        introduction.helpful = helpful
        introduction.rating = rating
        introduction.feedback_note = note.strip()
        introduction.save()
        _notify(
            _counterpart_people(introduction.counterpart), "introduction_completed", introduction
        )
    return introduction


def do_expire_introductions() -> int:
    """Expire requests nobody answered within the deadline, and tell both sides."""
    expired = 0
    for pk in Introduction.objects.overdue().values_list("pk", flat=True):
        with transaction.atomic():
            introduction = _locked(pk)
            if _expire_if_due(introduction):
                expired += 1
                people = _requester_people(introduction) + _counterpart_people(
                    introduction.counterpart
                )
                _notify(people, "introduction_expired", introduction)
    return expired
