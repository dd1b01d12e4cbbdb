"""Reading stored files back: for a download, for a job that processes them, for an audit.

The calling app checks access (its own `get_X_for_user`) before it hands a StoredFile to these.
"""

from typing import BinaryIO
from urllib.parse import quote

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers

from kaohe.files import storage
from kaohe.files.models import FileKind, StoredFile
from kaohe.files.names import extension_of

# A sandboxed document runs no script, submits no form and has an origin of its own, so even a file
# a browser mistook for a page could do nothing in ours.
SANDBOX = "sandbox"
# Except a PDF shown in the browser: Chrome and Safari refuse to run their PDF viewer in a sandboxed
# document ("This page has been blocked by Chrome"), and no sandbox token re-enables it. The viewer
# runs a PDF's scripts in its own isolated process, and nosniff with the exact type keeps the bytes
# from being read as HTML; the site-wide policy's object-src 'none' would block the viewer too.
INLINE_PDF_POLICY = "frame-ancestors 'self'"


def open_stored(stored: StoredFile) -> BinaryIO:
    """The stored bytes, opened for reading (the caller closes them)."""
    return storage.blob_path(stored.sha256).open("rb")


def verify(stored: StoredFile) -> bool:
    """Whether the blob still holds exactly what was uploaded (for audits); False if it is gone."""
    try:
        return storage.hash_file(storage.blob_path(stored.sha256)) == stored.sha256
    except FileNotFoundError:
        return False


def file_response(stored: StoredFile, *, inline: bool = False) -> FileResponse:
    """The file as a download (or shown in the browser when `inline`), under its original name and
    its sniffed type, never cached: every stored file is somebody's private evidence."""
    response = FileResponse(open_stored(stored), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition(stored.original_name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    inline_pdf = inline and stored.kind == FileKind.PDF
    response["Content-Security-Policy"] = INLINE_PDF_POLICY if inline_pdf else SANDBOX
    add_never_cache_headers(response)
    return response


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the real name as RFC 5987 `filename*`."""
    disposition = "inline" if inline else "attachment"
    fallback = name if name.isascii() and name.isprintable() else f"download{extension_of(name)}"
    fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
