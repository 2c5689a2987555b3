"""Test personas are the project's sample sellers (facturier.accounts.samples)."""

from facturier.accounts.samples import PASSWORD, create_seller

__all__ = ["PASSWORD", "create_seller"]
