"""Decorative line icons as inline SVG: ``{% load icons %}{% icon "pin" %}``.

The paths follow Feather icons (MIT). Icons are decoration: screen readers skip
them, and the text beside each says what it means.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SHAPES = {  # name: the SVG elements of its shape
    "early_childhood": (
        '<circle cx="12" cy="12" r="4"/>',
        '<path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2'
        'M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/>',
    ),
    "school": (
        '<path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20"/>',
        '<path d="M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z"/>',
    ),
    "transition": (
        '<rect x="2" y="7" width="20" height="14" rx="2"/>',
        '<path d="M16 21V5a2 2 0 0 0-2-2h-4a2 2 0 0 0-2 2v16"/>',
    ),
    "adults": (
        '<path d="M2 3h6a4 4 0 0 1 4 4v14a3 3 0 0 0-3-3H2z"/>',
        '<path d="M22 3h-6a4 4 0 0 0-4 4v14a3 3 0 0 1 3-3h7z"/>',
    ),
    "seniors": (
        '<path d="M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8'
        'l1 1.1 7.8 7.7 7.8-7.7 1-1.1a5.5 5.5 0 0 0 0-7.8z"/>',
    ),
    "families": (
        '<path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2"/>',
        '<circle cx="9" cy="7" r="4"/>',
        '<path d="M23 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8"/>',
    ),
    "search": (
        '<circle cx="11" cy="11" r="7"/>',
        '<path d="M21 21l-4.4-4.4"/>',
    ),
    "map": ('<path d="M1 6v16l7-4 8 4 7-4V2l-7 4-8-4-7 4zM8 2v16M16 6v16"/>',),
    "pin": (
        '<path d="M21 10c0 7-9 13-9 13S3 17 3 10a9 9 0 0 1 18 0z"/>',
        '<circle cx="12" cy="10" r="3"/>',
    ),
    "calendar": (
        '<rect x="3" y="4" width="18" height="18" rx="2"/>',
        '<path d="M16 2v4M8 2v4M3 10h18"/>',
    ),
}
FALLBACK = '<circle cx="12" cy="12" r="9"/>'
SVG = '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">{}</svg>'
# Safe: the markup is these constants alone.
ICONS = {name: mark_safe(SVG.format("".join(shape))) for name, shape in SHAPES.items()}  # noqa: S308
UNKNOWN = mark_safe(SVG.format(FALLBACK))  # noqa: S308


@register.simple_tag
def icon(name: str) -> SafeString:
    """The icon of a life phase, a topic code or an action; a plain circle for others."""
    return ICONS.get(name, UNKNOWN)
