from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from kaohe.accounts.models import ApiToken, User, hash_token


class TokenAuth(HttpBearer):
    """Bearer tokens made on the 'API 令牌' page; a token acts with its owner's roles."""

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            # An account that still has to change its one-time password may do nothing else.
            .filter(
                digest=hash_token(token),
                revoked_at__isnull=True,
                user__is_active=True,
                user__must_change_password=False,
            )
            .first()
        )
        if found is None or (found.expires_at is not None and found.expires_at <= timezone.now()):
            return None
        if found.last_used_at is None or (timezone.now() - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


def token_user(request: HttpRequest) -> User:
    """The owner of the request's token: ninja keeps what `authenticate` returned on request.auth."""
    return request.auth  # type: ignore[attr-defined]  # set by ninja, unknown to django-stubs
