"""Writes to supporter profiles."""

from __future__ import annotations

from django.db import transaction

from klinke.accounts.models import User
from klinke.supporters.forms import SupporterForm
from klinke.supporters.models import Supporter


@transaction.atomic
def do_save_supporter_profile(*, user: User, form: SupporterForm) -> Supporter:
    form.apply_lists()
    form.instance.user = user
    supporter = form.save()
    supporter.refresh_search_document()
    return supporter
