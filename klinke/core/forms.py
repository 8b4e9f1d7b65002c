"""Web forms: the input rule of `klinke.core.text`, which every form class mixes in, and
`refusal_onto`, which shows an action's refusal on the form that asked for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from klinke.core.text import clean_text, has_nul


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return has_nul(value)
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [clean_text(item) for item in value]
    return value


class CleanTextInputs(forms.BaseForm):
    """Refuses a NUL in any field, with an error on that field, and removes bidirectional
    controls and invisible characters from every text value in `cleaned_data`.

    Django's CharField already refuses NUL; this covers every other field too (choices, model
    choices, dates), and keeps the NUL away from their cleaning, which may ask the database
    (PostgreSQL cannot take a NUL even in a query).
    """

    def _clean_fields(self) -> None:
        with_nul = [name for name in self.fields if _contains_nul(self._submitted(name))]
        original = self.data
        if with_nul:
            self.data = _without_nul_values(original)
        try:
            # django-stubs leave out this private step; it is where per-field cleaning
            # happens, before clean() and the model form's instance construction.
            super()._clean_fields()  # type: ignore[misc]
        finally:
            self.data = original
        for name in with_nul:
            # Replace the error the emptied value earned (such as "required") with the reason.
            self.errors.pop(name, None)
            self.add_error(
                name,
                ValidationError(
                    _("Null characters are not allowed."), code="null_characters_not_allowed"
                ),
            )
        for name, value in list(self.cleaned_data.items()):
            self.cleaned_data[name] = _cleaned(value)

    def _submitted(self, name: str) -> list[object]:
        """What was sent for field `name`, as sent (a checkbox's widget would say True), with
        the parts of a multi-widget (`name_0`, `name_1`) too."""
        if self.data is None:
            return []
        html_name = self[name].html_name
        values: list[object] = []
        for key in self.data:
            if key == html_name or key.startswith(html_name + "_"):
                if hasattr(self.data, "getlist"):
                    values.extend(self.data.getlist(key))
                else:
                    values.append(self.data[key])
        return values


def _without_nul_values(data: Mapping[str, object]) -> Mapping[str, object]:
    """A copy of the submitted data where every value holding a NUL is emptied."""
    if isinstance(data, MultiValueDict):
        copy = data.copy()
        for key in list(copy.keys()):
            values = copy.getlist(key)
            if _contains_nul(values):
                copy.setlist(key, ["" if _contains_nul(v) else v for v in values])
        return copy
    plain = dict(data)
    for key, value in list(plain.items()):
        if isinstance(value, str) and _contains_nul(value):
            plain[key] = ""
        elif isinstance(value, list | tuple) and _contains_nul(value):
            plain[key] = [v for v in value if not _contains_nul(v)]
    return plain


@contextmanager
def refusal_onto(
    form: forms.BaseForm, *refusals: type[Exception], field: str | None = None
) -> Iterator[None]:
    """Run an action for a valid form; if it refuses, show why on the form and go on.

    The action's refusal (one of the exception classes `refusals`, such as the app's error or
    `ValidationError`) becomes an error of `field`, or of the whole form, and the rest of the
    block is skipped, so the view renders the form again with the reason:

        with refusal_onto(form, actions.WorkbenchError):
            decision = actions.do_open_decision(...)
            return redirect(decision)
        return render(request, "…", {"form": form})
    """
    try:
        yield
    except refusals as exc:
        # A ValidationError may carry several messages; other refusals say one thing.
        form.add_error(field, exc.messages if isinstance(exc, ValidationError) else str(exc))
