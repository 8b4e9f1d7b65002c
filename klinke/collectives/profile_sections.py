"""Sections that higher apps add to a collective's public profile page.

`collectives` is a low floor and must not import the apps that know more about a collective
(vouches, for one). Those apps register a finder in their ``AppConfig.ready``; the profile page
asks every finder for the collective it shows and whoever looks, and renders each section's
template with its context, in the order the apps registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from klinke.core.models import Visitor

if TYPE_CHECKING:
    from klinke.collectives.models import Collective


@dataclass(frozen=True, slots=True)
class ProfileSection:
    """A template to include on the profile page, with the context it needs."""

    template: str
    context: Mapping[str, object] = field(default_factory=dict)


ProfileSectionFinder = Callable[["Collective", Visitor], "ProfileSection | None"]
_FINDERS: list[ProfileSectionFinder] = []


def register_profile_section(finder: ProfileSectionFinder) -> None:
    """Let the profile page ask ``finder`` for a section (once per finder)."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def profile_sections(collective: Collective, viewer: Visitor) -> list[ProfileSection]:
    """Every registered app's section for ``collective`` as ``viewer`` sees it."""
    return [section for finder in _FINDERS if (section := finder(collective, viewer)) is not None]
