"""Template context every portal page shares."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def support(request: HttpRequest) -> dict:
    """Where a seller gets help (FACTURIER_SUPPORT_EMAIL, FACTURIER_HELP_URL), for the foot of every page."""
    return {"support_email": settings.FACTURIER_SUPPORT["email"], "help_url": settings.FACTURIER_SUPPORT["help_url"]}
