"""Resident ID numbers (GB 11643): 17 digits and a check digit."""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

_FORMAT = re.compile(r"\d{17}[\dX]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def problem(number: str) -> str | None:
    """Why `number` is not a valid ID number, or None."""
    if not _FORMAT.fullmatch(number):
        return _("身份证号应为 18 位：17 位数字加 1 位数字或 X")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号中的出生日期无效")
    if born.year < 1900 or born > timezone.localdate():
        return _("身份证号中的出生日期无效")
    if number[17] != check_digit(number[:17]):
        return _("身份证号校验位不符，请核对号码")
    return None


def is_valid(number: str) -> bool:
    return problem(number) is None
