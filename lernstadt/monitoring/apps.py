from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "lernstadt.monitoring"
    verbose_name = "Bildungsmonitoring"
