"""``lernstadt build_report --year YEAR --output DIR``: the yearly Datenreport as HTML and PDF."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lernstadt.monitoring.report import ReportError, build_report


class Command(BaseCommand):
    help = (
        "Erstellt den Datenreport eines Berichtsjahres: report.html und report.pdf "
        "(barrierearmes PDF/UA) mit Titelseite, Inhalt, einem Kapitel je Ziel, Methoden "
        "und Tabellenanhang; nur geschützte Werte. Dieselben Daten ergeben denselben "
        "Bericht. / Builds the yearly data report (HTML and tagged PDF)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Berichtsjahr, z. B. 2024")
        parser.add_argument("--output", required=True, metavar="DIR", help="Zielordner")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = build_report(options["year"], options["output"])
        except (ReportError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"{files.html} und {files.pdf} geschrieben ({files.pages} Seiten).")
        )
