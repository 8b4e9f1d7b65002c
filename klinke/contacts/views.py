"""Pages of a collective's address book. Everything answers 404 to anyone but its members."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from klinke.accounts import request_user
from klinke.collectives.access import member_collective
from klinke.collectives.models import Collective
from klinke.contacts import actions, importing, parsers
from klinke.contacts.exporting import export_contacts
from klinke.contacts.forms import (
    ContactFilterForm,
    ContactForm,
    EmailFormSet,
    MappingForm,
    OrganisationForm,
    PhoneFormSet,
    UploadForm,
)
from klinke.contacts.models import (
    Contact,
    ContactImport,
    ContactMerge,
    ContactQuerySet,
    ImportState,
    Organisation,
    split_tags,
)
from klinke.contacts.parsers import ContactFileError
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.submissions import once_per_submission
from klinke.exchange.models import Introduction
from klinke.matching.analysis import query_terms

PAGE_SIZE = 50
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "full_name",
    "nickname",
    "organisation",
    "role",
    "birthday",
    "website",
    "street",
    "postal_code",
    "city",
    "country",
    "tags",
    "notes",
)
SOURCE_FIELDS = (
    "source",
    "source_detail",
    "consent",
    "consent_on",
    "consent_note",
    "contact_preferences",
    "last_contacted_on",
)


def _contact(collective: Collective, pk: int) -> Contact:
    contact: Contact = get_object_or_404(
        Contact.objects.for_collective(collective).with_details(), pk=pk
    )
    return contact


def _organisation(collective: Collective, pk: int) -> Organisation:
    organisation: Organisation = get_object_or_404(
        Organisation.objects.for_collective(collective), pk=pk
    )
    return organisation


def filtered_contacts(
    collective: Collective, params: QueryDict
) -> tuple[ContactQuerySet, ContactFilterForm]:
    form = ContactFilterForm(params, collective=collective)
    contacts = Contact.objects.for_collective(collective).with_details()
    if form.is_valid():
        if form.cleaned_data["q"]:
            contacts = contacts.matching_terms(query_terms(form.cleaned_data["q"]))
        if form.cleaned_data["tag"]:
            contacts = contacts.tagged(form.cleaned_data["tag"])
        if form.cleaned_data["organisation"]:
            contacts = contacts.at_organisation(form.cleaned_data["organisation"])
    return contacts, form


def _collective_tags(collective: Collective) -> list[str]:
    tags: set[str] = set()
    for value in (
        Contact.objects.for_collective(collective)
        .exclude(tags="")
        .order_by("tags")
        .values_list("tags", flat=True)
        .distinct()
    ):
        tags.update(split_tags(value))
    return sorted(tags)


# --- contacts ----------------------------------------------------------------------------------


@login_required
def index(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    contacts, form = filtered_contacts(collective, request.GET)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "collective": collective,
        "page": page,
        "filter_form": form,
        "query": query.urlencode(),
        "tags": _collective_tags(collective),
        "current_tag": form.cleaned_data.get("tag", "") if form.is_valid() else "",
    }
    if request.htmx:
        return render(request, "contacts/_contact_list.html", context)
    return render(request, "contacts/index.html", context)


def _formset_pairs(rows: Iterable[BaseForm], field_name: str) -> list[tuple[str, str]]:
    """(value, label) of each filled, not deleted row of a formset, in order."""
    return [
        (str(form.cleaned_data[field_name]), str(form.cleaned_data.get("label") or ""))
        for form in rows
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and form.cleaned_data.get(field_name)
    ]


def _contact_form(
    request: HttpRequest, collective: Collective, contact: Contact | None
) -> HttpResponse:
    instance = contact or Contact(collective=collective)
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, instance=instance if contact else None, collective=collective)
    emails = EmailFormSet(data, instance=instance, prefix="emails")
    phones = PhoneFormSet(data, instance=instance, prefix="phones")
    if request.method == "POST" and form.is_valid() and emails.is_valid() and phones.is_valid():
        try:
            saved = actions.do_write_contact(
                collective=collective,
                user=request_user(request),
                contact=contact,
                values=form.contact_values(),
                emails=_formset_pairs(emails.forms, "email"),
                phones=_formset_pairs(phones.forms, "raw"),
            )
        except actions.ContactsError as exc:
            raise Http404 from exc
        messages.success(request, _("The contact is saved."))
        return redirect(saved)
    return render(
        request,
        "contacts/contact_form.html",
        {
            "collective": collective,
            "contact": contact,
            "form": form,
            "person_fields": [form[name] for name in PERSON_FIELDS],
            "source_fields": [form[name] for name in SOURCE_FIELDS],
            "emails": emails,
            "phones": phones,
        },
    )


@login_required
@once_per_submission
def contact_create(request: HttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    return _contact_form(request, collective, None)


@login_required
def contact_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    contact = _contact(collective, pk)
    merges = contact.merges.filter(undone_at__isnull=True).select_related("merged_by")[:10]
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "collective": collective,
            "contact": contact,
            "merges": merges,
            "added_by": contact.source_by,
        },
    )


@login_required
def contact_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    return _contact_form(request, collective, _contact(collective, pk))


@login_required
def contact_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    contact = _contact(collective, pk)
    return _confirm_delete(
        request,
        collective,
        contact,
        delete=lambda: actions.do_delete_contact(contact=contact),
        done=_("The contact is deleted."),
        index="contacts:index",
    )


def _confirm_delete(
    request: HttpRequest,
    collective: Collective,
    row: Contact | Organisation,
    *,
    delete: Callable[[], None],
    done: str,
    index: str,
) -> HttpResponse:
    """Ask before deleting `row`; on POST delete it and go back to the `index` list."""
    if request.method == "POST":
        delete()
        messages.success(request, done)
        return redirect(index, collective.slug)
    return render(
        request,
        "contacts/confirm_delete.html",
        {"collective": collective, "object": row, "cancel_url": row.get_absolute_url()},
    )


# --- merging -----------------------------------------------------------------------------------


@login_required
def contact_merge(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Find a duplicate of this contact and merge it in; this contact is kept."""
    collective = member_collective(request, slug)
    contact = _contact(collective, pk)
    if request.method == "POST":
        other_pk = request.POST.get("other", "")
        # A tampered, non-numeric id finds no one rather than failing the lookup.
        merged = (
            Contact.objects.for_collective(collective)
            .filter(pk=int(other_pk))
            .exclude(pk=contact.pk)
            .first()
            if other_pk.isdigit() and len(other_pk) < 19
            else None
        )
        if merged is None:
            raise Http404
        name = merged.display_name
        merge = actions.do_merge_contacts(kept=contact, merged=merged, user=request_user(request))
        messages.success(
            request,
            _("“%(name)s” is merged into this contact. You can undo this below.") % {"name": name},
        )
        return redirect(
            reverse("contacts:detail", args=[collective.slug, contact.pk]) + f"#merge-{merge.pk}"
        )
    q = request.GET.get("q", "").strip()
    if q:
        candidates = (
            Contact.objects.for_collective(collective)
            .exclude(pk=contact.pk)
            .matching_terms(query_terms(q))
            .with_details()[:20]
        )
        suggestions: list[tuple[Contact, str]] = [(c, "") for c in candidates]
    else:
        suggestions = _likely_duplicates(collective, contact)
    context = {"collective": collective, "contact": contact, "suggestions": suggestions, "q": q}
    if request.htmx:
        return render(request, "contacts/_merge_candidates.html", context)
    return render(request, "contacts/contact_merge.html", context)


def _likely_duplicates(collective: Collective, contact: Contact) -> list[tuple[Contact, str]]:
    """Contacts that look like this one. The database narrows the pool to those sharing an
    email address, a phone number or a name term; the duplicate index decides."""
    from klinke.contacts.duplicates import Candidate, DuplicateIndex, Incoming

    emails = [e.email for e in contact.emails.all()]
    phones = [p.e164 for p in contact.phones.all() if p.e164]
    shared = Q(emails__email__in=emails) | Q(phones__e164__in=phones)
    for term in query_terms(contact.display_name)[:4]:
        shared |= Q(search_document__contains=f" {term} ")
    pool = list(
        Contact.objects.for_collective(collective)
        .exclude(pk=contact.pk)
        .filter(pk__in=Contact.objects.filter(shared).values("pk"))
        .with_details()[:500]
    )
    index = DuplicateIndex.build(
        Candidate(
            key=other.pk,
            name=other.display_name,
            organisation=other.organisation.name if other.organisation else "",
            emails=[e.email for e in other.emails.all()],
            phones=[p.e164 for p in other.phones.all() if p.e164 and not p.is_guessed],
            guessed_phones=[p.e164 for p in other.phones.all() if p.is_guessed],
        )
        for other in pool
    )
    found = index.find(
        Incoming(
            name=contact.display_name,
            organisation=contact.organisation.name if contact.organisation else "",
            emails=emails,
            phones=[p.e164 for p in contact.phones.all() if p.e164 and not p.is_guessed],
            guessed_phones=[p.e164 for p in contact.phones.all() if p.is_guessed],
        )
    )[:20]
    reasons = {
        "email": _("same email address"),
        "phone": _("same phone number"),
        "phone-guessed": _("same phone number, if the country is right"),
        "name": _("similar name"),
    }
    by_pk: dict[int | str, Contact] = {other.pk: other for other in pool}
    return [(by_pk[m.key], str(reasons[m.reason])) for m in found if m.key in by_pk]


@login_required
def merges(request: HttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    recent = (
        ContactMerge.objects.filter(collective=collective)
        .select_related("kept__collective", "merged_by", "contact_import")
        .order_by("-merged_at", "-pk")[:100]
    )
    return render(request, "contacts/merges.html", {"collective": collective, "merges": recent})


@login_required
def merge_undo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    # Membership first, so outsiders get 404 whatever the method.
    collective = member_collective(request, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    merge = get_object_or_404(ContactMerge.objects.filter(collective=collective), pk=pk)
    try:
        contact = actions.do_undo_merge(merge=merge, user=request_user(request))
    except actions.ContactsError as exc:
        messages.error(request, str(exc))
        return redirect("contacts:merges", collective.slug)
    messages.success(request, _("The merge is undone."))
    return redirect(contact)


# --- introductions -----------------------------------------------------------------------------


@login_required
def from_introduction(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    # Membership first, so outsiders get 404 whatever the method.
    collective = member_collective(request, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    introduction = get_object_or_404(
        Introduction.objects.select_related("need__collective", "supporter", "collective"),
        pk=pk,
        need__collective=collective,
    )
    if not introduction.contact_details_visible:
        raise Http404
    contact, created = actions.do_save_contact_from_introduction(
        collective=collective, user=request_user(request), introduction=introduction
    )
    if created:
        messages.success(request, _("The contact is saved in your address book."))
    else:
        messages.info(request, _("This contact is already in your address book."))
    return redirect(contact)


# --- organisations -----------------------------------------------------------------------------


@login_required
def organisation_index(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    organisations = (
        Organisation.objects.for_collective(collective)
        .select_related("collective")
        .annotate(contact_count=Count("contacts"))
        .order_by("name", "pk")
    )
    q = request.GET.get("q", "").strip()
    if q:
        organisations = organisations.matching_terms(query_terms(q))
    tag = request.GET.get("tag", "").strip()
    if tag:
        organisations = organisations.tagged(tag)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"collective": collective, "page": page, "q": q, "tag": tag}
    if request.htmx:
        return render(request, "contacts/_organisation_list.html", context)
    return render(request, "contacts/organisation_index.html", context)


def _organisation_form(
    request: HttpRequest, collective: Collective, organisation: Organisation | None
) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        saved = actions.do_write_organisation(
            collective=collective,
            user=request_user(request),
            organisation=organisation,
            values=form.organisation_values(),
        )
        messages.success(request, _("The organisation is saved."))
        return redirect(saved)
    return render(
        request,
        "contacts/organisation_form.html",
        {"collective": collective, "organisation": organisation, "form": form},
    )


@login_required
@once_per_submission
def organisation_create(request: HttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    return _organisation_form(request, collective, None)


@login_required
def organisation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    organisation = _organisation(collective, pk)
    contacts = organisation.contacts.select_related("collective")
    return render(
        request,
        "contacts/organisation_detail.html",
        {"collective": collective, "organisation": organisation, "contacts": contacts},
    )


@login_required
def organisation_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    return _organisation_form(request, collective, _organisation(collective, pk))


@login_required
def organisation_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    organisation = _organisation(collective, pk)
    return _confirm_delete(
        request,
        collective,
        organisation,
        delete=lambda: actions.do_delete_organisation(organisation=organisation),
        done=_("The organisation is deleted; its contacts are kept."),
        index="contacts:organisation_index",
    )


# --- import ------------------------------------------------------------------------------------


def _own_import(request: HttpRequest, collective: Collective, pk: int) -> ContactImport:
    return get_object_or_404(
        ContactImport.objects.owned_by(collective, request_user(request)).select_related(
            "collective"
        ),
        pk=pk,
    )


def _file_error(error: ContactFileError) -> str:
    if error.record is not None and error.line is not None:
        return _("Record %(record)s (line %(line)s): %(message)s. Nothing was imported.") % {
            "record": error.record,
            "line": error.line,
            "message": error.translated(),
        }
    if error.line is not None:
        return _("Line %(line)s: %(message)s. Nothing was imported.") % {
            "line": error.line,
            "message": error.translated(),
        }
    return _("%(message)s Nothing was imported.") % {
        "message": capfirst(error.translated().rstrip(".")) + "."
    }


@login_required
def import_start(request: HttpRequest, slug: str) -> HttpResponse:
    collective = member_collective(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            contact_import = actions.do_start_import(
                collective=collective,
                user=request_user(request),
                file_name=upload.name or "upload",
                data=upload.read(parsers.MAX_FILE_BYTES + 1),
            )
        except ContactFileError as exc:
            error = _file_error(exc)
        else:
            if contact_import.state == ImportState.MAPPING:
                return redirect("contacts:import_mapping", collective.slug, contact_import.pk)
            return redirect("contacts:import_preview", collective.slug, contact_import.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contacts/import_start.html",
        {"collective": collective, "form": form, "error": error},
        status=status,
    )


@login_required
def import_mapping(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    contact_import = _own_import(request, collective, pk)
    if contact_import.file_format != "csv" or contact_import.state == ImportState.DONE:
        raise Http404
    table = parsers.CsvTable.from_dict(contact_import.table)
    form = MappingForm(
        request.POST or None,
        header=table.header,
        initial_mapping=list(contact_import.mapping.get("columns", [])),
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_map_columns(contact_import=contact_import, mapping=form.mapping())
        except ContactFileError as exc:
            error = _file_error(exc)
        else:
            return redirect("contacts:import_preview", collective.slug, contact_import.pk)
    samples = [cells for _line, cells in table.rows[:3]]
    columns = [(form[f"column_{i}"], [row[i] for row in samples]) for i in range(len(table.header))]
    return render(
        request,
        "contacts/import_mapping.html",
        {
            "collective": collective,
            "contact_import": contact_import,
            "form": form,
            "columns": columns,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def import_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collective = member_collective(request, slug)
    contact_import = _own_import(request, collective, pk)
    if contact_import.state != ImportState.PREVIEW:
        if contact_import.state == ImportState.MAPPING:
            return redirect("contacts:import_mapping", collective.slug, contact_import.pk)
        raise Http404
    records = importing.import_records(contact_import)
    rows = importing.preview_rows(
        records,
        importing.existing_candidates(collective),
        collective_country=collective.country,
    )
    error = ""
    if request.method == "POST":
        choices: dict[int, tuple[str, int | None]] = {}
        for row in rows:
            action = request.POST.get(f"action-{row.number}", row.default_action)
            if action not in importing.MergeChoice.ALL:
                action = row.default_action
            target: int | None = None
            if action == importing.MergeChoice.MERGE:
                raw = request.POST.get(f"merge-{row.number}", "")
                target = int(raw) if raw.isdigit() else None
            choices[row.number] = (action, target)
        try:
            result = actions.do_import_contacts(
                contact_import=contact_import, user=request_user(request), choices=choices
            )
        except actions.ImportFailed as exc:
            error = _("%(error)s Nothing was imported.") % {"error": exc}
        else:
            messages.success(
                request,
                _("Import finished: %(created)s new, %(merged)s merged, %(skipped)s skipped.")
                % result.as_dict(),
            )
            return redirect("contacts:index", collective.slug)
    matched = [m.key for row in rows for m in row.mergeable]
    known = (
        Contact.objects.for_collective(collective)
        .select_related("organisation", "collective")
        .in_bulk(matched)
    )
    for row in rows:
        row.resolved = [
            (m, known.get(m.key) if isinstance(m.key, int) else None) for m in row.matches
        ]
        row.merge_targets = [known[int(m.key)] for m in row.mergeable if m.key in known]
    return render(
        request,
        "contacts/import_preview.html",
        {
            "collective": collective,
            "contact_import": contact_import,
            "rows": rows,
            "error": error,
            "duplicates": sum(1 for row in rows if row.matches),
        },
        status=400 if error else 200,
    )


# --- export ------------------------------------------------------------------------------------


@login_required
def export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    collective = member_collective(request, slug)
    contacts, _form = filtered_contacts(collective, request.GET)
    stamp = timezone.localdate().isoformat()
    name = f"{slugify(collective.slug)}-contacts-{stamp}"
    if file_format == "vcf":
        body = parsers.write_vcards(export_contacts(contacts))
        response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.vcf"'
    elif file_format == "csv":
        body = parsers.write_csv(export_contacts(contacts))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        raise Http404
    response["Cache-Control"] = "private, no-store"
    return response
