"""Cleaning the name a browser sent with an upload, which is only a label: it never becomes a path."""

import re
import unicodedata

from kaohe.files.models import MAX_NAME_LENGTH

# Reserved on Windows: a file saved back under its name must open there too.
WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
FALLBACK_STEM = "未命名"


def clean_name(raw: str | None) -> str:
    """The last path part, without control or format characters, at most MAX_NAME_LENGTH long.

    Format characters go too: U+202E (right-to-left override) makes "报告\u202efdp.exe" look like
    "报告exe.pdf".
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Zl", "Zp"})
    # Windows drops trailing dots and spaces ("a.exe." opens as "a.exe"): read the extension without them.
    name = WINDOWS_RESERVED.sub("_", name).strip(" ").rstrip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:20]
    if not stem.strip(" ."):
        stem = FALLBACK_STEM
    suffix = f".{ext}" if ext else ""
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix


def extension_of(name: str) -> str:
    """The last extension, lower case, with its dot ("" when there is none)."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""
