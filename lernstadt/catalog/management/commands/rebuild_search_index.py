from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction

from lernstadt.catalog.search import rebuild_index, vacuum_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index of offers and institutions from scratch. "
        "Needed only after changes made outside the application."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            count = rebuild_index()
        self.stdout.write(f"Suchindex neu aufgebaut: {count} Einträge.")
        if connection.in_atomic_block:
            return  # called inside a transaction, where VACUUM cannot run
        try:
            vacuum_index()
        except DatabaseError as error:
            self.stderr.write(
                f"Der Suchindex ist vollständig, aber der frei gewordene Speicher wurde "
                f"nicht aufgeräumt ({error}). Später erneut versuchen: VACUUM."
            )
