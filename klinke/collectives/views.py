from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klinke.accounts import request_user
from klinke.collectives import actions
from klinke.collectives.access import member_collective, members_only, visible_collective
from klinke.collectives.forms import (
    CollectiveForm,
    DeleteCollectiveForm,
    InvitationForm,
    ReferenceFormSet,
)
from klinke.collectives.models import Collective, Invitation, Membership, Reference
from klinke.collectives.profile_sections import profile_sections
from klinke.core import fragments
from klinke.core.forms import refusal_onto
from klinke.core.models import is_network_member
from klinke.core.personal_data import what_goes_with
from klinke.core.submissions import once_per_submission


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    # Who may see it, and what the page shows around its kept part (the part reads the whole
    # profile when it is built).
    collective = visible_collective(
        request,
        slug,
        Collective.objects.only("slug", "name", "archived_at").prefetch_related(
            Prefetch("memberships", Membership.objects.only("collective_id", "user_id"))
        ),
        keep_as="collectives:profile-access",
    )
    is_member = any(m.user_id == request.user.pk for m in collective.memberships.all())
    member = is_network_member(request.user)

    def build() -> str:
        # What the profile shows alike to everyone of an audience (the public, or the
        # network's members), kept for the next visitor (klinke.core.fragments). The sections
        # other apps add (vouches) speak to the visitor: they go into the slot per request.
        full = Collective.objects.with_profile_relations().get(pk=collective.pk)
        return fragments.render_part(
            "collectives/_profile.html",
            {
                "collective": full,
                "show_members_only": member,
                "sections_slot": fragments.slot("sections", "profile"),
            },
        )

    profile = fragments.kept("collectives/_profile.html", (collective.pk, member), build)
    sections = "".join(
        render_to_string(
            section.template, {"collective": collective, "section": section.context}, request
        )
        for section in profile_sections(collective, request.user)
    )
    return render(
        request,
        "collectives/detail.html",
        {
            "collective": collective,
            "is_member": is_member,
            "profile": fragments.fill_slots(profile, "sections", {"profile": sections}),
        },
    )


def _reference_changes(
    references: BaseInlineFormSet[Reference, Collective, ModelForm[Reference]],
) -> actions.ReferenceChanges:
    return actions.ReferenceChanges(
        save=references.save(commit=False), delete=list(references.deleted_objects)
    )


@login_required
@once_per_submission
def create(request: HttpRequest) -> HttpResponse:
    form = CollectiveForm(request.POST or None)
    references = ReferenceFormSet(request.POST or None, prefix="references")
    if request.method == "POST" and form.is_valid() and references.is_valid():
        collective = actions.do_create_collective(
            creator=request_user(request),
            collective=form.save(commit=False),
            languages=form.chosen_languages,
            topics=form.chosen_topics,
            references=_reference_changes(references),
        )
        messages.success(
            request, _("The collective “%(name)s” is created.") % {"name": collective.name}
        )
        # A short guided path follows: profile essentials, the first need, colleagues.
        return redirect("home:first_steps", collective.slug)
    return render(
        request, "collectives/form.html", {"form": form, "references": references, "creating": True}
    )


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    form = CollectiveForm(request.POST or None, instance=collective)
    references = ReferenceFormSet(request.POST or None, instance=collective, prefix="references")
    if request.method == "POST" and form.is_valid() and references.is_valid():
        collective = actions.do_update_collective(
            collective=form.save(commit=False),
            languages=form.chosen_languages,
            topics=form.chosen_topics,
            references=_reference_changes(references),
        )
        messages.success(request, _("Your changes are saved."))
        return redirect(collective)
    return render(
        request,
        "collectives/form.html",
        {"form": form, "references": references, "collective": collective},
    )


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.InvitationError, field="email"):
            actions.do_invite_member(
                collective=collective,
                inviter=request_user(request),
                email=form.cleaned_data["email"],
            )
            messages.success(request, _("The invitation is on its way."))
            return redirect("collectives:members", slug=collective.slug)
    return render(
        request,
        "collectives/members.html",
        {
            "collective": collective,
            "form": form,
            "memberships": collective.memberships.select_related("user"),
            "invitations": collective.invitations.pending(),
        },
    )


@login_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.with_secret(token).select_related("collective")
    )
    if request.method == "POST":
        try:
            actions.do_accept_invitation(token=token, user=request_user(request))
        except actions.InvitationError as exc:
            messages.error(request, str(exc))
            return redirect("home")
        messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.collective.name})
        return redirect(invitation.collective)
    return render(request, "collectives/accept_invitation.html", {"invitation": invitation})


@members_only
@require_POST
def leave(request: HttpRequest, collective: Collective) -> HttpResponse:
    try:
        actions.do_leave_collective(collective=collective, user=request_user(request))
    except actions.MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("collectives:members", slug=collective.slug)
    messages.success(request, _("You have left %(name)s.") % {"name": collective.name})
    return redirect("home")


@members_only
@require_POST
def archive(request: HttpRequest, collective: Collective) -> HttpResponse:
    actions.do_archive_collective(collective=collective, user=request_user(request))
    messages.success(request, _("%(name)s is archived.") % {"name": collective.name})
    return redirect(collective)


@members_only
def delete(request: HttpRequest, collective: Collective) -> HttpResponse:
    """Name everything that goes, then delete the collective on its typed short name."""
    form = DeleteCollectiveForm(request.POST or None, slug=collective.slug)
    if request.method == "POST" and form.is_valid():
        name = collective.name
        try:
            actions.do_delete_collective(
                collective=collective,
                user=request_user(request),
                confirmation=form.cleaned_data["confirmation"],
            )
        except actions.MembershipError as exc:
            form.add_error("confirmation", str(exc))
        else:
            messages.success(request, _("%(name)s and its data are deleted.") % {"name": name})
            return redirect("home")
    return render(
        request,
        "collectives/delete.html",
        {"collective": collective, "form": form, "what_goes": what_goes_with(collective)},
    )
