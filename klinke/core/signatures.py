"""Typed keyword arguments of the Django methods klinke overrides.

A model's `save()` or a form's `__init__()` that adds a step and then calls `super()` passes
the caller's options on untouched. These TypedDicts name those options, so the override can
say `**options: Unpack[SaveOptions]` instead of `**kwargs: Any` and mypy still checks callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Generic, TypedDict, TypeVar

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


class FormOptions(TypedDict, total=False):
    """The keyword arguments of `Form.__init__()` after `data`."""

    files: MultiValueDict[str, UploadedFile] | None
    auto_id: bool | str
    prefix: str | None
    initial: MutableMapping[str, object] | None
    error_class: type[ErrorList]
    label_suffix: str | None
    empty_permitted: bool
    field_order: Iterable[str] | None
    use_required_attribute: bool | None
    renderer: BaseRenderer | None


#: What a bound form reads its values from: `request.POST`, `request.GET` or a plain dict.
FormData = Mapping[str, object]


_M = TypeVar("_M", bound=Model)


class ModelFormOptions(TypedDict, Generic[_M], total=False):
    """The keyword arguments of `ModelForm.__init__()` after `data`."""

    files: MultiValueDict[str, UploadedFile] | None
    auto_id: bool | str
    prefix: str | None
    initial: MutableMapping[str, object] | None
    error_class: type[ErrorList]
    label_suffix: str | None
    empty_permitted: bool
    instance: _M | None
    use_required_attribute: bool | None
    renderer: BaseRenderer | None
