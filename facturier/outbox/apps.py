from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "facturier.outbox"
    label = "outbox"
    verbose_name = "Envoi des e-mails"

    def ready(self) -> None:
        from anymail.signals import tracking

        from facturier.outbox.webhooks import handle_tracking

        tracking.connect(handle_tracking, dispatch_uid="facturier.outbox.tracking")
