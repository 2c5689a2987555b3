from django.apps import AppConfig


class EreportingConfig(AppConfig):
    name = "facturier.ereporting"
    label = "ereporting"
    verbose_name = "E-reporting et facturation électronique (réforme 2026-2027)"
