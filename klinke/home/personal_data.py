"""The first steps hold nothing about a person; a collective's skipped steps go with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klinke.core.personal_data import CollectiveData

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def describe_collective(collective: Collective) -> list[str]:
    return []


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: skipped steps go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="home", describe=describe_collective, erase=erase_collective
)
