"""What a person is told when a fact's value is refused, in their language.

The engine's FactError texts are English, for the command line; the pages name the fact and what
it takes instead (re-phrased here by the fact's type, so the engine stays untouched).
"""

from django.utils.translation import gettext as _

from kaohe.engine.fact_kinds import FactKind


def expected_form(kind: FactKind) -> str:
    """What a value of the kind looks like, e.g. “应为不小于 0 的整数”."""
    options = "、".join(kind.options)
    forms = {
        "count": _("应为不小于 0 的整数"),
        "rate": _("应为 0%～100% 之间的百分比，如 87.5%"),
        "flag": _("应为“是”或“否”"),
        "judgment": _("应为以下之一：%(options)s") % {"options": options},
        "figure": _("应为数字，最多 3 位小数"),
        "awards": _("应为表彰列表，每项的级别为以下之一：%(options)s") % {"options": options},
        "cases": _("应为案件列表，每项含案件编号、部门和以下处理结果之一：%(options)s")
        % {"options": options},
        "findings": _("应为发现问题列表，每项含编号和不小于 0 的分值"),
        "checklist": _("应从以下选项中勾选：%(options)s") % {"options": options},
        "ballot": _("应为各选项的票数（不小于 0 的整数，至少 1 票）：%(options)s") % {"options": options},
    }
    return forms[kind.type]


def value_problem(kind: FactKind, raw: object, *, quote: bool = True) -> str:
    """A refused value of `kind`, naming the fact and what it takes; `quote` repeats what was
    given (not for a value a form put together, such as the findings list as JSON)."""
    given = "" if raw is None else str(raw).strip()
    if not quote:
        return _("“%(title)s”%(expected)s") % {"title": kind.title, "expected": expected_form(kind)}
    if not given:
        return _("“%(title)s”未填写，%(expected)s") % {"title": kind.title, "expected": expected_form(kind)}
    return _("“%(title)s”填写的“%(given)s”无效，%(expected)s") % {
        "title": kind.title,
        "given": given,
        "expected": expected_form(kind),
    }
