"""The demo inquiries: one open round, one handed over as a lead; loading twice changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from klinke.inquiries.models import Inquiry, InquiryOffer, State
from klinke.network.demo_loader import do_load_demo_network
from klinke.workbench.models import Lead, LeadSource

pytestmark = pytest.mark.django_db


def test_it_loads_an_open_and_a_handed_over_demo_inquiry_without_mail() -> None:
    do_load_demo_network()
    inquiries = list(Inquiry.objects.filter(is_demo=True).order_by("pk"))
    assert [i.state for i in inquiries] == [State.OPEN, State.HANDED_OVER]
    assert all("Demo" in i.description or "demo" in i.description for i in inquiries)
    assert InquiryOffer.objects.filter(inquiry=inquiries[0]).count() >= 3
    assert Lead.objects.filter(source=LeadSource.INQUIRY, title__startswith="(Demo)").count() == 1
    assert not [m for m in mail.outbox if "example" in " ".join(m.to) and "demo" in m.to[0]]
    do_load_demo_network()
    assert Inquiry.objects.filter(is_demo=True).count() == 2
