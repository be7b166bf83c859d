"""The JSON API (``/api/v1/``), described by OpenAPI at ``/api/v1/openapi.json``."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="lernstadt API",
    version="1",
    description="Bildungsangebote und Einrichtungen der Lernstadt (offene Daten).",
    urls_namespace="api",
)
