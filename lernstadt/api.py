"""The JSON API (``/api/v1/``), described by OpenAPI at ``/api/v1/openapi.json``."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Swagger
from ninja.errors import HttpError

from lernstadt.catalog.api import router as catalog_router

api = NinjaAPI(
    title="lernstadt API",
    version="1",
    description=(
        "Bildungsangebote und Einrichtungen der Lernstadt (offene Daten). "
        "Listen antworten mit `total` (alle Treffer) und `results` (diese Seite); "
        "geblättert wird mit `limit` und `offset` oder `page`. "
        "Werte aus Vokabularen kommen als `code` (für Filter) mit `label`."
    ),
    urls_namespace="api",
    # No online validator: its badge would load an image from a third-party host.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/", catalog_router)

# Added last, so it only catches paths no endpoint claims: clients get JSON, not a page.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise HttpError(404, _("Diesen Pfad gibt es in der API nicht."))


api.add_router("/", unknown)
