from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "facturier.simulator"
    label = "simulator"
