"""Higher apps add sections to the public profile through a registry, not imports."""

from __future__ import annotations

import pytest

from klinke.collectives import profile_sections
from klinke.collectives.profile_sections import ProfileSection, register_profile_section

pytestmark = pytest.mark.django_db


def test_it_asks_every_registered_finder_once_and_skips_empty_answers(network, monkeypatch):
    monkeypatch.setattr(profile_sections, "_FINDERS", [])
    calls = []

    def finder(collective, viewer):
        calls.append((collective.slug, viewer))
        return ProfileSection("vouches/_profile_section.html", {"vouches": [], "links": []})

    register_profile_section(finder)
    register_profile_section(finder)
    register_profile_section(lambda collective, viewer: None)
    found = profile_sections.profile_sections(network.collective_a, None)
    assert [section.template for section in found] == ["vouches/_profile_section.html"]
    assert calls == [("quellcode", None)]


def test_it_renders_the_registered_sections_on_the_profile(network):
    # The vouches app registers its section: a member of another collective is shown where
    # to vouch, even before anyone has.
    page = network.client_for(network.bob).get(network.collective_a.get_absolute_url())
    assert page.status_code == 200
    assert 'aria-labelledby="vouches-heading"' in page.content.decode()
