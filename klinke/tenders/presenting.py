"""How an inbox entry's reasons read, in the active language.

"CPV 72230000 Entwicklung kundenspezifischer Software · Stichwort „Webportal“ · DED5 Leipzig ·
Frist in 12 Tagen · 100.000 €": the stored reasons (CPV, keywords, region) and what changes
with time or the tender (deadline, value) are written when shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klinke.core.languages import interface_language
from klinke.tenders import cpv, nuts
from klinke.tenders.models import Lot, Tender


def money(value: Decimal, currency: str) -> str:
    amount = formats.number_format(round(value), decimal_pos=0, use_l10n=True, force_grouping=True)
    symbol = {"EUR": "€", "": "€"}.get(currency, currency)
    return f"{amount} {symbol}"


def value_text(tender: Tender, lots: Iterable[Lot]) -> str:
    if tender.estimated_value is not None:
        return money(tender.estimated_value, tender.currency)
    values = [lot.estimated_value for lot in lots if lot.estimated_value is not None]
    if not values:
        return ""
    currency = next((lot.currency for lot in lots if lot.currency), tender.currency)
    low, high = min(values), max(values)
    if low == high:
        return money(low, currency)
    return f"{money(low, currency).rsplit(' ', 1)[0]}–{money(high, currency)}"


def deadline_text(tender: Tender, now: dt.datetime | None = None) -> str:
    if tender.deadline is None:
        return _("no deadline given")
    if tender.deadline_placeholder:
        return _("deadline unclear (%(written)s looks like a placeholder)") % {
            "written": tender.deadline_written
        }
    days = tender.days_left(now)
    if days is None or days < 0:
        return _("deadline passed")
    if days == 0:
        return _("deadline today")
    return ngettext("deadline in %(n)s day", "deadline in %(n)s days", days) % {"n": days}


def reason_text(reason: Mapping[str, str]) -> str:
    kind, value = reason.get("kind"), reason.get("value", "")
    if kind == "cpv":
        return f"CPV {value} {cpv.label(value, interface_language())}".strip()
    if kind == "keyword":
        return _("keyword “%(word)s”") % {"word": value}
    if kind == "region":
        return nuts.label(value, interface_language())
    if kind == "remote":
        return _("can be done anywhere")
    return value


def reason_texts(
    tender: Tender, reasons: Iterable[Mapping[str, str]], now: dt.datetime | None = None
) -> list[str]:
    """Every reason of a fit, then the deadline and the value, in the active language."""
    lots = list(tender.lots.all())
    texts = [reason_text(r) for r in reasons]
    texts.append(deadline_text(tender, now or timezone.now()))
    value = value_text(tender, lots)
    if value:
        texts.append(value)
    return texts
