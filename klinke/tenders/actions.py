"""Writes of the tenders app: tender profiles, refreshing inboxes, screening, dismissing, leads.

Importing notices is `klinke.tenders.importing.do_import_outcomes`. Views and the API have
already checked that the acting person is a member of the collective; these functions check
again where a mistake would change another collective's data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind
from klinke.matching.engine import MatchIndex
from klinke.screening import screen
from klinke.tenders import cpv
from klinke.tenders.fetching import FetchError, Transport, UrllibTransport, fetch_day
from klinke.tenders.importing import ImportSummary, do_import_outcomes
from klinke.tenders.models import (
    DEFAULT_LEAD_DAYS,
    EntryState,
    InboxEntry,
    ScreeningState,
    Tender,
    TenderProfile,
    TenderScreeningOverride,
)
from klinke.tenders.parsers import read_paths
from klinke.tenders.ranking import ProfileCriteria, TenderFacts, build_index, rank_tenders
from klinke.workbench.actions import LeadValues, do_create_lead, do_lift_red_line_flag
from klinke.workbench.models import OPEN_STAGES, Lead, LeadSource, RedLine

SCREENED_LANGUAGES = ("de", "en")
"""The languages `klinke.screening` has stemmers and sector keywords for."""
_REGION = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


class TenderError(Exception):
    """A move the inbox's rules do not allow; the message says why."""


def _require_member(collective: Collective, user: User) -> None:
    if not collective.has_member(user):
        raise TenderError(_("Only members of the collective can do this."))


# --- profiles --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProfileValues:
    """What a member sets in the tender profile, from the form or the API alike."""

    cpv_codes: Sequence[str] = ()
    keywords_de: str = ""
    keywords_en: str = ""
    regions: Sequence[str] = ()
    remote_ok: bool = False
    value_min: int | None = None
    value_max: int | None = None
    languages: Sequence[str] = ()
    lead_days_before_deadline: int = DEFAULT_LEAD_DAYS
    digest: bool = True

    @classmethod
    def of(cls, profile: TenderProfile) -> ProfileValues:
        return cls(
            cpv_codes=list(profile.cpv_codes),
            keywords_de=profile.keywords_de,
            keywords_en=profile.keywords_en,
            regions=list(profile.regions),
            remote_ok=profile.remote_ok,
            value_min=profile.value_min,
            value_max=profile.value_max,
            languages=list(profile.languages),
            lead_days_before_deadline=profile.lead_days_before_deadline,
            digest=profile.digest,
        )


def prefilled_profile(collective: Collective) -> TenderProfile:
    """The collective's profile, or an unsaved one prefilled from its topics and place."""
    found = TenderProfile.objects.filter(collective=collective).first()
    if found is not None:
        return found
    topics = list(collective.topics.all())
    codes = cpv.for_words(*(t.name_en for t in topics), per_text=2)
    regions = [collective.nuts_code[:3]] if collective.nuts_code else []
    if not regions and collective.country:
        regions = [collective.country]
    return TenderProfile(
        collective=collective,
        cpv_codes=codes,
        keywords_de="\n".join(t.name_de for t in topics),
        keywords_en="\n".join(t.name_en for t in topics),
        regions=regions,
        remote_ok=collective.remote_friendly,
        languages=[code for code in collective.language_codes if _LANGUAGE.match(code)],
    )


def clean_profile_values(values: ProfileValues) -> dict[str, object]:
    """The values as stored, or ValidationError by field."""
    errors: dict[str, str] = {}
    codes: list[str] = []
    for raw in values.cpv_codes:
        prefix = cpv.normalise(raw)
        if prefix is None:
            errors["cpv_codes"] = _("“%(code)s” is not a CPV code.") % {"code": raw}
            break
        codes.append(cpv.pad(prefix))
    regions = [r.strip().upper() for r in values.regions if r.strip()]
    bad = [r for r in regions if not _REGION.match(r)]
    if bad:
        errors["regions"] = _("“%(region)s” is neither a NUTS code (DED5) nor a country (DE).") % {
            "region": bad[0]
        }
    languages = [code.strip().lower() for code in values.languages if code.strip()]
    if any(not _LANGUAGE.match(code) for code in languages):
        errors["languages"] = _("Use two-letter language codes such as de or en.")
    low, high = values.value_min, values.value_max
    if low is not None and high is not None and low > high:
        errors["value_max"] = _("The upper value lies below the lower one.")
    if (low is not None and low < 0) or (high is not None and high < 0):
        errors["value_min"] = _("Values cannot be negative.")
    if not 0 <= values.lead_days_before_deadline <= 90:
        errors["lead_days_before_deadline"] = _("Choose between 0 and 90 days.")
    if not codes and not values.keywords_de.strip() and not values.keywords_en.strip():
        errors.setdefault("cpv_codes", _("Name at least one CPV code or keyword."))
    if errors:
        raise ValidationError(errors)
    return {
        "cpv_codes": list(dict.fromkeys(codes)),
        "keywords_de": values.keywords_de.strip(),
        "keywords_en": values.keywords_en.strip(),
        "regions": list(dict.fromkeys(regions)),
        "remote_ok": values.remote_ok,
        "value_min": low,
        "value_max": high,
        "languages": list(dict.fromkeys(languages)),
        "lead_days_before_deadline": values.lead_days_before_deadline,
        "digest": values.digest,
    }


def do_save_tender_profile(
    *, collective: Collective, user: User, values: ProfileValues
) -> TenderProfile:
    """Create or replace the collective's profile, then refresh its inbox.

    Raises ValidationError (by field) for unknown codes, regions or languages.
    """
    _require_member(collective, user)
    cleaned = clean_profile_values(values)
    with transaction.atomic():
        profile, _created = TenderProfile.objects.update_or_create(
            collective=collective, defaults=cleaned
        )
    do_refresh_inbox(collective=collective)
    return profile


# --- ranking and screening -------------------------------------------------------------


def criteria(profile: TenderProfile) -> ProfileCriteria:
    return ProfileCriteria(
        cpv_codes=tuple(profile.cpv_codes),
        keywords=tuple(profile.keywords),
        regions=tuple(profile.regions),
        remote_ok=profile.remote_ok,
        value_min=profile.value_min,
        value_max=profile.value_max,
        languages=tuple(profile.languages),
    )


def facts(tender: Tender) -> TenderFacts:
    """The tender in the ranking's terms (its lots must be prefetched)."""
    lots = list(tender.lots.all())
    return TenderFacts(
        ref=f"tender:{tender.pk}",
        title=dict(tender.title),
        description=dict(tender.description),
        cpv_codes=tuple(tender.cpv_codes),
        nuts=tuple(tender.nuts),
        countries=tuple(tender.countries),
        anywhere=tender.anywhere,
        language=tender.language,
        deadline=tender.deadline,
        deadline_placeholder=tender.deadline_placeholder,
        estimated_value=tender.estimated_value,
        lot_titles=tuple(text for lot in lots for text in lot.title.values()),
        open=tender.state == "open",
    )


def screening_fields(tender: Tender) -> tuple[dict[str, str], bool]:
    """The texts screening reads, and whether any of them is in a language it knows."""
    fields = {}
    for lang in SCREENED_LANGUAGES:
        if tender.title.get(lang):
            fields[f"title ({lang})"] = tender.title[lang]
        if tender.description.get(lang):
            fields[f"description ({lang})"] = tender.description[lang]
    known = bool(fields)
    # Lot titles without a language tag are screened in the notice's language only.
    if tender.language in SCREENED_LANGUAGES:
        for lot in tender.lots.all():
            text = lot.title.get(tender.language, "")
            if text:
                fields[f"lot {lot.lot_id}"] = text
    # Names are names in every language.
    if tender.buyer_name:
        fields["buyer"] = tender.buyer_name
    return fields, known


def screen_entry(entry: InboxEntry, red_lines: Sequence[RedLine]) -> None:
    """Screen the entry's tender against the collective's red lines; does not save.

    A tender with no text in German or English is "not screened", never "clean": only names
    (the buyer) can be compared then.
    """
    fields, known = screening_fields(entry.tender)
    # Without red lines there is nothing to find, and analysing the texts is the costly part.
    hits = screen(fields, [r.criteria() for r in red_lines]) if red_lines else []
    entry.screening_hits = [hit.as_dict() for hit in hits]
    entry.screened_at = timezone.now()
    if hits:
        entry.screening_state = ScreeningState.FLAGGED
    else:
        entry.screening_state = ScreeningState.CLEAN if known else ScreeningState.NOT_SCREENED
    covered: set[tuple[str, ...]] = set()
    if entry.pk is not None:
        for keys in entry.screening_overrides.values_list("keys", flat=True):
            covered.update(tuple(key) for key in keys)
    entry.is_flagged = bool(hits) and not all(hit.key() in covered for hit in hits)


_ENTRY_FIELDS = ["score", "reasons", "fits", "screening_state", "screening_hits", "screened_at"]


def _open_tenders(tender_ids: Iterable[int] | None = None) -> list[Tender]:
    tenders = Tender.objects.open().prefetch_related("lots")
    if tender_ids is not None:
        tenders = tenders.filter(pk__in=list(tender_ids))
    return list(tenders)


def do_refresh_inbox(
    *,
    collective: Collective,
    now: dt.datetime | None = None,
    prepared: tuple[MatchIndex, dict[str, TenderFacts], dict[int, Tender]] | None = None,
) -> int:
    """Rank the open tenders for the collective's profile and store what fits, screened.

    Entries someone acted on (dismissed, turned into a lead) are kept as they are; a new
    entry that no longer fits is marked so rather than deleted. Returns how many fit.
    """
    profile = TenderProfile.objects.filter(collective=collective).first()
    if profile is None:
        return 0
    now = now or timezone.now()
    if prepared is None:
        tenders = _open_tenders()
        index, by_ref = build_index(facts(t) for t in tenders)
        prepared = (index, by_ref, {t.pk: t for t in tenders})
    index, by_ref, by_id = prepared
    fits = rank_tenders(criteria(profile), index, by_ref, now=now)
    existing = {
        e.tender_id: e
        for e in InboxEntry.objects.filter(collective=collective).prefetch_related(
            "screening_overrides"
        )
    }
    red_lines = list(RedLine.objects.filter(collective=collective))
    fingerprint = red_line_fingerprint(red_lines)
    same_red_lines = fingerprint == profile.screened_with
    created: list[InboxEntry] = []
    changed: list[InboxEntry] = []
    for fit in fits:
        tender_id = int(fit.ref.split(":", 1)[1])
        tender = by_id[tender_id]
        entry = existing.pop(tender_id, None)
        if entry is None:
            entry = InboxEntry(collective=collective, tender=tender)
            created.append(entry)
        else:
            entry.tender = tender
            changed.append(entry)
        entry.score = fit.score
        entry.reasons = [reason.as_dict() for reason in fit.reasons]
        entry.fits = True
        # Screening is the costly part: only for new entries, changed tenders or red lines.
        screened = entry.screened_at
        if not (same_red_lines and screened is not None and tender.updated_at <= screened):
            screen_entry(entry, red_lines)
    for entry in existing.values():
        if entry.fits:
            entry.fits = False
            changed.append(entry)
    with transaction.atomic():
        InboxEntry.objects.bulk_create(created, batch_size=500)
        InboxEntry.objects.bulk_update(changed, [*_ENTRY_FIELDS, "is_flagged"], batch_size=500)
        if not same_red_lines:
            TenderProfile.objects.filter(pk=profile.pk).update(screened_with=fingerprint)
    return len(fits)


def do_refresh_all_inboxes(*, tender_ids: Iterable[int] | None = None) -> int:
    """Refresh every profile's inbox over one shared index; returns how many inboxes.

    With `tender_ids` (what an import changed), nothing happens when that set is empty.
    """
    if tender_ids is not None and not list(tender_ids):
        return 0
    tenders = _open_tenders()
    index, by_ref = build_index(facts(t) for t in tenders)
    prepared = (index, by_ref, {t.pk: t for t in tenders})
    profiles = TenderProfile.objects.select_related("collective")
    now = timezone.now()
    count = 0
    for profile in profiles:
        do_refresh_inbox(collective=profile.collective, now=now, prepared=prepared)
        count += 1
    return count


def red_line_fingerprint(red_lines: Sequence[RedLine]) -> str:
    """Changes whenever a red line is added, changed or removed."""
    digest = hashlib.sha256()
    for red_line in red_lines:
        digest.update(f"{red_line.pk}:{red_line.updated_at.isoformat()};".encode())
    return digest.hexdigest()


def do_rescreen_entries(*, collective: Collective) -> int:
    """Screen the collective's inbox again (after its red lines changed)."""
    red_lines = list(RedLine.objects.filter(collective=collective))
    entries = list(
        InboxEntry.objects.filter(collective=collective)
        .select_related("tender")
        .prefetch_related("tender__lots", "screening_overrides")
    )
    for entry in entries:
        screen_entry(entry, red_lines)
    InboxEntry.objects.bulk_update(
        entries,
        ["screening_state", "screening_hits", "screened_at", "is_flagged"],
        batch_size=500,
    )
    return len(entries)


# --- what members do with an entry -----------------------------------------------------


def do_dismiss_entry(*, entry: InboxEntry, user: User, reason: str) -> InboxEntry:
    """Mark a tender as not interesting, with a reason that is shown and changes nothing else."""
    _require_member(entry.collective, user)
    if not reason.strip():
        raise TenderError(_("Say why this tender is not interesting."))
    if entry.state == EntryState.LEAD:
        raise TenderError(_("This tender is already a lead."))
    entry.state = EntryState.DISMISSED
    entry.dismiss_reason = reason.strip()[:1000]
    entry.dismissed_by = user
    entry.save(update_fields=["state", "dismiss_reason", "dismissed_by", "updated_at"])
    return entry


def do_restore_entry(*, entry: InboxEntry, user: User) -> InboxEntry:
    """Bring a dismissed tender back into the inbox."""
    _require_member(entry.collective, user)
    if entry.state != EntryState.DISMISSED:
        raise TenderError(_("Only a tender marked as not interesting can come back."))
    entry.state = EntryState.NEW
    entry.dismiss_reason = ""
    entry.dismissed_by = None
    entry.save(update_fields=["state", "dismiss_reason", "dismissed_by", "updated_at"])
    return entry


def lead_due_date(tender: Tender, days_before: int, today: dt.date | None = None) -> dt.date | None:
    """When the lead's next action is due: days before the deadline, never in the past."""
    today = today or timezone.localdate()
    if tender.deadline is None or tender.deadline_placeholder:
        return None
    due = timezone.localdate(tender.deadline) - dt.timedelta(days=days_before)
    return max(due, today)


def _value(value: Decimal | None, currency: str) -> int | None:
    if value is None or currency not in ("", "EUR") or value < 0:
        return None
    return int(value)


def do_turn_entry_into_lead(*, entry: InboxEntry, user: User, language: str = "de") -> Lead:
    """Make a lead of the collective's workbench from the tender, in one step.

    The lead names the tender (publication number and documents) and its next action is due
    the profile's number of days before the deadline. A tender becomes a lead once.
    """
    collective = entry.collective
    _require_member(collective, user)
    with transaction.atomic():
        locked = InboxEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.lead_id is not None or locked.state == EntryState.LEAD:
            raise TenderError(_("This tender is already a lead."))
        tender = entry.tender
        profile = TenderProfile.objects.filter(collective=collective).first()
        days = profile.lead_days_before_deadline if profile else DEFAULT_LEAD_DAYS
        value = _value(tender.estimated_value, tender.currency)
        reference = tender.publication_number or tender.procedure_id
        description = "\n\n".join(
            part
            for part in (
                tender.description_in(language),
                tender.documents_url and _("Documents: %(url)s") % {"url": tender.documents_url},
                tender.deadline_written
                and _("Deadline as written: %(deadline)s") % {"deadline": tender.deadline_written},
            )
            if part
        )
        lead = do_create_lead(
            collective=collective,
            user=user,
            values=LeadValues(
                title=(tender.title_in(language) or reference)[:200],
                client_name=tender.buyer_name[:200],
                description=description[:10000],
                source=LeadSource.TENDER,
                source_detail=(_("Tender %(reference)s") % {"reference": reference})[:255],
                value_min=value,
                value_max=value,
                next_action=_("Prepare and submit the bid"),
                next_action_due=lead_due_date(tender, days),
            ),
        )
        entry.lead = lead
        entry.state = EntryState.LEAD
        entry.save(update_fields=["lead", "state", "updated_at"])
    return lead


def do_override_tender_screening(
    *, entry: InboxEntry, user: User, reason: str
) -> TenderScreeningOverride:
    """Record that a member looked at the red-line hits and the collective may go ahead."""
    return do_lift_red_line_flag(
        item=entry,
        user=user,
        reason=reason,
        nothing_to_lift=_("This tender touches none of your red lines."),
        record=lambda keys, reason: TenderScreeningOverride.objects.create(
            entry=entry, keys=keys, reason=reason, by=user
        ),
        error=TenderError,
    )


# --- mail ------------------------------------------------------------------------------

DIGEST_EVERY = dt.timedelta(hours=23)
"""A collective's digest of new fits goes out at most this often (the job runs hourly)."""
REMIND_DAYS_BEFORE = 3
"""Members working on a lead from a tender are reminded this many days before the deadline."""


@dataclass(frozen=True)
class DigestItem:
    """One tender in a digest: what the tender says, never translated."""

    title: str
    buyer: str
    deadline: dt.datetime | None


def _new_fits(profile: TenderProfile, now: dt.datetime) -> list[InboxEntry]:
    return list(
        InboxEntry.objects.filter(
            collective_id=profile.collective_id,
            state=EntryState.NEW,
            fits=True,
            notified_at__isnull=True,
            tender__state="open",
        )
        .filter(Q(tender__deadline__isnull=True) | Q(tender__deadline__gte=now))
        .select_related("tender")
        .order_by("-score", "pk")
    )


def do_send_tender_digests(now: dt.datetime | None = None) -> int:
    """Tell each collective's members about tenders that newly fit, at most once a day.

    A collective turns it off in its profile; a person turns it off with the "digests and
    reminders" mute. The profile's `digest_sent_at` is claimed with a conditional update, and
    the entries are marked as told, so two workers or a rerun send nothing twice.
    """
    now = now or timezone.now()
    sent = 0
    profiles = TenderProfile.objects.filter(
        digest=True, collective__archived_at__isnull=True
    ).select_related("collective")
    for profile in profiles:
        entries = _new_fits(profile, now)
        if not entries:
            continue
        with transaction.atomic():
            claimed = (
                TenderProfile.objects.filter(pk=profile.pk)
                .filter(Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - DIGEST_EVERY))
                .update(digest_sent_at=now)
            )
            if not claimed:
                continue
            InboxEntry.objects.filter(pk__in=[e.pk for e in entries]).update(notified_at=now)
            collective = profile.collective
            sent += notify_users(
                collective.member_users(),
                template="tenders/email/digest",
                context={
                    "collective": collective,
                    "items": [
                        DigestItem(
                            title=e.tender.title_in(e.tender.language or "de")
                            or e.tender.procedure_id,
                            buyer=e.tender.buyer_name,
                            deadline=e.tender.deadline,
                        )
                        for e in entries[:DIGEST_LIMIT]
                    ],
                    "count": len(entries),
                    "inbox_url": reverse("tenders:inbox", args=[collective.slug]),
                },
                kind=NotificationKind.DIGESTS,
            )
    return sent


DIGEST_LIMIT = 20
"""Tenders named in one digest; the rest are counted and wait in the inbox."""


def do_remind_tender_deadlines(now: dt.datetime | None = None) -> int:
    """Remind the members working on a lead made from a tender that its deadline is near.

    Once per lead: `reminded_at` is claimed with a conditional update before the mail is queued.
    """
    now = now or timezone.now()
    entries = (
        InboxEntry.objects.filter(
            state=EntryState.LEAD,
            lead__isnull=False,
            reminded_at__isnull=True,
            tender__deadline__gt=now,
            tender__deadline__lte=now + dt.timedelta(days=REMIND_DAYS_BEFORE),
            tender__deadline_placeholder=False,
            tender__state="open",
            lead__stage__in=OPEN_STAGES,
        )
        .select_related("tender", "lead", "collective")
        .prefetch_related("lead__members")
    )
    sent = 0
    for entry in entries:
        lead = entry.lead
        assert lead is not None
        with transaction.atomic():
            if not InboxEntry.objects.filter(pk=entry.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            people = list(lead.members.all()) or entry.collective.member_users()
            sent += notify_users(
                people,
                template="tenders/email/deadline_reminder",
                context={
                    "lead": lead,
                    "collective": entry.collective,
                    "deadline": entry.tender.deadline,
                    "deadline_written": entry.tender.deadline_written,
                },
                kind=NotificationKind.DIGESTS,
            )
    return sent


# --- fetching --------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    path: Path | None
    """The saved package, or None when that day was fetched before."""
    summary: ImportSummary | None


def do_fetch_tenders(
    *, day: dt.date, transport: Transport | None = None, url_template: str | None = None
) -> FetchResult:
    """Download the day's package (TENDER_FETCH_URL), save it, import it, refresh the inboxes.

    Raises FetchError when it is not configured, the answer is empty or throttled.
    """
    template = settings.TENDER_FETCH_URL if url_template is None else url_template
    if not template:
        raise FetchError("fetching tenders is off: set TENDER_FETCH_URL to turn it on")
    path = fetch_day(
        transport=transport or UrllibTransport(),
        url_template=template,
        day=day,
        directory=Path(settings.TENDER_FETCH_DIR),
    )
    if path is None:
        return FetchResult(None, None)
    summary = do_import_outcomes(read_paths([str(path)]))
    do_refresh_all_inboxes(tender_ids=summary.tender_ids)
    return FetchResult(path, summary)


def do_fetch_yesterdays_tenders() -> int:
    """The worker's daily job: yesterday's package, when fetching is configured; 0 otherwise."""
    if not settings.TENDER_FETCH_URL:
        return 0
    result = do_fetch_tenders(day=timezone.localdate() - dt.timedelta(days=1))
    return 0 if result.summary is None else result.summary.new + result.summary.updated
