"""Schema pieces shared by the API's endpoints: the input rule for bodies and queries, the
directory's filters and regions, and the error answers every operation documents."""

from collections.abc import Mapping
from typing import Annotated, Protocol, TypeAlias

from django.http import HttpRequest
from ninja import Schema
from pydantic import Field, field_validator

from klinke.core.models import is_network_member
from klinke.core.text import NUL_MESSAGE, clean_text, has_nul

# Django's IntegerField range, which every database stores (and ids stay far below).
MIN_INTEGER = -(2**31)
MAX_INTEGER = 2**31 - 1


def _cleaned(value: object) -> object:
    """`value` with the input rule applied to every string in it, however deeply nested."""
    if isinstance(value, str):
        if has_nul(value):
            raise ValueError(NUL_MESSAGE)
        return clean_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if not MIN_INTEGER <= value <= MAX_INTEGER:
            raise ValueError(f"must be between {MIN_INTEGER} and {MAX_INTEGER}")
        return value
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


class InputSchema(Schema):
    """The base of every request body and query schema: the one input rule of
    `klinke.core.text` for every text field, nested lists included.

    A NUL anywhere answers 422 naming the field; bidirectional controls and invisible
    characters are removed before the endpoint sees the value; a number outside the range
    the database stores answers 422 too (PostgreSQL would refuse it with a server error).
    """

    @field_validator("*", mode="after")
    @classmethod
    def _apply_input_rule(cls, value: object) -> object:
        return _cleaned(value)


class RegionOut(Schema):
    city: str
    country: str
    nuts_code: str
    latitude: float | None
    longitude: float | None


class BilingualText(Schema):
    de: str
    en: str


MAX_QUERY_LENGTH = 200
"""As the search forms of the pages; longer queries only cost the server time."""

SearchText = Annotated[str, Field(max_length=MAX_QUERY_LENGTH)]
"""The `q` of every search: words to look for, at most MAX_QUERY_LENGTH characters."""


class DirectoryFilter(InputSchema):
    q: SearchText = ""
    topic: str = ""
    region: str = ""
    language: str = ""


class Placed(Protocol):
    """Anything with klinke's region fields: profiles, needs and offers."""

    city: str
    country: str
    nuts_code: str
    latitude: float | None
    longitude: float | None


ResolverContext: TypeAlias = Mapping[str, object] | None
"""What django-ninja passes a resolver that asks for `context`; "request" is the request."""


def region_of(profile: Placed) -> RegionOut:
    return RegionOut(
        city=profile.city,
        country=profile.country,
        nuts_code=profile.nuts_code,
        latitude=profile.latitude,
        longitude=profile.longitude,
    )


def members_view(context: ResolverContext) -> bool:
    """Whether the caller may see members-only fields (cached per request on the user)."""
    request = (context or {}).get("request")
    return isinstance(request, HttpRequest) and is_network_member(request.user)


class InputProblem(Schema):
    """One problem with the input, as 422 lists them: where (`loc`) and what (`msg`)."""

    type: str
    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    """Every refusal: a sentence, or for invalid input (422) the list of problems."""

    detail: str | list[InputProblem]


ERROR_STATUSES = frozenset({401, 403, 404, 409, 422})


def answers(success: object, *errors: int, status: int = 200) -> dict[int, object]:
    """An operation's `response=`: `success` under `status`, and `ErrorOut` under each of
    `errors`, so the OpenAPI document names every status the operation can answer.

    401 is for a wrong or missing token, 403 for the wrong person (or a session write without
    the CSRF header), 404 for what the caller cannot see, 409 for a state that forbids the
    change, 422 for invalid input.
    """
    unknown = set(errors) - ERROR_STATUSES
    if unknown:
        raise ValueError(f"not an error status klinke answers: {sorted(unknown)}")
    return {status: success, **dict.fromkeys(sorted(errors), ErrorOut)}
