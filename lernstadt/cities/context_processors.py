from typing import Any

from django.http import HttpRequest

from lernstadt.cities.pack import current_city


def city(request: HttpRequest) -> dict[str, Any]:
    return {"city": current_city()}
