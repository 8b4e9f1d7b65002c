"""A person's part in their collectives' workbenches: the decisions they voted in, what they
opened, logged and referred. It stays with the collective under "former member"; their reminder
settings and digest records go with their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.workbench.models import (
    Activity,
    Decision,
    DecisionComment,
    DigestRecord,
    Lead,
    RedLine,
    Referral,
    Response,
    ScreeningOverride,
    WorkbenchPreference,
)

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="decisions",
            about_en=(
                "Decisions you voted in, with your response and reason, your comments on "
                "decisions, and the decisions you opened."
            ),
            about_de=(
                "Entscheidungen, an denen du teilgenommen hast, mit deiner Antwort und "
                "Begründung, deine Kommentare zu Entscheidungen und die Entscheidungen, die du "
                "eröffnet hast."
            ),
            content={
                "responses": rows(
                    Response.objects.filter(member=user).order_by("created_at"),
                    "decision__collective__name",
                    "decision__question",
                    "decision__state",
                    "decision__outcome",
                    "choice",
                    "reason",
                    "created_at",
                    "updated_at",
                ),
                "comments": rows(
                    DecisionComment.objects.filter(author=user).order_by("created_at"),
                    "decision__collective__name",
                    "decision__question",
                    "text",
                    "created_at",
                    "edited_at",
                ),
                "opened": rows(
                    Decision.objects.filter(opened_by=user).order_by("opened_at"),
                    "collective__name",
                    "question",
                    "details",
                    "state",
                    "outcome",
                    "opened_at",
                ),
            },
        ),
        ExportFile(
            name="workbench",
            about_en=(
                "Leads you created or work on, activities you logged, screening hits you "
                "overrode, red lines you wrote and referrals you made or answered, in your "
                "collectives' workbenches."
            ),
            about_de=(
                "Aufträge, die du angelegt hast oder bearbeitest, Aktivitäten, die du notiert "
                "hast, Prüftreffer, die du übergangen hast, rote Linien, die du geschrieben "
                "hast, und Weitergaben, die du gemacht oder beantwortet hast."
            ),
            content={
                "leads": rows(
                    Lead.objects.filter(Q(created_by=user) | Q(members=user))
                    .distinct()
                    .order_by("created_at"),
                    "collective__name",
                    "title",
                    "stage",
                    "created_at",
                ),
                "activities": rows(
                    Activity.objects.filter(by=user).order_by("occurred_at"),
                    "lead__title",
                    "kind",
                    "text",
                    "occurred_at",
                ),
                "screening_overrides": rows(
                    ScreeningOverride.objects.filter(by=user).order_by("at"),
                    "lead__title",
                    "reason",
                    "at",
                ),
                "red_lines": rows(
                    RedLine.objects.filter(created_by=user).order_by("created_at"),
                    "collective__name",
                    "name",
                    "explanation",
                    "created_at",
                ),
                "referrals": rows(
                    Referral.objects.filter(Q(referred_by=user) | Q(answered_by=user))
                    .distinct()
                    .order_by("created_at"),
                    "from_collective__name",
                    "to_collective__name",
                    "title",
                    "message",
                    "answer_message",
                    "state",
                    "created_at",
                    "answered_at",
                ),
                "reminder_settings": rows(
                    WorkbenchPreference.objects.filter(user=user), "digest_scope"
                ),
                "digests_sent": rows(
                    DigestRecord.objects.filter(user=user).order_by("sent_on"),
                    "sent_on",
                    "lead_count",
                ),
            },
        ),
    ]


def erase(user: User) -> None:
    WorkbenchPreference.objects.filter(user=user).delete()
    DigestRecord.objects.filter(user=user).delete()
    Lead.members.through.objects.filter(user=user).delete()


PERSONAL_DATA = PersonalData(
    app_label="workbench",
    covers=(
        "workbench.WorkbenchPreference.user",
        "workbench.DigestRecord.user",
        "workbench.RedLine.created_by",
        "workbench.Lead.created_by",
        "workbench.Lead.members",
        "workbench.ScreeningOverride.by",
        "workbench.Activity.by",
        "workbench.Decision.opened_by",
        "workbench.Response.member",
        "workbench.DecisionComment.author",
        "workbench.Referral.referred_by",
        "workbench.Referral.answered_by",
    ),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    leads = Lead.objects.filter(collective=collective).count()
    decisions = Decision.objects.filter(collective=collective).count()
    red_lines = RedLine.objects.filter(collective=collective).count()
    referrals = Referral.objects.filter(
        Q(from_collective=collective) | Q(to_collective=collective)
    ).count()
    return [
        _(
            "The workbench: leads: %(leads)d (with their activities), decisions: %(decisions)d, "
            "red lines: %(red_lines)d, referrals: %(referrals)d, and its settings."
        )
        % {"leads": leads, "decisions": decisions, "red_lines": red_lines, "referrals": referrals}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: the workbench goes with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="workbench", describe=describe_collective, erase=erase_collective
)
