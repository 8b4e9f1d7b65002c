"""The site address in links: the development server's port, or SITE_URL when set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


def site_url(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "DEBUG"}}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", "from klinke import settings; print(settings.SITE_URL)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_it_derives_the_site_url_from_the_port_in_development():
    assert site_url(DEBUG="true", PORT="8123") == "http://127.0.0.1:8123"


def test_it_defaults_to_port_8000():
    assert site_url(DEBUG="true") == "http://127.0.0.1:8000"


@pytest.mark.parametrize("debug", ["true", "false"])
def test_it_prefers_site_url_when_set(debug):
    assert (
        site_url(
            DEBUG=debug,
            PORT="8123",
            SITE_URL="https://klinke.example.org/",
            SECRET_KEY="x" * 50,
        )
        == "https://klinke.example.org"
    )
