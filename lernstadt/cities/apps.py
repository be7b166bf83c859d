from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "lernstadt.cities"
    verbose_name = "Stadtpaket"
