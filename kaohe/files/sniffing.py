"""What an uploaded file really is, from its bytes: an allow-list of the formats people file.

The signatures are written out here rather than taken from a magic-number library: we accept a
dozen formats and refuse everything else, and a table of exact signatures is easier to audit than a
library's ranked guesses (which also say nothing about scripts, text, or what is inside a zip).
"""

import codecs
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.files.models import FileKind

CHUNK = 64 * 1024
HEAD = 8 * 1024

# Zip-bomb limits for OOXML and OFD: what the declared sizes of the members may add up to. Python's
# zipfile never inflates a member past its declared size, so the declared sizes bound what a later
# reader (openpyxl, python-docx) can be made to decompress.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed; real Office files are 5-30, a bomb is 1000
RATIO_FROM_BYTES = 10 * 1024 * 1024  # below this the ratio of a small file does not matter
MAX_MEMBERS = 10_000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

# The extension a name may end in, and the kind it claims. Anything else is refused.
EXTENSION_KINDS = {
    ".pdf": FileKind.PDF,
    ".png": FileKind.IMAGE,
    ".jpg": FileKind.IMAGE,
    ".jpeg": FileKind.IMAGE,
    ".gif": FileKind.IMAGE,
    ".webp": FileKind.IMAGE,
    ".docx": FileKind.WORD,
    ".doc": FileKind.WORD,
    ".wps": FileKind.WORD,  # WPS Office's own names for the binary Office formats
    ".xlsx": FileKind.EXCEL,
    ".xls": FileKind.EXCEL,
    ".et": FileKind.EXCEL,
    ".pptx": FileKind.POWERPOINT,
    ".ppt": FileKind.POWERPOINT,
    ".dps": FileKind.POWERPOINT,
    ".ofd": FileKind.OFD,
    ".txt": FileKind.TEXT,
    ".csv": FileKind.TEXT,
}
# Refused by name with their own message, whatever their bytes (the allow-list refuses them too,
# but "this is a program" says more than "not supported").
EXECUTABLE_EXTENSIONS = frozenset(
    {
        *(".exe", ".com", ".scr", ".msi", ".msp", ".dll", ".cpl", ".pif", ".lnk", ".reg"),
        *(".bat", ".cmd", ".ps1", ".sh", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".hta"),
        *(".jar", ".apk"),
    }
)
MACRO_EXTENSIONS = frozenset({".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm"})

EXECUTABLE_MAGIC: list[tuple[bytes, Promise]] = [
    (b"MZ", gettext_lazy("Windows 可执行程序")),
    (b"\x7fELF", gettext_lazy("Linux 可执行程序")),
    (b"\xfe\xed\xfa\xce", gettext_lazy("macOS 可执行程序")),
    (b"\xfe\xed\xfa\xcf", gettext_lazy("macOS 可执行程序")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("macOS 可执行程序")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("macOS 可执行程序")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("macOS 可执行程序或 Java 类文件")),
    (b"#!", gettext_lazy("脚本")),
]
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class Format:
    kind: FileKind
    content_type: str


PDF = Format(FileKind.PDF, "application/pdf")
PNG = Format(FileKind.IMAGE, "image/png")
JPEG = Format(FileKind.IMAGE, "image/jpeg")
GIF = Format(FileKind.IMAGE, "image/gif")
WEBP = Format(FileKind.IMAGE, "image/webp")
DOCX = Format(FileKind.WORD, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Format(FileKind.EXCEL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = Format(
    FileKind.POWERPOINT, "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)
DOC = Format(FileKind.WORD, "application/msword")
XLS = Format(FileKind.EXCEL, "application/vnd.ms-excel")
PPT = Format(FileKind.POWERPOINT, "application/vnd.ms-powerpoint")
OFD = Format(FileKind.OFD, "application/ofd")

# PDFs are only ever stored and handed back, never parsed here, so the header must open the file
# (a reader tolerates junk before it; we need not). Encrypted PDFs are accepted: signed letters from
# other units often carry an owner password against editing, and encryption makes a PDF no more
# dangerous to store or to serve.
PREFIXES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
]
OOXML_PARTS = [("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)]
# Stream names in the directory of an OLE2 compound file (UTF-16LE, NUL-terminated).
OLE_STREAMS = [("WordDocument", DOC), ("Workbook", XLS), ("PowerPoint Document", PPT)]


def refuse(message: str, **params) -> ValidationError:
    return ValidationError({"file": message % params})


def sniff(path: Path, name: str) -> Format:
    """The accepted format of the file at `path`, or a ValidationError saying what it is instead."""
    with path.open("rb") as f:
        head = f.read(HEAD)
    for magic, what in EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise refuse(_("文件“%(name)s”的内容是 %(what)s，不能上传"), name=name, what=what)
    for prefix, fmt in PREFIXES:
        if head.startswith(prefix):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path, name)
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole(path, name)
    encoding = _text_encoding(path)
    if encoding:
        subtype = "csv" if name.lower().endswith(".csv") else "plain"
        return Format(FileKind.TEXT, f"text/{subtype}; charset={encoding}")
    raise refuse(_("无法识别文件“%(name)s”的内容，它不是允许上传的格式"), name=name)


def _sniff_zip(path: Path, name: str) -> Format:
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            _check_not_a_bomb(members, path.stat().st_size, name)
            names = {m.filename for m in members}
            if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
                raise macro_refusal(name)
            if "[Content_Types].xml" in names:
                with zf.open("[Content_Types].xml") as part:
                    content_types = part.read(MAX_CONTENT_TYPES_BYTES)
                if b"macroenabled" in content_types.lower():
                    raise macro_refusal(name)
                for folder, fmt in OOXML_PARTS:
                    if any(n.startswith(folder) for n in names):
                        return fmt
            elif "OFD.xml" in names:
                return OFD
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        # RuntimeError / NotImplementedError: an encrypted member or an unknown compression method.
        raise refuse(_("文件“%(name)s”已损坏，无法打开"), name=name) from exc
    raise refuse(_("文件“%(name)s”是压缩包，不能上传；请上传其中的文件（PDF、Word、Excel 等）"), name=name)


def _check_not_a_bomb(members: list[zipfile.ZipInfo], archive_size: int, name: str) -> None:
    total = sum(m.file_size for m in members)
    too_dense = total > RATIO_FROM_BYTES and total > MAX_RATIO * archive_size
    if len(members) > MAX_MEMBERS or total > MAX_UNZIPPED_BYTES or too_dense:
        raise refuse(_("文件“%(name)s”解压后异常庞大（可能是“压缩炸弹”），不能上传"), name=name)


def macro_refusal(name: str) -> ValidationError:
    return refuse(
        _("文件“%(name)s”是含宏的 Office 文档，宏可能是病毒，不能上传；请另存为不含宏的格式"), name=name
    )


def _sniff_ole(path: Path, name: str) -> Format:
    """Legacy Office (doc / xls / ppt and WPS's et / wps / dps), told apart by their stream names.

    Reading the compound file's directory properly needs a parser; its stream names are also plain
    UTF-16 in the file, and a Word file that is not a Word file does no harm once stored anyway.
    """
    found = _contains(path, ["_VBA_PROJECT", "EncryptedPackage", *(s for s, _fmt in OLE_STREAMS)])
    if "_VBA_PROJECT" in found:
        raise macro_refusal(name)
    if "EncryptedPackage" in found:
        raise refuse(_("文件“%(name)s”是加密的 Office 文档，请去掉打开密码后再上传"), name=name)
    for stream, fmt in OLE_STREAMS:
        if stream in found:
            return fmt
    raise refuse(_("文件“%(name)s”不是 Word、Excel 或 PowerPoint 文档，不能上传"), name=name)


def _contains(path: Path, stream_names: list[str]) -> set[str]:
    """Which of `stream_names` occur in the file as OLE directory names, read in chunks."""
    needles = {s: s.encode("utf-16-le") + b"\0\0" for s in stream_names}
    overlap = max(len(n) for n in needles.values())
    found: set[str] = set()
    tail = b""
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            window = tail + chunk
            found.update(s for s, needle in needles.items() if needle in window)
            tail = window[-overlap:]
    return found


def _text_encoding(path: Path) -> str | None:
    """The encoding, "utf-8" or "gb18030", when the whole file is text in it without NUL bytes, else None."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    if b"\0" in chunk:
                        return None
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None
