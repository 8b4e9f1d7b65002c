"""The first steps of a new collective, and which of them its members chose to skip.

Whether a step is done is read from the collective's data (a description, a city and topics;
a need; a second member or an invitation), never stored, so it cannot drift. Only a skip is
a decision of its own, stored per collective: one member skipping a step skips it for all.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective


class Step(models.TextChoices):
    PROFILE = "profile", _("Complete the profile")
    NEED = "need", _("Post the first need")
    INVITE = "invite", _("Invite colleagues")


class SkippedStep(models.Model):
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="skipped_first_steps"
    )
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    skipped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("skipped first step")
        verbose_name_plural = _("skipped first steps")
        constraints = [
            models.UniqueConstraint(fields=["collective", "step"], name="one_skip_per_first_step")
        ]

    def __str__(self) -> str:
        return f"{self.collective_id}: {self.step}"
