"""Exact points in templates: thousandths shown as the table writes them (2.5, 90, −0.1)."""

from django import template

from kaohe.engine.points import format_rate, format_thousandths

register = template.Library()


@register.filter
def pts(value):
    if value is None or value == "":
        return "—"
    return format_thousandths(int(value))


@register.filter
def signed_pts(value):
    amount = int(value)
    return ("+" if amount > 0 else "") + format_thousandths(amount)


@register.filter
def rate(value):
    return "—" if value is None else format_rate(int(value))
