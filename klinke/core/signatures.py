"""Typed keyword arguments of the Django methods klinke overrides.

A model's `save()` or a form's `__init__()` that adds a step and then calls `super()` passes
the caller's options on untouched. These TypedDicts name those options, so the override can
say `**options: Unpack[SaveOptions]` instead of untyped `**kwargs`, and mypy still checks callers.
`form_field()` gives a form's field as the kind it is declared with, to narrow its choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Generic, TypedDict, TypeVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.db.models.base import ModelBase
from django.forms.renderers import BaseRenderer
from django.forms.utils import ErrorList
from django.utils.datastructures import MultiValueDict


class SaveOptions(TypedDict, total=False):
    """The keyword arguments of `Model.save()`."""

    force_insert: bool | tuple[ModelBase, ...]
    force_update: bool
    using: str | None
    update_fields: Iterable[str] | None


class _BoundFormOptions(TypedDict, total=False):
    """The keyword arguments that `Form.__init__()` and `ModelForm.__init__()` share."""

    files: MultiValueDict[str, UploadedFile] | None
    auto_id: bool | str
    prefix: str | None
    initial: MutableMapping[str, object] | None
    error_class: type[ErrorList]
    label_suffix: str | None
    empty_permitted: bool
    use_required_attribute: bool | None
    renderer: BaseRenderer | None


class FormOptions(_BoundFormOptions, total=False):
    """The keyword arguments of `Form.__init__()` after `data`."""

    field_order: Iterable[str] | None


#: What a form is bound to: `request.POST`, `request.GET` or a plain dict; None leaves it unbound.
FormData = Mapping[str, object] | None


_M = TypeVar("_M", bound=Model)


class ModelFormOptions(_BoundFormOptions, Generic[_M], total=False):
    """The keyword arguments of `ModelForm.__init__()` after `data`."""

    instance: _M | None


_F = TypeVar("_F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """The form's own copy of field `name`, typed as the kind the form declares it with.

    A form narrows its choices per request (a collective's leads, its members) on this copy.
    """
    field = form.fields[name]
    assert isinstance(field, kind)
    return field
