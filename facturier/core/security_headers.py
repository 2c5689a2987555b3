"""Headers Django does not set: a strict Content-Security-Policy on pages, and no caching of documents.

The portal has no inline script or style (its JavaScript and CSS are static files), so the policy allows
nothing but this origin. Invoices, CSV exports and ZIP archives carry buyers' personal data: no shared cache
(proxy, CDN) and no browser cache may keep a copy.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "frame-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
])  # fmt: skip
DOCUMENT_TYPES = ("application/pdf", "application/zip", "text/csv")


class SecurityHeadersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        elif content_type.startswith(DOCUMENT_TYPES):
            response["Cache-Control"] = "private, no-store"
        return response
