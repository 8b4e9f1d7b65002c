"""The lead page's link back to the tender a lead was made from (see ``workbench.origins``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from klinke.core.languages import interface_language
from klinke.tenders.models import EntryState, InboxEntry
from klinke.workbench.models import Lead, LeadSource
from klinke.workbench.origins import LeadOrigin


def tender_origin(lead: Lead) -> LeadOrigin | None:
    """The tender behind a lead made from the collective's tender inbox, if there is one."""
    if lead.source != LeadSource.TENDER:
        return None  # no query for the other leads
    entry = (
        InboxEntry.objects.filter(lead=lead, collective_id=lead.collective_id)
        .select_related("tender")
        .first()
    )
    if entry is None:
        return None
    tender = entry.tender
    language = interface_language()
    url = reverse("tenders:inbox", args=[lead.collective.slug])
    return LeadOrigin(
        kind=_("Tender"),
        title=tender.title_in(language) or tender.procedure_id,
        url=f"{url}?show={EntryState.LEAD}#tender-{entry.pk}",
        buyer=tender.buyer_name,
        deadline=None if tender.deadline_placeholder else tender.deadline,
        reference=tender.publication_number or tender.procedure_id,
    )
