from django.urls import path

from facturier.outbox.webhooks import tracking_webhook

app_name = "outbox"
urlpatterns = [
    path("webhooks/<slug:esp>/tracking/", tracking_webhook, name="tracking_webhook"),
]
