"""``lernstadt import_statistics --format FORMAT PATH``: load official or own statistics."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring.importers import FORMATS, import_file
from lernstadt.monitoring.models import ImportRun


class Command(BaseCommand):
    help = (
        "Importiert Statistik in das Bildungsmonitoring (Formate in docs/data-formats.md): "
        "inkar (INKAR-Kreisindikatoren), census2022 (Zensus 2022 je Gemeinde), opensdg "
        "(Open-SDG-Datei oder Ordner), leavers (pseudonymisierte Schulabgänge), tidy "
        "(eine Beobachtung je Zeile). Erneuter Import derselben Datei ersetzt ihre Werte. "
        "Alles oder nichts: bei einem Fehler wird nichts geändert und jedes Problem mit "
        "Zeile und Spalte genannt. / Imports statistics into the monitoring (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("path", metavar="PATH", help="Datei, Ordner (opensdg) oder Adresse")
        parser.add_argument(
            "--area",
            metavar="CODE",
            help="Gebiet der Daten bei opensdg (Standard: die Stadt des Stadtpakets)",
        )
        parser.add_argument(
            "--by", metavar="NAME", default="", help="wer importiert (für den Importverlauf)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = import_file(
                options["format"], options["path"], area_code=options["area"], by=options["by"]
            )
        except ImportFailed as failure:
            raise CommandError(failure.report()) from failure
        self.stdout.write(self.style.SUCCESS(summary(run)))


def summary(run: ImportRun) -> str:
    """One German line: what was read and written, and how long it took."""
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
    duration = f"{seconds:.1f}".replace(".", ",")
    return (
        f"{run.source} ({run.format}): {run.rows} Zeilen gelesen, "
        f"{run.observations} Beobachtungen geschrieben in {duration} s."
    )
