from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "facturier.ops"
    label = "ops"
    verbose_name = "Exploitation"
