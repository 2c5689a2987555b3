"""`{{ value|stored_text }}`: a stored seller-facing text (core.stored_text) in the language of the page."""

from __future__ import annotations

from django import template

from facturier.core import stored_text as texts

register = template.Library()


@register.filter(name="stored_text")
def stored_text(value: str | None) -> str:
    return texts.render(value)
