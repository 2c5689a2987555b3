"""Aware time helpers; the business calendar is Europe/Paris."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    return timezone.now()


def today_in_paris() -> date:
    return now().astimezone(PARIS).date()


def paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()
