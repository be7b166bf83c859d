"""``lernstadt import_schools PATH_OR_URL``: load or refresh the NRW school register."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lernstadt.catalog.formats.school_register import PUBLIC_URL, import_register
from lernstadt.lib.import_problems import ImportFailed


class Command(BaseCommand):
    help = (
        "Importiert das NRW-Schulregister (Schulgrunddaten) aus einer Datei oder von einer "
        f"http(s)-Adresse, z. B. {PUBLIC_URL}. Jede Schule wird eine Einrichtung mit Ort und "
        "WGS84-Koordinaten; erneuter Import aktualisiert nach Schulnummer, Schulen, die im "
        "Register fehlen, werden als geschlossen markiert. Alles oder nichts: bei einem "
        "Fehler wird nichts geändert und jedes Problem mit Zeile und Spalte genannt. "
        "/ Imports the NRW school register (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="PATH_OR_URL", help="CSV-Datei oder http(s)-Adresse")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = import_register(options["source"])
        except ImportFailed as failure:
            raise CommandError(failure.report()) from failure
        for warning in summary.warnings:
            self.stderr.write(f"Hinweis: {warning}")
        self.stdout.write(self.style.SUCCESS(str(summary)))
