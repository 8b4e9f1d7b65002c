"""What klinke has told a Murmurations index, so a profile that disappears is withdrawn."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MurmurationsNode(models.Model):
    """A profile URL registered with the configured Murmurations index."""

    profile_url = models.URLField(max_length=500, unique=True)
    node_id = models.CharField(max_length=64)
    registered_at = models.DateTimeField(default=timezone.now)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["profile_url"]

    def __str__(self) -> str:
        return self.profile_url
