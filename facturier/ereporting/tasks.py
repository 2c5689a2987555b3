"""Celery entry point: one e-reporting pass per seller (build closed periods, send, follow, warn)."""

from __future__ import annotations

import logging

from celery import shared_task

from facturier.accounts.models import Seller
from facturier.accounts.reform import ReformProfile
from facturier.ereporting.services import run_seller

logger = logging.getLogger(__name__)


@shared_task(name="facturier.ereporting.tasks.ereporting_pass_task")
def ereporting_pass_task() -> int:
    """A failure for one seller never stops the others."""
    done = 0
    sellers = Seller.objects.filter(
        status=Seller.STATUS_ACTIVE, pk__in=ReformProfile.objects.values("seller_id")
    )
    for seller in sellers:
        try:
            run_seller(seller)
            done += 1
        except Exception:
            logger.exception("E-reporting pass failed for seller %s", seller.pk)
    return done
