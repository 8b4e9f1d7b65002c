"""How far each of a person's collectives has come on its first steps, in two queries: their
facts (none, when the page loaded its collectives with `with_step_facts`) and their skips
(none, when every step is done)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from klinke.accounts.models import User
from klinke.collectives.models import Collective, CollectiveQuerySet, Invitation, Membership
from klinke.exchange.models import Need
from klinke.home.models import SkippedStep, Step


@dataclass(frozen=True)
class StepState:
    step: Step
    done: bool
    skipped: bool
    """Skipped and not done: once a step is done, whether it was skipped no longer matters."""

    @property
    def finished(self) -> bool:
        return self.done or self.skipped

    @property
    def label(self) -> str:
        return str(self.step.label)


@dataclass(frozen=True)
class Progress:
    collective: Collective
    steps: tuple[StepState, ...]

    @property
    def done_count(self) -> int:
        return sum(1 for state in self.steps if state.done)

    @property
    def finished_count(self) -> int:
        return sum(1 for state in self.steps if state.finished)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def is_complete(self) -> bool:
        return all(state.finished for state in self.steps)

    @property
    def next_step(self) -> StepState | None:
        return next((state for state in self.steps if not state.finished), None)

    @property
    def url(self) -> str:
        return reverse("home:first_steps", args=[self.collective.slug])


STEP_FACT_FIELDS = ("description_de", "description_en", "city")
"""The fields of a collective (besides the annotations) that its first steps are read from."""


def with_step_facts(collectives: CollectiveQuerySet, user: User) -> CollectiveQuerySet:
    """`collectives` with what their first steps are read from, so that `progress_for` need
    not ask again for the collectives a page has already loaded this way."""
    return collectives.annotate(
        has_topics=Exists(Collective.topics.through.objects.filter(collective_id=OuterRef("pk"))),
        has_need=Exists(Need.objects.filter(collective_id=OuterRef("pk"))),
        has_colleague=Exists(
            Membership.objects.filter(collective_id=OuterRef("pk")).exclude(user_id=user.pk)
        ),
        has_invitation=Exists(Invitation.objects.filter(collective_id=OuterRef("pk"))),
    )


def progress_for(collectives: Sequence[Collective], user: User) -> list[Progress]:
    """Each collective's first steps, seen by `user` (a colleague is anyone but them).

    Collectives loaded through `with_step_facts` (for the same user) are not asked again."""
    if not collectives:
        return []
    if all(hasattr(collective, "has_need") for collective in collectives):
        facts = {collective.pk: collective for collective in collectives}
    else:
        facts = {
            row.pk: row
            for row in with_step_facts(
                Collective.objects.filter(pk__in=[c.pk for c in collectives]), user
            )
        }
    done = {collective.pk: _done(facts[collective.pk]) for collective in collectives}
    # A skip only matters for a step that is not done, so collectives with every step done
    # (most, once they are settled in) need no look at their skips.
    unfinished = [pk for pk, steps in done.items() if not all(steps.values())]
    skipped: set[tuple[int, str]] = (
        set(
            SkippedStep.objects.filter(collective__in=unfinished).values_list(
                "collective_id", "step"
            )
        )
        if unfinished
        else set()
    )
    return [
        Progress(
            collective=collective,
            steps=tuple(
                StepState(
                    step=step,
                    done=done[collective.pk][step],
                    skipped=not done[collective.pk][step] and (collective.pk, step) in skipped,
                )
                for step in Step
            ),
        )
        for collective in collectives
    ]


def _done(row: Collective) -> dict[Step, bool]:
    """Which first steps a collective (loaded through `with_step_facts`) has done."""
    return {
        Step.PROFILE: bool(
            (row.description_de.strip() or row.description_en.strip())
            and row.city.strip()
            and row.has_topics  # type: ignore[attr-defined]
        ),
        Step.NEED: bool(row.has_need),  # type: ignore[attr-defined]
        Step.INVITE: bool(row.has_colleague or row.has_invitation),  # type: ignore[attr-defined]
    }
