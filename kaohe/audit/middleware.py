from django.conf import settings

from kaohe.audit.context import current_ip


def client_ip(request) -> str | None:
    # Behind the intranet reverse proxy the address is in X-Forwarded-For (KAOHE_TRUST_PROXY=1).
    if settings.TRUST_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
