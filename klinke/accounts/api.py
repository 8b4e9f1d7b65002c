"""The caller's own data: ask for an export, follow it, delete the account (password in body).

The same rules as the pages: only the person themselves, someone else's export answers 404,
and deletion needs the password (and a second-factor code when one is set).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.accounts.deletion import DeletionRefused, Proof, do_delete_account
from klinke.accounts.export import do_request_personal_export
from klinke.accounts.models import PersonalExport
from klinke.core.api_schemas import InputSchema, answers

router = Router(tags=["account"], auth=TokenOrSessionRequired())


class ExportOut(Schema):
    id: int
    state: str
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    download_url: str | None = Field(
        None, description="The page that downloads the archive, logged in; null until ready."
    )

    @staticmethod
    def resolve_download_url(obj: PersonalExport) -> str | None:
        return settings.SITE_URL + obj.get_absolute_url() if obj.is_downloadable else None


class DeleteAccountIn(InputSchema):
    password: str = Field(..., max_length=4096)
    code: str = Field("", max_length=64, description="Required when a second factor is set.")


@router.post("/exports", response=answers(ExportOut, 401, 403, status=201))
def request_export(request: HttpRequest) -> Status[PersonalExport]:
    """Ask for an archive of everything klinke holds about you; the worker builds it and
    emails you a link. A request still waiting is returned instead of a second one."""
    return Status(201, do_request_personal_export(user=request_user(request)))


@router.get("/exports/{export_id}", response=answers(ExportOut, 401, 404, 422))
def export_status(request: HttpRequest, export_id: int) -> PersonalExport:
    return get_object_or_404(PersonalExport, pk=export_id, user=request_user(request))


@router.post("/delete", response=answers(None, 401, 403, 422, status=204))
def delete_account(request: HttpRequest, body: DeleteAccountIn) -> Status[None]:
    """Delete your account for good: your personal data goes, what you wrote for a collective
    stays under "former member". Needs your password, and a code if you set a second factor."""
    try:
        do_delete_account(
            user=request_user(request), proof=Proof(password=body.password, code=body.code)
        )
    except DeletionRefused as refused:
        raise HttpError(403, f"{refused.field}: {refused.message}") from refused
    return Status(204, None)
