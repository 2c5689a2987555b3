"""ESP delivery-status webhooks, through django-anymail's normalised tracking events.

Matching: with SMTP sending (Mailgun SMTP relay, the production set-up) the ESP reports our own Message-ID
header, which anymail's Mailgun view puts in `event.message_id`; with an anymail API backend the ESP's id is
stored on the row at send time (`esp_message_id`). `services.find_by_message_id` tries both.
"""

from __future__ import annotations

from anymail.signals import AnymailTrackingEvent
from anymail.utils import get_anymail_setting
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from facturier.outbox import services

TRACKING_VIEWS = {
    "mailgun": MailgunTrackingWebhookView.as_view(),
    "postmark": PostmarkTrackingWebhookView.as_view(),
}
# The ANYMAIL setting each ESP's webhook needs to authenticate calls; without it the endpoint stays closed.
REQUIRED_SECRET = {"mailgun": ("webhook_signing_key", "Mailgun"), "postmark": ("webhook_secret", None)}


def webhook_configured(esp: str) -> bool:
    name, esp_name = REQUIRED_SECRET[esp]
    return bool(get_anymail_setting(name, esp_name=esp_name, default=None))


@csrf_exempt
def tracking_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    view = TRACKING_VIEWS.get(esp)
    if view is None or not webhook_configured(esp):
        raise Http404("webhook inconnu")
    return view(request)


def handle_tracking(sender: object, event: AnymailTrackingEvent, esp_name: str, **_kwargs: object) -> None:
    """anymail.signals.tracking receiver (connected in OutboxConfig.ready)."""
    reason = " — ".join(part for part in (event.description, event.mta_response) if part)
    services.record_tracking(
        message_id=event.message_id or "", event_type=event.event_type, description=reason or event.event_type
    )
