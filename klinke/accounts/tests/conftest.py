"""Account tests share the database cache, where allauth keeps its rate limits and used codes."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class QuickArgon2(Argon2PasswordHasher):
    """Argon2 at low cost, for tests that log in many times and do not test hashing strength."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture
def quick_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        "klinke.accounts.tests.conftest.QuickArgon2",
        *settings.PASSWORD_HASHERS,
    ]
