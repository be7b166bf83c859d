"""``lernstadt search "QUERY"``: the portal's search from the command line."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lernstadt.catalog import search


class Command(BaseCommand):
    help = (
        "Sucht Angebote und Einrichtungen wie die Suche im Portal (auch nach Schulnummer). "
        'Mit --json: {"total": N, "total_estimated": false, "results": [...]}. '
        "/ Searches offers and institutions like the portal does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", metavar="QUERY", help="Suchbegriffe")
        parser.add_argument("--limit", type=int, default=10, help="höchstens so viele Treffer")
        parser.add_argument("--json", action="store_true", help="Ausgabe als JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = max(1, options["limit"])
        result = search.search_offers(options["query"], per_page=limit, with_facets=False)
        hits = [search.hit(entry) for entry in result.page]
        if options["json"]:
            answer = {"total": result.total, "total_estimated": result.total_estimated}
            self.stdout.write(json.dumps({**answer, "results": hits}, ensure_ascii=False))
            return
        about = "etwa " if result.total_estimated else ""
        self.stdout.write(f"{about}{result.total} Treffer für „{options['query']}“")
        for number, found in enumerate(hits, start=1):
            school = f" [Schulnummer {found['school_number']}]" if "school_number" in found else ""
            kind = "Angebot" if found["kind"] == "offer" else "Einrichtung"
            self.stdout.write(f"{number:>3}. {found['title']}{school}")
            self.stdout.write(f"     {kind} · {found['subtitle']} · {found['url']}")
