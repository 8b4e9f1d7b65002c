"""Taking the workbench along in a real browser: download the .zip, import it elsewhere."""

import re
from typing import Any

import pytest

from klinke.conftest import log_in_browser, make_collective
from klinke.workbench.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_downloads_the_workbench_and_imports_it_into_another_collective(
    browser_page: Any, workbench: Any, live_server: Any, tmp_path: Any
) -> None:
    network = workbench.network
    make_collective("quellcode-neu", "Quellcode (neu)", members=[network.alice])
    page = browser_page
    log_in_browser(page, network.alice, live_server.url)

    page.goto("/collectives/quellcode/workbench/")
    page.get_by_role("link", name="Export and import").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download .zip").click()
    archive = tmp_path / "workbench.zip"
    download.value.save_as(archive)
    assert re.fullmatch(
        r"quellcode-workbench-\d{4}-\d\d-\d\d\.zip", download.value.suggested_filename
    )

    page.goto("/collectives/quellcode-neu/workbench/data/")
    page.get_by_label("Workbench archive").set_input_files(str(archive))
    page.get_by_role("button", name="Import").click()

    page.get_by_text("Imported: 8 new, 0 updated, 1 left out.").wait_for()
    assert Lead.objects.filter(collective__slug="quellcode-neu").count() == 2
