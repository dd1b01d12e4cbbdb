"""Text that is garbled by a wrong decoding or not in Simplified Chinese, found before it is stored."""

import re
from functools import cache

import opencc
from django.utils.translation import gettext as _

# Left behind when UTF-8 is read as GBK or Latin-1, or GBK as UTF-8 ("锟斤拷" is U+FFFD read as GBK).
_MOJIBAKE_MARKERS = ("\ufffd", "锟斤拷", "烫烫烫", "屯屯屯", "Ã", "Â", "â€", "ï¿½")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJKISH = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _repaired(text: str) -> str | None:
    """The text as it was before a wrong decoding, if it reads as Chinese that way."""
    for wrong in ("gbk", "cp1252", "latin-1"):
        try:
            fixed = text.encode(wrong).decode("utf-8")
        except UnicodeError:
            continue
        non_ascii = [ch for ch in fixed if ord(ch) > 127]
        # Real Chinese text almost never survives this round trip as Chinese; garbled text does.
        if fixed != text and non_ascii and all(_CJKISH.match(ch) for ch in non_ascii) and _CJK.search(fixed):
            return fixed
    return None


def garbled(text: str) -> tuple[bool, str | None]:
    """Whether `text` looks like mojibake, and the repaired text when it can be recovered."""
    if text.isascii():
        return False, None
    fixed = _repaired(text)
    if fixed is not None:
        return True, fixed
    return any(m in text for m in _MOJIBAKE_MARKERS), None


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Characters that t2s rewrites but that are standard in Simplified Chinese too (於 is a surname,
# 乾 as in 乾坤, 著 as in 著名 ...): flagging them would reject correct names.
_ALSO_SIMPLIFIED = frozenset("於乾著藉瞭蘋")


def simplified(text: str) -> str:
    if not _CJK.search(text):
        return text
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        return converted
    return "".join(o if o in _ALSO_SIMPLIFIED else c for o, c in zip(text, converted, strict=True))


def text_problem(text: str) -> str | None:
    """Why `text` may not be stored as it is (garbled, or Traditional characters), or None."""
    is_garbled, fixed = garbled(text)
    if is_garbled:
        hint = _("（可能是“%(fixed)s”）") % {"fixed": fixed} if fixed else ""
        return _("文字疑似乱码%(hint)s，请检查编码后重新输入") % {"hint": hint}
    simple = simplified(text)
    if simple != text:
        return _("“%(text)s”含繁体字，请改为简体：“%(simple)s”") % {"text": text, "simple": simple}
    return None
