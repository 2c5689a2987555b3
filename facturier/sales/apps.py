from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "facturier.sales"
    label = "sales"
