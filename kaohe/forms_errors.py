"""Turn an action's ValidationError into what the user sees: errors on the form that called it, or
a message on the page a POST redirects back to."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_action_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def run_action(request, write: Callable[[], Any], success: str | Callable[[Any], str]) -> Any:
    """Run `write` (an action); a refusal becomes an error message, success `success` (or what it
    makes of the action's result). Returns the result, or None when refused."""
    try:
        result = write()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return result
