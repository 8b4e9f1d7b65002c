"""The pages and API for one's own data: asking for an export, the worker building it, the
mailed link working for its owner only, and deleting the account."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klinke.accounts.export import (
    do_build_personal_exports,
    do_forget_expired_exports,
    do_request_personal_export,
    export_storage,
)
from klinke.accounts.models import PersonalExport, User
from klinke.accounts.tests.person import EMAIL, seed_person
from klinke.conftest import PERSONA_PASSWORD, deliver_mail, text_body
from klinke.testing import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_exports(settings, tmp_path: Path) -> Path:
    settings.PERSONAL_EXPORTS_ROOT = tmp_path / "exports"
    return settings.PERSONAL_EXPORTS_ROOT


def test_it_keeps_exports_outside_every_served_folder() -> None:
    root = Path(django_settings.PERSONAL_EXPORTS_ROOT).resolve()
    for served in (django_settings.MEDIA_ROOT, django_settings.STATIC_ROOT):
        assert not root.is_relative_to(Path(served).resolve())


def test_it_builds_a_requested_export_and_mails_a_link_for_its_owner(
    network, smtp_server, django_assert_max_num_queries
) -> None:
    person = seed_person(network)
    client = network.client_for(person.user)

    asked = client.post(reverse("accounts:personal_data"))
    assert asked.status_code == 302
    with django_assert_max_num_queries(58):  # one query per exported section, none per row
        assert do_build_personal_exports() == 1
    assert do_build_personal_exports() == 0  # claimed once
    deliver_mail()

    [mail] = smtp_server.to(EMAIL)
    url = re.search(r"https?://\S+/download/", text_body(mail))
    assert url is not None
    path = url.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "needs.json" in archive.namelist()
    assert "FACT need title" in archive.read("needs.json").decode()

    stranger = network.client_for(network.alice).get("/" + path)
    assert stranger.status_code == 404
    anonymous = Client().get("/" + path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_it_asks_once_while_an_export_is_waiting(network) -> None:
    first = do_request_personal_export(user=network.alice)
    second = do_request_personal_export(user=network.alice)
    assert first.pk == second.pk
    assert PersonalExport.objects.count() == 1


def test_it_deletes_an_export_after_seven_days(network, smtp_server) -> None:
    export = do_request_personal_export(user=network.alice)
    do_build_personal_exports()
    export.refresh_from_db()
    assert export.expires_at is not None
    assert timedelta(days=6, hours=23) < export.expires_at - timezone.now() <= timedelta(days=7)
    assert export_storage().exists(export.file_name)
    url = export.get_absolute_url()
    assert do_forget_expired_exports() == 0

    PersonalExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    expired = network.client_for(network.alice).get(url)
    assert expired.status_code == 404
    assert do_forget_expired_exports() == 1
    assert not export_storage().exists(export.file_name)
    assert not PersonalExport.objects.exists()


def test_it_shows_the_data_page_in_german(network) -> None:
    response = network.client_for(network.alice).get(
        reverse("accounts:personal_data"), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    assert "Deine Daten" in response.content.decode()


def test_it_tells_the_last_member_what_happens_to_their_collective(network) -> None:
    person = seed_person(network)
    response = network.client_for(person.user).get(reverse("accounts:delete_account"))

    page = response.content.decode()
    assert "You are the last member of Petras Werkstatt" in page
    assert "introduction you asked for is withdrawn" in page
    assert "You are the last member of Kollektiv Quellcode" not in page
    assert '<label for="id_password">' in page
    assert 'id="id_code"' not in page


def test_it_refuses_deletion_with_a_wrong_password_and_keeps_everything(network) -> None:
    client = network.client_for(network.alice)
    response = client.post(reverse("accounts:delete_account"), {"password": "wrong"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page
    assert "The password is not right." in page
    assert User.objects.get(pk=network.alice.pk).is_active


def test_it_deletes_the_account_and_logs_out(network) -> None:
    client = network.client_for(network.alice)
    response = client.post(reverse("accounts:delete_account"), {"password": PERSONA_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    alice = User.objects.get(pk=network.alice.pk)
    assert alice.is_deleted and alice.email != "alice@example.org"
    after = client.get(reverse("accounts:settings"))
    assert after.status_code == 302  # logged out
    old_login = Client().post(
        reverse("account_login"), {"login": "alice@example.org", "password": PERSONA_PASSWORD}
    )
    assert old_login.status_code == 200  # the form again: no such account


def test_it_offers_the_api_the_same_export_and_its_status(network) -> None:
    alice = api_client(network.alice)
    created = alice.post("/api/v1/account/exports")
    assert created.status_code == 201
    export_id = created.json()["id"]
    assert created.json()["download_url"] is None

    do_build_personal_exports()
    status = alice.get(f"/api/v1/account/exports/{export_id}")
    assert status.status_code == 200
    assert status.json()["state"] == "ready"
    assert status.json()["download_url"].endswith(f"/me/data/{export_id}/download/")

    someone_else = api_client(network.bob).get(f"/api/v1/account/exports/{export_id}")
    assert someone_else.status_code == 404
    anonymous = Client().get(f"/api/v1/account/exports/{export_id}")
    assert anonymous.status_code == 401
    nobody = Client().post("/api/v1/account/exports")
    assert nobody.status_code == 401


def test_it_deletes_through_the_api_only_with_the_password(network) -> None:
    bob = api_client(network.bob)
    refused = bob.post(
        "/api/v1/account/delete", {"password": "nope"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "password" in refused.json()["detail"]
    missing = bob.post("/api/v1/account/delete", {}, content_type="application/json")
    assert missing.status_code == 422
    assert User.objects.get(pk=network.bob.pk).is_active

    deleted = bob.post(
        "/api/v1/account/delete", {"password": PERSONA_PASSWORD}, content_type="application/json"
    )
    assert deleted.status_code == 204
    assert User.objects.get(pk=network.bob.pk).is_deleted
    afterwards = bob.get("/api/v1/account/exports/1")
    assert afterwards.status_code == 401  # the token went with the account


def test_it_marks_an_export_that_cannot_be_built_as_failed_and_goes_on(
    network, monkeypatch
) -> None:
    from klinke.accounts import export as export_module

    broken = do_request_personal_export(user=network.alice)
    fine = do_request_personal_export(user=network.bob)
    real_build = export_module.build_archive

    def build(user: User) -> bytes:
        if user.pk == network.alice.pk:
            raise RuntimeError("broken data")
        return real_build(user)

    monkeypatch.setattr(export_module, "build_archive", build)
    assert do_build_personal_exports() == 1
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.state, fine.state) == ("failed", "ready")
    # Asking again makes a new request rather than returning the failed one.
    assert do_request_personal_export(user=network.alice).pk != broken.pk


def test_it_asks_for_the_second_factor_on_the_deletion_page(network) -> None:
    from allauth.mfa.totp.internal import auth as totp

    totp.TOTP.activate(network.alice, totp.generate_totp_secret())
    client = network.client_for(network.alice)
    page = client.get(reverse("accounts:delete_account")).content.decode()
    assert '<label for="id_code">' in page

    response = client.post(reverse("accounts:delete_account"), {"password": PERSONA_PASSWORD})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert User.objects.get(pk=network.alice.pk).is_active
