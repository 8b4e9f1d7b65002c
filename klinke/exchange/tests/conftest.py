"""Fixtures of the support exchange's tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def english(settings: Any) -> None:
    """Pages and messages in English, whatever the site's default language.

    Emails still follow each recipient's own `language`, which the mail tests set.
    """
    settings.LANGUAGE_CODE = "en"
