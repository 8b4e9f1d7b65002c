"""Registering klinke's Murmurations profiles with the configured index (off by default).

`register_profiles()` posts every published profile's URL to the index (which then fetches and
validates it) and asks the index to delete nodes whose profile is gone (opted out, hidden,
closed or expired; their URLs answer 404 by then). It runs from `manage.py murmurations
register` and as the worker job "murmurations" once a day, and does nothing while
KLINKE_MURMURATIONS_INDEX_URL is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from klinke.network.models import MurmurationsNode
from klinke.network.murmurations.profiles import profile_urls
from klinke.network.murmurations.transport import (
    HttpTransport,
    IndexUnavailable,
    Transport,
    node_id,
)


@dataclass
class RegistrationResult:
    registered: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.registered)} registered, {len(self.withdrawn)} withdrawn, "
            f"{len(self.failed)} failed"
        )


def configured_transport() -> Transport | None:
    base = settings.KLINKE_MURMURATIONS_INDEX_URL
    return HttpTransport(base) if base else None


def register_profiles(transport: Transport | None = None) -> RegistrationResult:
    """Tell the index about every published profile, and withdraw the ones that are gone."""
    transport = transport or configured_transport()
    result = RegistrationResult()
    if transport is None:
        return result
    current = profile_urls()
    for url in current:
        try:
            answer = transport.register(url)
        except IndexUnavailable:
            result.failed.append(url)
            continue
        if 200 <= answer.status < 300:
            result.registered.append(url)
        else:
            result.failed.append(url)
        MurmurationsNode.objects.update_or_create(
            profile_url=url,
            defaults={
                "node_id": node_id(url),
                "registered_at": timezone.now(),
                "last_status": answer.status,
                "withdrawn_at": None,
            },
        )
    gone = MurmurationsNode.objects.filter(withdrawn_at__isnull=True).exclude(
        profile_url__in=current
    )
    for node in gone:
        try:
            answer = transport.delete(node.profile_url)
        except IndexUnavailable:
            result.failed.append(node.profile_url)
            continue
        # 404: the index never had it or already dropped it; either way it is gone there.
        if 200 <= answer.status < 300 or answer.status == 404:
            with transaction.atomic():
                node.withdrawn_at = timezone.now()
                node.last_status = answer.status
                node.save(update_fields=["withdrawn_at", "last_status"])
            result.withdrawn.append(node.profile_url)
        else:
            result.failed.append(node.profile_url)
    return result


def register_job() -> str:
    """The worker's daily job: nothing unless an index is configured."""
    if not settings.KLINKE_MURMURATIONS_INDEX_URL:
        return "off"
    return str(register_profiles())
