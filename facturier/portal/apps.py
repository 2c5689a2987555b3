from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "facturier.portal"
    label = "portal"
