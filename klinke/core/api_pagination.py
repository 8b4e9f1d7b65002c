"""The one pagination of every list endpoint: `limit` and `offset`, both bounded.

ninja's own `LimitOffsetPagination` leaves both open above, so `offset=9223372036854775808`
reached the database and answered 500. Out-of-range values answer 422 naming the parameter.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 100
"""The most rows one page holds (and the default page size)."""

MAX_OFFSET = 1_000_000
"""Far beyond any list the network will have, and well inside every database's integers."""


class Pagination(LimitOffsetPagination):
    """`LimitOffsetPagination` with `limit` in 1..MAX_LIMIT and `offset` in 0..MAX_OFFSET."""

    class Input(Schema):
        limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
