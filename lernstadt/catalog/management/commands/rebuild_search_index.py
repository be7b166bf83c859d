from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from lernstadt.catalog.search import rebuild_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index of offers and institutions from scratch. "
        "Needed only after changes made outside the application."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            count = rebuild_index()
        self.stdout.write(f"Suchindex neu aufgebaut: {count} Einträge.")
