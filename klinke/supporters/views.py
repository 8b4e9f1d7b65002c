from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.core.models import is_network_member, remember_network_role
from klinke.supporters.actions import do_save_supporter_profile
from klinke.supporters.forms import SupporterForm
from klinke.supporters.models import Supporter


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    supporter = get_object_or_404(
        Supporter.objects.visible_to(request.user).prefetch_related("topics"), slug=slug
    )
    return render(
        request,
        "supporters/detail.html",
        {
            "supporter": supporter,
            "show_members_only": is_network_member(request.user),
            "is_own": supporter.is_managed_by(request.user),
        },
    )


@login_required
def edit_own(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    instance = Supporter.objects.filter(user=user).first()
    if instance is None:
        instance = Supporter(name=user.name)
    form = SupporterForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        supporter = do_save_supporter_profile(
            user=user,
            supporter=form.save(commit=False),
            topics=data.get("topics") or [],
            languages=data.get("spoken_languages") or [],
            sectors=data.get("sectors") or [],
        )
        remember_network_role(request.session, "supporter", True)
        messages.success(request, _("Your supporter profile is saved."))
        return redirect(supporter)
    return render(request, "supporters/form.html", {"form": form, "creating": instance.pk is None})
