"""The one place that knows about htmx requests (DESIGN.md §3.8)."""

from django.shortcuts import render


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page_or_partial(request, page: str, partial: str, context: dict):
    """A full page for a normal request, only the partial for htmx."""
    return render(request, partial if is_htmx(request) else page, context)
