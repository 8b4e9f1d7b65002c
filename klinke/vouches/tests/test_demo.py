"""The demo vouches: confirmed ones, one waiting, one for the collective interested in the demo
inquiry; loading twice changes nothing and sends no mail."""

from __future__ import annotations

import pytest
from django.core import mail

from klinke.inquiries.models import Answer, Inquiry, InquiryOffer, State
from klinke.network.demo_loader import do_load_demo_network
from klinke.vouches.models import Vouch, VouchState

pytestmark = pytest.mark.django_db


def test_it_loads_confirmed_and_pending_demo_vouches_once_without_mail() -> None:
    do_load_demo_network()
    vouches = Vouch.objects.filter(is_demo=True)
    assert vouches.filter(state=VouchState.PUBLIC).count() >= 3
    assert vouches.filter(state=VouchState.PENDING).count() == 1
    assert vouches.filter(voucher_supporter__isnull=False, state=VouchState.PUBLIC).exists()
    assert all("(Demo)" in vouch.project for vouch in vouches)
    open_inquiry = Inquiry.objects.get(is_demo=True, state=State.OPEN)
    interested = InquiryOffer.objects.filter(inquiry=open_inquiry, answer=Answer.INTERESTED)
    assert interested.exists()
    for offer in interested:
        assert Vouch.objects.public().filter(collective=offer.collective_id).exists()
    assert not [m for m in mail.outbox if "vouch" in m.subject.lower()]
    count = vouches.count()
    do_load_demo_network()
    assert Vouch.objects.filter(is_demo=True).count() == count
