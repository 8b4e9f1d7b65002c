from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klinke.accounts import request_user
from klinke.accounts.deletion import (
    DeletionRefused,
    Proof,
    do_delete_account,
    needs_second_factor,
    what_deletion_changes,
)
from klinke.accounts.export import EXPORT_DAYS, do_request_personal_export, export_storage
from klinke.accounts.forms import AccountSettingsForm, APITokenForm, DeleteAccountForm
from klinke.accounts.models import APIToken, PersonalExport, PersonalExportState
from klinke.core.submissions import once_per_submission


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = AccountSettingsForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        response = redirect("accounts:settings")
        from django.conf import settings

        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE
        )
        return response
    return render(request, "accounts/settings.html", {"form": form})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = APITokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = APIToken.issue(user=user, name=form.cleaned_data["name"])
        form = APITokenForm()
    tokens = user.api_tokens.all()
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(APIToken, pk=pk, user=request_user(request))
    token.revoke()
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")


@login_required
@once_per_submission
def personal_data(request: HttpRequest) -> HttpResponse:
    """Ask for an export of everything klinke holds about you, and download it when ready."""
    user = request_user(request)
    if request.method == "POST":
        do_request_personal_export(user=user)
        messages.success(
            request, _("Your data is being put together. You will get an email with the link.")
        )
        return redirect("accounts:personal_data")
    exports = PersonalExport.objects.of(user)
    return render(
        request,
        "accounts/personal_data.html",
        {"exports": exports, "export_days": EXPORT_DAYS},
    )


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    # Someone else's export, a missing one and an expired one all answer the same 404.
    export = get_object_or_404(
        PersonalExport,
        pk=pk,
        user=request_user(request),
        state=PersonalExportState.READY,
        expires_at__gt=timezone.now(),
    )
    return FileResponse(
        export_storage().open(export.file_name, "rb"),
        as_attachment=True,
        filename=f"klinke-data-{export.ready_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    """Confirm what goes and what stays, then delete the account on the password (and code)."""
    user = request_user(request)
    form = DeleteAccountForm(request.POST or None, needs_code=needs_second_factor(user))
    if request.method == "POST" and form.is_valid():
        proof = Proof(
            password=form.cleaned_data["password"], code=form.cleaned_data.get("code", "")
        )
        try:
            do_delete_account(user=user, proof=proof)
        except DeletionRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Goodbye, and thank you."))
            return redirect("home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "changes": what_deletion_changes(user)},
    )
