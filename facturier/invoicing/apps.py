from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "facturier.invoicing"
    label = "invoicing"
