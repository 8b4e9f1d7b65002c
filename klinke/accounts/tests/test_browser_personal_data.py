"""A supporter downloads everything klinke holds about them, then deletes their account."""

from __future__ import annotations

import re
import zipfile

import pytest

from klinke.accounts.export import do_build_personal_exports
from klinke.accounts.models import User
from klinke.conftest import PERSONA_PASSWORD, deliver_mail, log_in_browser, text_body
from klinke.core.tests.test_accessibility import audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_downloads_ones_data_and_then_deletes_the_account(
    browser_page, network, live_server, smtp_server, settings, tmp_path
):
    settings.PERSONAL_EXPORTS_ROOT = tmp_path / "exports"
    page = browser_page
    sam = network.sam
    sam.language = "en"
    sam.save()
    log_in_browser(page, sam, live_server.url)

    # 1. From the account settings, Sam asks for their data.
    page.goto("/me/settings/")
    page.get_by_role("link", name="Download your data").click()
    page.get_by_role("button", name="Prepare my data for download").click()
    page.get_by_text("Your data is being put together.").wait_for()
    assert audit(page) == []

    # 2. The worker builds it and mails the link.
    assert do_build_personal_exports() == 1
    deliver_mail()
    (mail,) = smtp_server.to(sam.email)
    assert "/me/data/" in text_body(mail)

    # 3. Sam downloads the archive from the page.
    page.reload()
    with page.expect_download() as download_info:
        page.locator("#exports").get_by_role("link", name=re.compile("^Download")).click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "profile.json", "supporter_profile.json"} <= names
        assert (
            "I help with pricing and acquisition."
            in archive.read("supporter_profile.json").decode()
        )

    # 4. Then Sam deletes the account, after the password.
    page.goto("/me/settings/")
    page.get_by_role("link", name="Delete your account").click()
    assert audit(page) == []
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account for good").click()
    page.locator(".error-summary").get_by_text("The password is not right.").wait_for()
    page.get_by_label("Your password").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    page.get_by_text("Your account is deleted.").wait_for()

    gone = User.objects.get(pk=sam.pk)
    assert gone.is_deleted and gone.email != "sam@example.org"
    page.goto("/me/settings/")
    assert "/accounts/login/" in page.url
