"""``lernstadt load_monitoring``: the city pack's goals, indicators, areas, targets, measures."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lernstadt.cities.pack import current_city
from lernstadt.monitoring.models import Area, Goal, Indicator, Measure, Target
from lernstadt.monitoring.pack import PackError, load_monitoring_pack


class Command(BaseCommand):
    help = (
        "Lädt den Monitoring-Teil des Stadtpakets (cities/<stadt>/monitoring/*.json): "
        "Gebiete, Ziele, Indikatoren, Zielwerte und Maßnahmen. Erneutes Laden aktualisiert "
        "dieselben Einträge, statt neue anzulegen. "
        "/ Loads the monitoring part of the city pack (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            load_monitoring_pack(current_city())
        except PackError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Monitoring: {Area.objects.count()} Gebiete, {Goal.objects.count()} Ziele, "
                f"{Indicator.objects.count()} Indikatoren, {Target.objects.count()} Zielwerte, "
                f"{Measure.objects.count()} Maßnahmen."
            )
        )
