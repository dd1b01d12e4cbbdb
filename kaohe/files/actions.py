"""Storing an upload.

The calling app (evidence of a scheme item, a signed target letter, a ledger attachment) checks that
the actor may attach a file there, then hands the upload to `store_upload`; there is no permission
check here because a file on its own belongs to nothing.
"""

import hashlib
import os
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kaohe.audit.actions import record
from kaohe.files import sniffing, storage
from kaohe.files.models import FileKind, StoredFile
from kaohe.files.names import clean_name, extension_of

DEFAULT_KINDS: frozenset[FileKind] = frozenset(FileKind)


def store_upload(
    actor, upload: File, *, accept: Collection[str] = DEFAULT_KINDS, max_bytes: int | None = None
) -> StoredFile:
    """Check the upload is a file of an accepted kind whose name tells the truth, keep its bytes
    once, and record one StoredFile row for this upload. Raises ValidationError({"file": ...})."""
    limit = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    name = clean_name(upload.name)
    claimed = _claimed_kind(name, accept)
    if upload.size is not None and upload.size > limit:  # known before a byte is read
        raise _too_big(name, limit)

    fd, temp = storage.new_temp_file()
    try:
        sha256, size = _receive(upload, fd, limit, name)
        if size == 0:
            raise sniffing.refuse(_("文件“%(name)s”是空文件"), name=name)
        fmt = sniffing.sniff(temp, name)
        # Kinds are compared, not exact formats: a JPEG saved as .png or an xlsx named .xls is
        # common, harmless (it is served as what it is), and not worth refusing someone's evidence.
        if fmt.kind != claimed:
            raise sniffing.refuse(
                _("文件“%(name)s”的扩展名是 %(claimed)s，内容却是 %(actual)s"),
                name=name,
                claimed=FileKind(claimed).label,
                actual=fmt.kind.label,
            )
        storage.save_blob(temp, sha256)
    finally:
        temp.unlink(missing_ok=True)

    with transaction.atomic():
        stored = StoredFile.objects.create(
            sha256=sha256,
            size=size,
            content_type=fmt.content_type,
            kind=fmt.kind,
            original_name=name,
            uploaded_by=actor if actor is not None and actor.pk else None,
        )
        record(
            actor,
            "file.store",
            stored,
            new={"sha256": sha256, "size": size, "kind": fmt.kind.value, "name": name},
        )
    return stored


def _claimed_kind(name: str, accept: Collection[str]) -> FileKind:
    ext = extension_of(name)
    if ext in sniffing.EXECUTABLE_EXTENSIONS:
        raise sniffing.refuse(_("文件“%(name)s”是可执行程序或脚本，不能上传"), name=name)
    if ext in sniffing.MACRO_EXTENSIONS:
        raise sniffing.macro_refusal(name)
    kind = sniffing.EXTENSION_KINDS.get(ext)
    if kind is None or kind not in accept:
        allowed = "、".join(str(k.label) for k in FileKind if k in accept)
        raise sniffing.refuse(
            _("文件“%(name)s”不能上传，这里只接受以下类型：%(allowed)s"), name=name, allowed=allowed
        )
    return kind


def _receive(upload: File, fd: int, limit: int, name: str) -> tuple[str, int]:
    """Copy the upload into the temp file `fd` chunk by chunk, hashing as it goes; stop once too big."""
    digest, size = hashlib.sha256(), 0
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > limit:
                raise _too_big(name, limit)
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())  # on disk before the rename makes it the blob
    return digest.hexdigest(), size


def _too_big(name: str, limit: int) -> ValidationError:
    return sniffing.refuse(_("文件“%(name)s”太大：上限为 %(limit)s"), name=name, limit=filesizeformat(limit))
