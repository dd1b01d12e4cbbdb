"""A fact's value as people read it: a checklist as ticked steps, findings as their text and
points, a panel value per assessor. The engine keeps complex values as JSON text; pages show this."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kaohe.engine.errors import FactError
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.facts import (
    Award,
    Case,
    Finding,
    PanelValues,
    Value,
    parse_plain_value,
    parse_value,
    to_text,
)
from kaohe.engine.points import format_thousandths


def shown_value(kind: FactKind, raw: object) -> SafeString:
    """A fact's value (the engine's text form; a panel kind's object of each assessor's value)."""
    if raw is None:
        return format_html("{}", "—")
    try:
        value = parse_value(kind, raw)
    except FactError:
        return format_html("{}", raw)  # the row shows the problem; the text as it stands
    return _html(kind, value)


def shown_plain_value(kind: FactKind, raw: object) -> SafeString:
    """One assessor's own value of a panel kind (or any kind's ordinary value)."""
    if raw is None:
        return format_html("{}", "—")
    try:
        value = parse_plain_value(kind, raw)
    except FactError:
        return format_html("{}", raw)
    return _html(kind, value)


def _html(kind: FactKind, value: Value) -> SafeString:
    if isinstance(value, PanelValues):
        return format_html_join(
            "",
            '<div class="kh-panel-value"><span class="text-muted">{}：</span>{}</div>',
            ((label, _html(kind, inner)) for label, inner in value.values),
        )
    if isinstance(value, frozenset):
        return format_html_join(
            " ",
            '<span class="kh-check {}">{} {}</span>',
            (
                ("kh-check-yes", "✓", option) if option in value else ("kh-check-no text-muted", "✗", option)
                for option in kind.options
            ),
        )
    if isinstance(value, tuple):
        if not value:
            return format_html('<span class="text-muted">{}</span>', _("无"))
        return format_html(
            '<ul class="kh-entries">{}</ul>',
            format_html_join("", "<li>{}</li>", ((_entry(e),) for e in value)),
        )
    if isinstance(value, dict):
        return format_html_join(" · ", "{} {}", value.items())
    return format_html("{}", to_text(kind, value))


def _entry(entry: Award | Case | Finding) -> str:
    if isinstance(entry, Finding):
        text = f"{entry.case}：{entry.note}" if entry.note else entry.case
        return _("%(text)s（%(points)s 分）") % {"text": text, "points": format_thousandths(entry.points)}
    if isinstance(entry, Case):
        return f"{entry.case} · {entry.department} · {entry.outcome}"
    return f"{entry.level} · {entry.title}" if entry.title else entry.level
