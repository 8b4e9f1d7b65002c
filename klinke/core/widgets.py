"""Date and time inputs that always speak ISO 8601, whatever the page's language.

A browser's ``<input type="date">`` only reads ``2027-03-06``. Django's stock widgets render
the localized ``06.03.2027`` on German pages, which the browser silently drops: the field
shows up empty, a post fails with "required" and an edit loses the stored date. Every form
in klinke uses these widgets instead of ``forms.DateInput``/``DateTimeInput``/``TimeInput``
(``klinke/core/tests/test_date_inputs.py`` checks every form class).
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# What the inputs post, plus the forms people type when a browser has no picker. Django adds
# its ISO formats to the localized ones, but a ``T`` between date and time is not among them.
DATETIME_LOCAL_INPUT_FORMATS = [
    ISO_DATETIME_LOCAL,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format=ISO_TIME)


class IsoDateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME_LOCAL)


class IsoDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` field that reads what the browser posts in every language."""

    widget = IsoDateTimeLocalInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_LOCAL_INPUT_FORMATS)
        super().__init__(**kwargs)
