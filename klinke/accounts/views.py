from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klinke.accounts import request_user
from klinke.accounts.forms import AccountSettingsForm, APITokenForm
from klinke.accounts.models import APIToken


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
