"""Account tests share the database cache, where allauth keeps its rate limits and used codes."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
