"""`Authorization: Bearer <token>`: the token is looked up by its SHA-256; the seller it belongs to is the scope."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from facturier.accounts.models import ApiToken, Seller
from facturier.core.clock import now

LAST_USED_PRECISION = timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return self.authenticate_token(token)

    def authenticate_token(self, token: str):
        record = (
            ApiToken.objects.select_related("seller__owner")
            .filter(token_sha256=token_digest(token), revoked_at=None)
            .exclude(seller__status=Seller.STATUS_PURGED)
            .first()
        )
        if record is None or not record.seller.owner.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        moment = now()
        if record.last_used_at is None or moment - record.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=moment)
        return record.seller.owner, record

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to unauthenticated requests.
        return 'Bearer realm="api"'
