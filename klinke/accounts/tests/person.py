"""One person with data in every app: a fact for each user-linked field klinke has.

`seed_person` returns, for each "app_label.Model.field" relation to the user, the export file
that must show it and a marker that file must contain. The export test walks Django's model
registry, so a new user-linked field without a seeded fact (and an exporter) fails it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from allauth.mfa.models import Authenticator
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from klinke.accounts.models import APIToken, PersonalExport, User
from klinke.collectives.models import Collective, Invitation
from klinke.conftest import Network, make_collective, make_user
from klinke.contacts.models import Contact, ContactImport, ContactMerge, Organisation
from klinke.core.models import NotificationKind, NotificationMute
from klinke.estimates.models import ActualHours, Estimate, EstimateVersion, WorkPackage
from klinke.exchange.models import Introduction
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.inquiries.models import Inquiry, InquiryOffer
from klinke.knowledge.models import (
    Answer,
    Article,
    ArticleRevision,
    Question,
    QuestionDigest,
    QuestionRecipient,
)
from klinke.rates.tests.conftest import save_rate
from klinke.supporters.models import Supporter
from klinke.tenders.models import (
    Consortium,
    ConsortiumMember,
    InboxEntry,
    Tender,
    TenderScreeningOverride,
)
from klinke.vouches.models import Vouch
from klinke.workbench.models import (
    Activity,
    Decision,
    DecisionComment,
    DigestRecord,
    Lead,
    RedLine,
    Referral,
    Response,
    ScreeningOverride,
    WorkbenchPreference,
)
from klinke.workshops.models import (
    CalendarToken,
    Event,
    EventMessage,
    Interest,
    Material,
    Registration,
    WorkshopIdea,
)

EMAIL = "petra.personenbezug@example.org"
NAME = "Petra Personenbezug"
PHONE = "+49 341 9876543"
FIXED_DAY = datetime(2031, 1, 2, 9, 30, tzinfo=UTC)


@dataclass
class Person:
    user: User
    own_collective: Collective
    shared_collective: Collective
    facts: dict[str, tuple[str, str]] = field(default_factory=dict)
    """"app_label.Model.field" -> (export file name, a marker that file contains)."""


def seed_person(network: Network) -> Person:
    petra = make_user(EMAIL, NAME, phone=PHONE, language="en")
    own = make_collective("petras-werkstatt", "Petras Werkstatt", members=[petra])
    shared = network.collective_a
    shared.memberships.create(user=petra)
    facts: dict[str, tuple[str, str]] = {}

    def fact(name: str, file: str, marker: str) -> None:
        facts[name] = (file, marker)

    # core and accounts
    NotificationMute.objects.create(user=petra, kind=NotificationKind.DIGESTS)
    fact("core.NotificationMute.user", "notification_settings", "digests")
    APIToken.issue(user=petra, name="FACT token name")
    fact("accounts.APIToken.user", "api_tokens", "FACT token name")
    fact("account.EmailAddress.user", "profile", EMAIL)
    Authenticator.objects.create(user=petra, type=Authenticator.Type.RECOVERY_CODES, data={})
    fact("mfa.Authenticator.user", "profile", "recovery_codes")
    LogEntry.objects.create(
        user=petra,
        content_type=ContentType.objects.get_for_model(Collective),
        object_id=str(own.pk),
        object_repr="FACT admin change",
        action_flag=ADDITION,
    )
    fact("admin.LogEntry.user", "admin_actions", "FACT admin change")
    PersonalExport.objects.create(user=petra, state="ready", requested_at=FIXED_DAY)
    fact("accounts.PersonalExport.user", "exports", "2031-01-02")

    # collectives
    fact("collectives.Membership.user", "memberships", "Petras Werkstatt")
    Invitation.issue(collective=own, email="neu@example.org", invited_by=petra)
    fact("collectives.Invitation.invited_by", "invitations", "sent")
    accepted = Invitation.issue(collective=shared, email=EMAIL, invited_by=network.alice)[0]
    Invitation.objects.filter(pk=accepted.pk).update(accepted_by=petra, accepted_at=FIXED_DAY)
    fact("collectives.Invitation.accepted_by", "invitations", "accepted")

    # supporters
    supporter = Supporter.objects.create(
        slug="petra-hilft", name=NAME, user=petra, bio_en="FACT supporter bio"
    )
    fact("supporters.Supporter.user", "supporter_profile", "FACT supporter bio")

    # exchange
    need = make_need(shared, "FACT need title", "What we need.", created_by=petra)
    fact("exchange.Need.created_by", "needs", "FACT need title")
    make_offer(shared, "FACT offer title", "What we offer.", created_by=petra)
    fact("exchange.Offer.created_by", "offers", "FACT offer title")
    Introduction.objects.create(
        need=need,
        supporter=network.supporter,
        counterpart_key=Introduction.key_for(network.supporter),
        requested_by=petra,
        message="FACT request message",
        requester_email=EMAIL,
        requester_phone=PHONE,
    )
    fact("exchange.Introduction.requested_by", "introductions", "FACT request message")
    bobs_need = make_need(network.collective_b, "Hosting help", "Someone to help.")
    Introduction.objects.create(
        need=bobs_need,
        supporter=supporter,
        counterpart_key=Introduction.key_for(supporter),
        requested_by=network.bob,
        message="Can you help?",
        requester_email=network.bob.email,
        state="accepted",
        answered_by=petra,
        response_message="FACT answer message",
        responder_email=EMAIL,
        responder_phone=PHONE,
        answered_at=FIXED_DAY,
    )
    fact("exchange.Introduction.answered_by", "introductions", "FACT answer message")

    # workshops
    idea = WorkshopIdea.objects.create(title="FACT idea title", description="Let us learn.")
    idea.proposers.add(petra)
    fact("workshops.WorkshopIdea.proposers", "workshop_ideas", "FACT idea title")
    other_idea = WorkshopIdea.objects.create(title="FACT interesting idea", description="Yes.")
    Interest.objects.create(idea=other_idea, user=petra, region="FACT region")
    fact("workshops.Interest.user", "interests", "FACT region")
    start = timezone.now() + timedelta(days=7)
    event = Event.objects.create(
        title="FACT event title",
        description="Pricing.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        created_by=petra,
    )
    fact("workshops.Event.created_by", "events_hosted", "FACT event title")
    hosted = Event.objects.create(
        title="FACT hosted event",
        description="Hosting.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
    )
    hosted.hosts.add(petra)
    fact("workshops.Event.hosts", "events_hosted", "FACT hosted event")
    attended = Event.objects.create(
        title="FACT attended event",
        description="Attend.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
    )
    Registration.objects.create(event=attended, user=petra, status="confirmed")
    fact("workshops.Registration.user", "registrations", "FACT attended event")
    EventMessage.objects.create(
        event=event, sender=petra, subject="FACT message subject", body="Bring pens."
    )
    fact("workshops.EventMessage.sender", "event_messages", "FACT message subject")
    Material.objects.create(
        event=event,
        title="FACT slides",
        file="materials/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=petra,
    )
    fact("workshops.Material.uploaded_by", "event_materials", "FACT slides")
    CalendarToken.objects.create(user=petra, digest="d" * 64, created_at=FIXED_DAY)
    fact("workshops.CalendarToken.user", "calendar_feed", "2031-01-02")

    # knowledge
    article = Article.objects.create(
        title="FACT article title", slug="fact-article", body="Body.", author=petra
    )
    fact("knowledge.Article.author", "articles", "FACT article title")
    ArticleRevision.objects.create(
        article=article, number=1, title="t", body="b", note="FACT revision note", author=petra
    )
    fact("knowledge.ArticleRevision.author", "article_revisions", "FACT revision note")
    question = Question.objects.create(title="FACT question title", body="Why?", asker=petra)
    fact("knowledge.Question.asker", "questions", "FACT question title")
    Answer.objects.create(question=question, author=petra, body="FACT answer body")
    fact("knowledge.Answer.author", "answers", "FACT answer body")
    digest = QuestionDigest.objects.create(user=petra, question_count=42)
    fact("knowledge.QuestionDigest.user", "question_digests", "42")
    other_question = Question.objects.create(title="FACT suggested question", body="How?")
    QuestionRecipient.objects.create(
        question=other_question, user=petra, score=0.5, reasons=[], digest=digest
    )
    fact("knowledge.QuestionRecipient.user", "question_digests", "FACT suggested question")

    # contacts
    organisation = Organisation.objects.create(collective=shared, name="Org", created_by=petra)
    fact("contacts.Organisation.created_by", "address_book_activity", f'"id": {organisation.pk}')
    contact = Contact.objects.create(collective=shared, given_name="Kim", created_by=petra)
    fact("contacts.Contact.created_by", "address_book_activity", f'"id": {contact.pk}')
    sourced = Contact.objects.create(collective=shared, given_name="Lu", source_by=petra)
    fact("contacts.Contact.source_by", "address_book_activity", f'"id": {sourced.pk}')
    ContactImport.objects.create(
        collective=shared,
        created_by=petra,
        file_name="FACT-import.vcf",
        file_format="vcard",
        state="preview",
    )
    fact("contacts.ContactImport.created_by", "address_book_activity", "FACT-import.vcf")
    ContactMerge.objects.create(
        collective=shared, kept=contact, merged_by=petra, merged_at=FIXED_DAY
    )
    fact("contacts.ContactMerge.merged_by", "address_book_activity", "2031-01-02")

    # workbench
    WorkbenchPreference.objects.create(user=petra, digest_scope="mine")
    fact("workbench.WorkbenchPreference.user", "workbench", "mine")
    DigestRecord.objects.create(user=petra, sent_on=date(2031, 1, 3), lead_count=3)
    fact("workbench.DigestRecord.user", "workbench", "2031-01-03")
    red_line = RedLine(collective=shared, name="FACT red line", created_by=petra)
    red_line.save()
    fact("workbench.RedLine.created_by", "workbench", "FACT red line")
    lead = Lead.objects.create(collective=shared, title="FACT lead title", created_by=petra)
    fact("workbench.Lead.created_by", "workbench", "FACT lead title")
    member_lead = Lead.objects.create(collective=shared, title="FACT lead I work on")
    member_lead.members.add(petra)
    fact("workbench.Lead.members", "workbench", "FACT lead I work on")
    ScreeningOverride.objects.create(lead=lead, keys=[], reason="FACT override", by=petra)
    fact("workbench.ScreeningOverride.by", "workbench", "FACT override")
    Activity.objects.create(lead=lead, kind="note", text="FACT activity text", by=petra)
    fact("workbench.Activity.by", "workbench", "FACT activity text")
    decision = Decision.objects.create(
        collective=shared,
        question="FACT decision question",
        deadline=timezone.now() + timedelta(days=3),
        rule="consent",
        quorum_percent=50,
        opened_by=petra,
    )
    fact("workbench.Decision.opened_by", "decisions", "FACT decision question")
    Response.objects.create(decision=decision, member=petra, choice="block", reason="FACT vote")
    fact("workbench.Response.member", "decisions", "FACT vote")
    DecisionComment.objects.create(decision=decision, author=petra, text="FACT comment")
    fact("workbench.DecisionComment.author", "decisions", "FACT comment")
    Referral.objects.create(
        from_collective=shared,
        to_collective=network.collective_b,
        referred_by=petra,
        client_agreed=True,
        title="FACT referral sent",
    )
    fact("workbench.Referral.referred_by", "workbench", "FACT referral sent")
    Referral.objects.create(
        from_collective=network.collective_b,
        to_collective=shared,
        answered_by=petra,
        client_agreed=True,
        title="FACT referral answered",
        answer_message="Gladly.",
    )
    fact("workbench.Referral.answered_by", "workbench", "FACT referral answered")

    # tenders
    tender = Tender.objects.create(
        procedure_id="FACT-procedure", title={"de": "FACT Ausschreibung"}
    )
    entry = InboxEntry.objects.create(
        collective=shared,
        tender=tender,
        state="dismissed",
        dismiss_reason="FACT not for us",
        dismissed_by=petra,
    )
    fact("tenders.InboxEntry.dismissed_by", "tenders", "FACT not for us")
    TenderScreeningOverride.objects.create(entry=entry, reason="FACT tender override", by=petra)
    fact("tenders.TenderScreeningOverride.by", "tenders", "FACT tender override")

    # rates
    save_rate(shared, petra, change_note="FACT day rate note")
    fact("rates.DayRate.created_by", "day_rates", "FACT day rate note")
    # estimates
    estimate = Estimate.objects.create(
        collective=shared, title="FACT estimate started", created_by=petra
    )
    fact("estimates.Estimate.created_by", "estimates", "FACT estimate started")
    EstimateVersion.objects.create(
        estimate=estimate, number=1, change_note="FACT version note", created_by=petra
    )
    fact("estimates.EstimateVersion.created_by", "estimates", "FACT version note")
    ActualHours.objects.create(
        package=WorkPackage.objects.create(
            version=EstimateVersion.objects.get(estimate=estimate, number=1),
            name="FACT package",
            optimistic_hours=1,
            likely_hours=2,
            pessimistic_hours=3,
            hourly_rate=90,
        ),
        hours=2,
        note="FACT actual hours",
        created_by=petra,
    )
    fact("estimates.ActualHours.created_by", "estimates", "FACT actual hours")
    joint = Tender.objects.create(
        procedure_id="FACT-joint", title={"de": "FACT gemeinsame Ausschreibung"}
    )
    consortium = Consortium.objects.create(tender=joint, initiator=shared, started_by=petra)
    fact("tenders.Consortium.started_by", "tenders", "FACT gemeinsame Ausschreibung")
    ConsortiumMember.objects.create(
        consortium=consortium,
        collective=own,
        tender=joint,
        state="accepted",
        message="FACT consortium invitation",
        invited_by=petra,
        answered_by=petra,
        contact=petra,
    )
    fact("tenders.ConsortiumMember.invited_by", "tenders", "FACT consortium invitation")
    fact("tenders.ConsortiumMember.answered_by", "tenders", "consortium_invitations_answered")
    fact("tenders.ConsortiumMember.contact", "tenders", "consortium_contact_person_for")
    # inquiries
    inquiry = Inquiry.objects.create(
        description="FACT inquiry",
        organisation_type="non-profit",
        contact_name="Klara Kundin",
        contact_email="klara@kundin.example",
        consent_at=FIXED_DAY,
        status_digest="f" * 64,
        state="open",
    )
    InquiryOffer.objects.create(
        inquiry=inquiry,
        collective=shared,
        score=0.5,
        answer="interested",
        note="FACT inquiry note",
        answered_by=petra,
    )
    fact("inquiries.InquiryOffer.answered_by", "inquiries", "FACT inquiry note")
    # vouches
    for user_field, project in (
        ("created_by", "FACT vouch offered"),
        ("accepted_by", "FACT vouch confirmed"),
        ("withdrawn_by", "FACT vouch withdrawn"),
    ):
        Vouch.objects.create(
            collective=own, voucher_collective=shared, project=project, **{user_field: petra}
        )
        fact(f"vouches.Vouch.{user_field}", "vouches", project)
    return Person(user=petra, own_collective=own, shared_collective=shared, facts=facts)
