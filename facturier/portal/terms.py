"""The terms of service a new account accepts at sign-up: one version at a time, its text in portal/terms/."""

from __future__ import annotations

TERMS_VERSION = "2026-12"
TERMS_TEMPLATE = f"portal/terms/terms-{TERMS_VERSION}.html"
