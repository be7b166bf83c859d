"""``lernstadt export_offers --format jsonld|csv|ics``: every public offer as open data."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from lernstadt.catalog.formats.ical import catalog_calendar
from lernstadt.catalog.formats.jsonld import catalog_jsonld
from lernstadt.catalog.formats.offers_csv import offers_csv
from lernstadt.catalog.models import Offer
from lernstadt.catalog.taxonomy import OfferStatus


def public_offers() -> QuerySet[Offer]:
    """Published and cancelled offers (cancelled ones are news too), in a stable order."""
    return (
        Offer.objects.filter(status__in=[OfferStatus.PUBLISHED, OfferStatus.CANCELLED])
        .select_related("provider", "place")
        .prefetch_related("dates")
        .order_by("pk")
    )


class Command(BaseCommand):
    help = (
        "Exportiert alle öffentlichen Angebote (veröffentlicht und abgesagt) als schema.org-"
        "JSON-LD, als CSV im Importformat oder als iCalendar (ein Termin je VEVENT). "
        "Ausgabe auf stdout oder in die Datei --output. "
        "/ Exports every public offer as JSON-LD, CSV or iCalendar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["jsonld", "csv", "ics"], default="jsonld")
        parser.add_argument("--output", metavar="PATH", help="Zieldatei (Standard: stdout)")
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "LERNSTADT_BASE_URL", ""),
            help="Adresse des Portals für absolute Links, z. B. https://lernen.herne.de",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        offers, base_url = public_offers(), options["base_url"]
        if options["format"] == "ics":
            data = catalog_calendar(offers, base_url)
        elif options["format"] == "csv":
            data = offers_csv(offers).encode("utf-8")
        else:
            document = catalog_jsonld(offers, base_url)
            text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            data = (text + "\n").encode("utf-8")
        if options["output"]:
            Path(options["output"]).write_bytes(data)
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
