"""After the event: uploads checked by content, served safely, notes and knowledge articles."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from klinke.core.models import Visibility
from klinke.workshops.models import Event, Material
from klinke.workshops.tests.conftest import make_event
from klinke.workshops.uploads import MAX_MATERIAL_BYTES

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind in ("odp", "odt"):
            mime = {"odp": "presentation", "odt": "text"}[kind]
            archive.writestr(
                "mimetype",
                f"application/vnd.oasis.opendocument.{mime}",
                compress_type=zipfile.ZIP_STORED,
            )
            archive.writestr("content.xml", "<office:document-content/>")
        elif kind in ("pptx", "docx"):
            archive.writestr("[Content_Types].xml", "<Types/>")
            folder = {"pptx": "ppt", "docx": "word"}[kind]
            archive.writestr(f"{folder}/document.xml", "<x/>")
        else:
            archive.writestr("readme.txt", "just a zip")
    return buffer.getvalue()


def upload(client: Any, event: Event, name: str, content: bytes, title: str = "Folien") -> Any:
    return client.post(
        reverse("workshops:material_upload", args=[event.pk]),
        {"title": title, "file": SimpleUploadedFile(name, content)},
    )


def stored_files(media_root: Any) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("folien.pdf", PDF, ".pdf", "application/pdf"),
        ("foto.png", PNG, ".png", "image/png"),
        ("bild.PDF", PNG, ".png", "image/png"),  # the content decides, not the name
        (
            "vortrag.odp",
            office_file("odp"),
            ".odp",
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("notizen.odt", office_file("odt"), ".odt", "application/vnd.oasis.opendocument.text"),
        (
            "slides.pptx",
            office_file("pptx"),
            ".pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            "handout.docx",
            office_file("docx"),
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_it_accepts_allowed_files_by_content_under_a_random_name(
    network, media_root, name, content, extension, content_type
):
    event = make_event(network.alice)
    response = upload(network.client_for(network.alice), event, name, content)
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.content_type == content_type
    assert material.original_name == name
    stored = Path(material.file.path)
    assert stored.suffix == extension
    assert Path(media_root) in stored.parents
    assert name.rsplit(".", 1)[0] not in stored.name  # a random name, not the uploaded one
    assert stored.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("folien.pdf", HTML),  # HTML in disguise
        ("grafik.svg", SVG),
        ("grafik.png", SVG),
        ("script.js", b"alert(1)"),
        ("archiv.zip", office_file("zip")),
        ("fake.docx", office_file("zip")),  # a plain zip named like a document
        ("slides.pdf", office_file("pptx")),  # a document under another name
        ("vortrag.pptx", office_file("odp")),  # the wrong kind of office file
        ("leer.pdf", b""),
    ],
)
def test_it_refuses_disguised_or_unsafe_files_and_writes_nothing(
    network, media_root, name, content
):
    event = make_event(network.alice)
    response = upload(network.client_for(network.alice), event, name, content)
    assert response.status_code == 400
    errors = response.context["material_form"].errors["file"]
    assert errors
    assert not Material.objects.exists()
    assert stored_files(media_root) == []


def test_it_explains_which_files_are_accepted(network, media_root):
    event = make_event(network.alice)
    response = upload(network.client_for(network.alice), event, "folien.pdf", HTML)
    assert response.status_code == 400
    assert "This kind of file is not accepted" in response.content.decode()
    assert "PDF, PNG, JPEG" in response.content.decode()


def test_it_refuses_files_over_ten_megabytes(network, media_root):
    event = make_event(network.alice)
    big = PDF + b"0" * (MAX_MATERIAL_BYTES - len(PDF) + 1)
    response = upload(network.client_for(network.alice), event, "gross.pdf", big)
    assert response.status_code == 400
    assert "larger than 10 MB" in " ".join(response.context["material_form"].errors["file"])
    assert not Material.objects.exists()
    assert stored_files(media_root) == []
    just_fits = PDF + b"0" * (MAX_MATERIAL_BYTES - len(PDF))
    assert (
        upload(network.client_for(network.alice), event, "passt.pdf", just_fits).status_code == 302
    )


def test_it_only_hosts_upload(network, media_root, client):
    event = make_event(network.alice)
    assert upload(network.client_for(network.bob), event, "a.pdf", PDF).status_code == 403
    assert upload(client, event, "a.pdf", PDF).status_code == 302  # to the login page
    assert not Material.objects.exists()


def test_it_serves_materials_as_downloads_that_browsers_do_not_sniff(network, media_root):
    event = make_event(network.alice)
    upload(network.client_for(network.alice), event, "Bild für euch.pdf", PNG)
    material = Material.objects.get()
    response = network.client_for(None).get(material.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Bild" in response["Content-Disposition"] and ".png" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def test_it_materials_of_members_only_events_stay_with_members(network, media_root):
    event = make_event(network.alice, visibility=Visibility.MEMBERS)
    upload(network.client_for(network.alice), event, "folien.pdf", PDF)
    url = Material.objects.get().get_absolute_url()
    assert network.client_for(None).get(url).status_code == 404
    assert network.client_for(network.outsider).get(url).status_code == 404
    assert network.client_for(network.bob).get(url).status_code == 200


def test_it_hosts_remove_materials_and_their_files(
    network, media_root, django_capture_on_commit_callbacks
):
    event = make_event(network.alice)
    upload(network.client_for(network.alice), event, "folien.pdf", PDF)
    material = Material.objects.get()
    url = reverse("workshops:material_delete", args=[material.pk])
    assert network.client_for(network.bob).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert network.client_for(network.alice).post(url).status_code == 302
    assert not Material.objects.exists()
    assert stored_files(media_root) == []


def test_it_hosts_write_notes_that_are_rendered_safely(network):
    event = make_event(network.alice)
    url = reverse("workshops:event_follow_up", args=[event.pk])
    notes = (
        "## Ergebnisse\n\n- Tagessatz: **850 €**\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert network.client_for(network.bob).post(url, {"notes": notes}).status_code == 403
    assert network.client_for(network.alice).post(url, {"notes": notes}).status_code == 302
    html = network.client_for(None).get(event.get_absolute_url()).content.decode()
    # Rendered as knowledge articles are: headings below the page's h1, with an anchor.
    assert re.search(r"<h2 id=\"section-ergebnisse\">Ergebnisse</h2>", html)
    assert "<strong>850 €</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript' not in html


def test_it_hosts_link_a_knowledge_article(network):
    from django.urls import NoReverseMatch

    from klinke.knowledge.models import Article

    public = Article.objects.create(
        title="Tagessätze berechnen", slug="tagessaetze", body="…", visibility=Visibility.PUBLIC
    )
    internal = Article.objects.create(
        title="Interne Kalkulation", slug="intern", body="…", visibility=Visibility.MEMBERS
    )
    event = make_event(network.alice)
    url = reverse("workshops:event_follow_up", args=[event.pk])
    alice = network.client_for(network.alice)
    assert alice.post(url, {"notes": "", "article": public.pk}).status_code == 302
    event.refresh_from_db()
    assert event.article == public
    try:
        public.get_absolute_url()
    except NoReverseMatch:
        pytest.skip("the knowledge app has no article pages yet")
    html = network.client_for(None).get(event.get_absolute_url()).content.decode()
    assert "Tagessätze berechnen" in html and public.get_absolute_url() in html

    alice.post(url, {"notes": "", "article": internal.pk})
    assert (
        "Interne Kalkulation"
        not in network.client_for(None).get(event.get_absolute_url()).content.decode()
    )
    assert (
        "Interne Kalkulation"
        in network.client_for(network.bob).get(event.get_absolute_url()).content.decode()
    )


def test_it_deleting_an_event_removes_its_files(
    network, media_root, django_capture_on_commit_callbacks
):
    event = make_event(network.alice)
    upload(network.client_for(network.alice), event, "folien.pdf", PDF)
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        event.delete()
    assert stored_files(media_root) == []
