"""Celery entry point: one e-reporting pass per seller (build closed periods, send, follow, warn)."""

from __future__ import annotations

import logging

from celery import shared_task

from facturier.accounts.models import Seller
from facturier.accounts.reform import PAConnection, ReformProfile
from facturier.ereporting.einvoicing import run_einvoicing
from facturier.ereporting.reports import run_seller

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


@shared_task(name="facturier.ereporting.tasks.einvoicing_pass_task")
def einvoicing_pass_task() -> int:
    """Deposit rendered B2B invoices to each connected seller's PA and follow their life-cycle statuses."""
    deposited = 0
    for seller in Seller.objects.filter(status=Seller.STATUS_ACTIVE, pk__in=PAConnection.objects.values("seller_id")):
        try:
            deposited += run_einvoicing(seller)
        except Exception:
            logger.exception("E-invoicing pass failed for seller %s", seller.pk)
    return deposited
