"""The JSON API (``/api/v1/``), described by OpenAPI at ``/api/v1/openapi.json``."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Swagger
from ninja.errors import HttpError, ValidationError

from lernstadt.catalog.api import router as catalog_router
from lernstadt.monitoring.api import router as monitoring_router

api = NinjaAPI(
    title="lernstadt API",
    version="1",
    description=(
        "Bildungsangebote und Einrichtungen der Lernstadt und das Bildungsmonitoring "
        "(offene Daten; jeder Wert nach der Geheimhaltung kleiner Fallzahlen). "
        "Listen antworten mit `total` (alle Treffer) und `results` (diese Seite); "
        "geblättert wird mit `limit` und `offset` oder `page`. "
        "Werte aus Vokabularen kommen als `code` (für Filter) mit `label`. "
        "Ungültige Parameter: 422 mit `detail` als Liste aus `loc`, `msg` (deutsch) und `type`."
    ),
    urls_namespace="api",
    # No online validator: its badge would load an image from a third-party host.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/", catalog_router)
api.add_router("/monitoring/", monitoring_router)

# German for the parameter errors pydantic reports (its own messages are English).
PROBLEMS = {
    "missing": "Angabe fehlt.",
    "int_parsing": "Ganze Zahl erwartet.",
    "int_type": "Ganze Zahl erwartet.",
    "int_from_float": "Ganze Zahl erwartet.",
    "float_parsing": "Zahl erwartet.",
    "float_type": "Zahl erwartet.",
    "bool_parsing": "true oder false erwartet.",
    "bool_type": "true oder false erwartet.",
    "string_type": "Text erwartet.",
    "list_type": "Liste erwartet.",
    "greater_than_equal": "Mindestens {ge}.",
    "greater_than": "Größer als {gt}.",
    "less_than_equal": "Höchstens {le}.",
    "less_than": "Kleiner als {lt}.",
    "string_too_short": "Mindestens {min_length} Zeichen.",
    "string_too_long": "Höchstens {max_length} Zeichen.",
    "too_short": "Mindestens {min_length} Werte.",
    "too_long": "Höchstens {max_length} Werte.",
    "literal_error": "Erlaubt: {expected}.",
    "enum": "Erlaubt: {expected}.",
    "value_error": "{error}",
}


def german(problem: dict[str, Any]) -> dict[str, Any]:
    """One parameter problem with its message in German (unknown kinds: a plain German hint)."""
    template = PROBLEMS.get(problem.get("type", ""), "Ungültiger Wert.")
    context = {key: str(value) for key, value in (problem.get("ctx") or {}).items()}
    context.setdefault("error", problem.get("msg", ""))
    try:
        message = template.format(**context)
    except (KeyError, IndexError):
        message = "Ungültiger Wert."
    message = message.replace("' or '", "' oder '")
    return problem | {"msg": message}


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with the list of problems, each message in German."""
    return api.create_response(request, {"detail": [german(p) for p in exc.errors]}, status=422)


# Added last, so it only catches paths no endpoint claims: clients get JSON, not a page.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise HttpError(404, _("Diesen Pfad gibt es in der API nicht."))


api.add_router("/", unknown)
