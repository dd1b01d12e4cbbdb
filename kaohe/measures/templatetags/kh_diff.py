"""Showing clause changes: the kind of a change as people say it, and a text with its deletions
and insertions marked."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from kaohe.measures import documents

register = template.Library()


@register.filter
def change_label(kind: str) -> str:
    return documents.change_label(kind)


@register.filter
def indicator_fields(fields) -> str:
    """The fields of an indicator that changed, named as the scoring table's columns."""
    return documents.field_labels(fields)


@register.simple_tag
def inline_diff(old: str, new: str) -> SafeString:
    """The new text with deleted words struck through and inserted words underlined."""
    from kaohe.measures.clause_diff import inline_diff as pieces

    old, new = old or "", new or ""
    if old == new:
        return format_html("{}", new)
    marks = {"same": "<span>{}</span>", "del": "<del>{}</del>", "ins": "<ins>{}</ins>"}
    return format_html_join("", "{}", ((format_html(marks[op], text),) for op, text in pieces(old, new)))
