"""Writes of the first steps: skipping a step, and taking it up again."""

from __future__ import annotations

from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.home.models import SkippedStep, Step


class FirstStepsError(Exception):
    """A move on the first steps that is not allowed; the message says why."""


def _check(collective: Collective, user: User, step: str) -> Step:
    if not collective.has_member(user):
        raise FirstStepsError(_("Only members of the collective can do this."))
    if step not in Step.values:
        raise FirstStepsError(_("There is no such step."))
    return Step(step)


def do_skip_first_step(*, collective: Collective, user: User, step: str) -> SkippedStep:
    """Skip `step` for the whole collective; skipping twice changes nothing."""
    chosen = _check(collective, user, step)
    skipped, _created = SkippedStep.objects.get_or_create(collective=collective, step=chosen)
    return skipped


def do_resume_first_step(*, collective: Collective, user: User, step: str) -> None:
    """Show a skipped step again."""
    chosen = _check(collective, user, step)
    SkippedStep.objects.filter(collective=collective, step=chosen).delete()
