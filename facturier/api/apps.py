from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "facturier.api"
    label = "api"

    def ready(self) -> None:
        from facturier.api import schema  # noqa: F401 - registers the OpenAPI auth extension
