"""A strict Content-Security-Policy on every response.

Only our own origin may serve scripts, styles, images and fonts; no inline
script or style. A configured tile server is the one allowed exception for
map images.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tile_origin() -> str:
    """The scheme and host of the configured map tile server, or ''."""
    parts = urlsplit(settings.LERNSTADT_TILE_URL.replace("{s}", "a"))
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc
    if "{s}" in settings.LERNSTADT_TILE_URL:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def policy() -> str:
    images = " ".join(filter(None, ["'self'", "data:", tile_origin()]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.header)
        return response
