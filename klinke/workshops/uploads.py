"""Checking uploaded event materials by their content, before anything is written.

PDF, PNG and JPEG are recognised from their first bytes with `filetype`; whatever name they
were uploaded under, they are stored with the extension their content proves. Office files
(ODP, ODT, PPTX, DOCX) are ZIP archives, so their bytes alone say "zip": they are accepted only
when the uploaded name has that extension *and* the archive has the parts such a document
has. Everything else, including SVG, HTML and scripts, is refused.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
_HEAD_BYTES = 8192

# Content types filetype recognises, and the extension they are stored under.
_BY_CONTENT = {
    "application/pdf": ("pdf", "application/pdf"),
    "image/png": ("png", "image/png"),
    "image/apng": ("png", "image/png"),
    "image/jpeg": ("jpg", "image/jpeg"),
}

_ODF = "application/vnd.oasis.opendocument."
_OOXML = "application/vnd.openxmlformats-officedocument."
# extension -> (content type, how the archive proves it)
_OFFICE = {
    "odp": (f"{_ODF}presentation", ("mimetype", f"{_ODF}presentation")),
    "odt": (f"{_ODF}text", ("mimetype", f"{_ODF}text")),
    "pptx": (f"{_OOXML}presentationml.presentation", ("dir", "ppt/")),
    "docx": (f"{_OOXML}wordprocessingml.document", ("dir", "word/")),
}
_ZIP_LIKE = {"application/zip", *(content_type for content_type, _proof in _OFFICE.values())}

ALLOWED_LABEL = "PDF, PNG, JPEG, ODP, ODT, PPTX, DOCX"


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int


def _refuse() -> ValidationError:
    return ValidationError(
        _("This kind of file is not accepted. Upload one of: %(kinds)s.")
        % {"kinds": ALLOWED_LABEL},
        code="file_type",
    )


def _office_archive_matches(stream: IO[bytes], extension: str) -> bool:
    """Whether the ZIP archive in `stream` is the office document its extension claims."""
    kind, proof = _OFFICE[extension][1]
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if kind == "mimetype":
                if "mimetype" not in names:
                    return False
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return False
                return archive.read("mimetype").decode("ascii", "replace").strip() == proof
            return "[Content_Types].xml" in names and any(n.startswith(proof) for n in names)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError):
        return False
    finally:
        stream.seek(0)


def check_material(upload: UploadedFile) -> CheckedFile:
    """The stored extension and content type of an upload, or a ValidationError saying why not.

    Reads only the beginning of the file (and, for office files, the ZIP directory).
    """
    size = upload.size
    if size is None or size > MAX_MATERIAL_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_MATERIAL_BYTES // 2**20},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime in _BY_CONTENT:
        extension, content_type = _BY_CONTENT[mime]
        return CheckedFile(extension, content_type, size)
    if mime in _ZIP_LIKE:
        extension = PurePath(str(upload.name or "")).suffix.lower().lstrip(".")
        if extension in _OFFICE and _office_archive_matches(upload, extension):
            return CheckedFile(extension, _OFFICE[extension][0], size)
    raise _refuse()
