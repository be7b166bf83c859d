"""What every monitoring page must say: whether invented example data are shown."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lernstadt.monitoring import demo


def example_data(request: HttpRequest) -> dict[str, object]:
    """``monitoring_example_leavers``: true when the demo's invented leaver records are
    loaded. Lazy, so pages that never ask (the catalogue) run no query."""
    return {"monitoring_example_leavers": SimpleLazyObject(demo.example_leavers_loaded)}
