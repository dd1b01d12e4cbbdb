"""Where the bytes live: <data dir>/files/<first two hex digits>/<sha256>, one blob per content.

The folder is derived from settings.DATA_DIR each time it is needed (tests point it elsewhere), and
is never one a web server serves: a blob is only handed out through `queries.file_response` after
the calling app has checked access.
"""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BLOB_MODE = 0o440  # blobs never change once written; nobody executes them
DIR_MODE = 0o750

logger = logging.getLogger(__name__)


def files_root() -> Path:
    root = Path(settings.DATA_DIR).resolve() / "files"
    served = [settings.STATIC_ROOT, settings.MEDIA_ROOT, *settings.STATICFILES_DIRS]
    for entry in served:
        folder = entry[1] if isinstance(entry, tuple) else entry  # STATICFILES_DIRS allows (prefix, path)
        if folder and root.is_relative_to(Path(folder).resolve()):
            raise ImproperlyConfigured(f"Uploaded files must not be stored in a served folder ({folder})")
    return root


def blob_path(sha256: str) -> Path:
    return files_root() / sha256[:2] / sha256


def new_temp_file() -> tuple[int, Path]:
    """An open descriptor and path for an upload being received; in the same file system as the
    blobs so that the final rename is atomic."""
    folder = files_root() / "tmp"
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, suffix=".part")  # mode 0o600
    return fd, Path(name)


def save_blob(temp: Path, sha256: str) -> Path:
    """Move a received file into place, or drop it when the same content is already stored.

    A stored blob that no longer matches its hash (damaged, or tampered with) is put aside as
    "<hash>.damaged" for whoever investigates, and the good copy just received takes its place.
    """
    target = blob_path(sha256)
    if target.exists():
        if hash_file(target) == sha256:
            temp.unlink()
            return target
        logger.error("Stored file %s did not match its hash; kept aside as %s.damaged", target, target.name)
        os.replace(target, target.with_name(f"{sha256}.damaged"))
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    temp.chmod(BLOB_MODE)
    os.replace(temp, target)
    return target


def hash_file(path: Path, chunk_size: int = 64 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()
