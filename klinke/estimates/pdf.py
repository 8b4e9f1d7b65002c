"""The estimate as PDF, rendered by WeasyPrint from the same presented values as the pages.

Rendering touches no network: `LocalStaticFetcher` answers only for files inside this app's
own static directory (the print stylesheet) and refuses every other URL, whatever its scheme,
so an image, stylesheet or font that someone's text names is never fetched. What people wrote
reaches the template only as autoescaped text. Fonts come from the system (Debian's
fonts-dejavu-core) through fontconfig, not from a URL.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from klinke.estimates.models import Estimate, EstimateVersion
from klinke.estimates.presenting import present

STATIC_DIR = (Path(__file__).resolve().parent / "static" / "estimates").resolve()


class RefusedURLError(ValueError):
    """A URL outside the app's own static files; WeasyPrint skips the resource."""


class LocalStaticFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches files under STATIC_DIR and nothing else; remembers what it refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",))
        self.refused: list[str] = []
        self.fetched: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if (
            path is None
            or parts.netloc
            or not path.is_relative_to(STATIC_DIR)
            or not path.is_file()
        ):
            self.refused.append(url)
            raise RefusedURLError(f"not fetched: {url[:200]}")
        self.fetched.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def render_html(
    estimate: Estimate, version: EstimateVersion, previous: EstimateVersion | None
) -> str:
    return render_to_string(
        "estimates/pdf.html",
        {
            "estimate": estimate,
            "collective": estimate.collective,
            "shown": present(estimate, version, previous),
            "pdf": True,
        },
    )


def render_estimate(
    estimate: Estimate,
    version: EstimateVersion,
    previous: EstimateVersion | None = None,
    *,
    fetcher: LocalStaticFetcher | None = None,
) -> bytes:
    """The PDF bytes, in the active language (the caller chooses the client's)."""
    html = HTML(
        string=render_html(estimate, version, previous),
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=fetcher or LocalStaticFetcher(),
    )
    pdf: bytes = html.write_pdf()
    return pdf
