"""The PDF: its text read back, page 1 rendered to PNG, and no URL fetched from outside."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from klinke.estimates import actions, pdf
from klinke.estimates.tests.conftest import content, make_estimate, package

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_it_renders_the_estimate_with_its_numbers(network, estimate):
    version = estimate.latest_version()
    with translation.override("de"):
        data = pdf.render_estimate(estimate, version)
    assert data.startswith(b"%PDF")
    text = text_of(data)
    for expected in ("Mitgliederportal", "Konzept", "Umsetzung", "Was wir annehmen", "Hosting"):
        assert expected in text, expected
    assert "E = (O + 4M + P) / 6" in text
    result = version.result()
    assert f"{int(result.amount.low):,}".replace(",", ".") in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_it_draws_a_page_that_is_not_blank(network, estimate):
    data = pdf.render_estimate(estimate, estimate.latest_version())
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "estimate.pdf"
        source.write_bytes(data)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                "-gray",
                str(source),
                str(Path(folder) / "page"),
            ],
            check=True,
            timeout=60,
        )
        (png,) = Path(folder).glob("page*.png")
        with Image.open(png) as image:
            pixels = image.convert("L").tobytes()
    dark = sum(1 for value in pixels if value < 128)
    assert dark > len(pixels) * 0.005, "page 1 is (nearly) blank"


HOSTILE = (
    '<img src="http://evil.example/pixel.png"><link rel="stylesheet" '
    'href="https://evil.example/x.css"><style>body{background:url(http://evil.example/bg.png)}'
    '</style><a href="http://evil.example/">Klick</a> url(http://evil.example/font.woff)'
)


def test_it_fetches_nothing_from_outside_and_prints_hostile_text_as_text(network):
    estimate = make_estimate(
        network.collective_a,
        network.alice,
        title=("Feindlich " + HOSTILE)[:200],
        client_name=HOSTILE[:200],
        version=content(
            packages=(
                package(
                    ("Paket " + HOSTILE)[:200], "1", "2", "3", role=HOSTILE[:100], notes=HOSTILE
                ),
            ),
            assumptions=(HOSTILE,),
            exclusions=(HOSTILE,),
            risk_buffer_reason=HOSTILE,
        ),
    )
    fetcher = pdf.LocalStaticFetcher()
    html = pdf.render_html(estimate, estimate.latest_version(), None)
    assert "<img src" not in html and "&lt;img src=" in html
    data = pdf.render_estimate(estimate, estimate.latest_version(), fetcher=fetcher)
    assert not any("evil.example" in url for url in fetcher.fetched)
    assert fetcher.refused == []  # hostile text never became a URL at all
    assert [Path(url).name for url in fetcher.fetched] == ["print.css"]
    text = " ".join(text_of(data).split())
    assert "evil.example/pixel.png" in text  # printed as the text it is


def test_it_refuses_everything_outside_the_apps_static_files():
    fetcher = pdf.LocalStaticFetcher()
    for url in (
        "http://evil.example/x.png",
        "https://evil.example/x.css",
        "file:///etc/passwd",
        pdf.STATIC_DIR.as_uri() + "/../../models.py",
        "data:text/css,body{}",
        "ftp://evil.example/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6
    assert fetcher.fetch(pdf.STATIC_DIR.as_uri() + "/print.css").read().startswith(b"/*")


def test_it_fetches_none_of_the_outside_resources_a_document_names():
    from weasyprint import HTML

    fetcher = pdf.LocalStaticFetcher()
    HTML(
        string='<link rel="stylesheet" href="http://evil.example/a.css">'
        '<img src="https://evil.example/b.png"><p style="background:url(http://evil.example/c.png)">x</p>',
        base_url=pdf.STATIC_DIR.as_uri() + "/",
        url_fetcher=fetcher,
    ).write_pdf()
    assert fetcher.fetched == []
    assert {u.split("/")[-1] for u in fetcher.refused} >= {"a.css", "b.png"}


def test_it_lets_the_client_and_members_download_the_pdf(network, shared):
    anonymous = network.client_for(None)
    response = anonymous.get(reverse("estimate_client:pdf", args=[shared.secret]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Mitgliederportal" in text_of(response.content)
    alice = network.client_for(network.alice)
    members = alice.get(
        reverse("estimates:pdf", args=[network.collective_a.slug, shared.estimate.pk])
    )
    assert members.status_code == 200
    bob = network.client_for(network.bob)
    assert (
        bob.get(
            reverse("estimates:pdf", args=[network.collective_a.slug, shared.estimate.pk])
        ).status_code
        == 404
    )
    assert actions.estimate_for_link(shared.secret) == shared.estimate
