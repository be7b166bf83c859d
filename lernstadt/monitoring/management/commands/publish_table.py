"""``lernstadt publish_table DATASET --year YEAR --by DIM[,DIM...]``: a protected table as CSV."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lernstadt.monitoring.tables import TableRequestError, publish_table, to_csv


class Command(BaseCommand):
    help = (
        "Gibt eine veröffentlichungsfähige Tabelle aus: eine Spalte je Gliederung und die Spalte "
        "value, mit Summenzeilen (total) und Geheimhaltung (. = geheim, - = genau null). "
        "Datensatz school_leavers: district, borough, sex, nationality, qualification, "
        "school_type. / Prints a published table with totals and disclosure control as CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", metavar="DATASET", help="z. B. school_leavers")
        parser.add_argument("--year", type=int, required=True, help="Abgangsjahr")
        parser.add_argument(
            "--by", required=True, metavar="DIM[,DIM...]", help="Gliederungen, mit Komma getrennt"
        )
        parser.add_argument(
            "--pool-years", type=int, default=1, metavar="N", help="so viele Jahre zusammenfassen"
        )
        parser.add_argument(
            "--min-count",
            type=int,
            default=None,
            metavar="N",
            help="kleinste veröffentlichte Fallzahl (Standard: LERNSTADT_DISCLOSURE_MIN_COUNT)",
        )
        parser.add_argument("--format", choices=["csv"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        by = [name.strip() for name in options["by"].split(",") if name.strip()]
        minimum = options["min_count"]
        if minimum is not None and minimum < 1:
            raise CommandError("--min-count muss mindestens 1 sein")
        try:
            published = publish_table(
                options["dataset"], options["year"], by, options["pool_years"], minimum
            )
        except TableRequestError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(to_csv(published), ending="")
