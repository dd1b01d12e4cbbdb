from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers


class PasswordChangeRequiredMiddleware:
    """A user with a one-time password reaches nothing but the password page until it is changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("accounts:password"), reverse("accounts:logout"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/")):
                return redirect("accounts:password")
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in user carry personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
        return response
