"""``lernstadt import_offers PATH``: offers from CSV or schema.org JSON-LD."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lernstadt.catalog.formats.offer_import import import_offers
from lernstadt.lib.import_problems import ImportFailed


class Command(BaseCommand):
    help = (
        "Importiert Angebote aus CSV oder schema.org-JSON-LD (Format nach Endung .csv, "
        ".json, .jsonld oder Inhalt; beschrieben in docs/data-formats.md). Quelle und Kennung "
        "(external_id) bestimmen ein Angebot: erneuter Import aktualisiert es und ersetzt "
        "seine Termine. Alles oder nichts: bei einem Fehler wird nichts geändert und jedes "
        "Problem mit Zeile und Spalte (JSON-LD: Eintrag und Eigenschaft) genannt. "
        "/ Imports offers from CSV or JSON-LD (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="CSV- oder JSON-LD-Datei")
        parser.add_argument(
            "--source",
            default="",
            help="Name der Quelle (Standard: Dateiname ohne Endung)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur prüfen und zählen, nichts speichern",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = import_offers(options["path"], options["source"], options["dry_run"])
        except ImportFailed as failure:
            raise CommandError(failure.report()) from failure
        self.stdout.write(self.style.SUCCESS(str(summary)))
