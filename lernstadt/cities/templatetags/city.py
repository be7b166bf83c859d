"""The city pack's texts in templates: ``{% load city %}{% city_text "portal_name" %}``."""

from django import template

from lernstadt.cities.pack import current_city

register = template.Library()


@register.simple_tag
def city_text(key: str) -> str:
    """A portal text of the city in the active language, German when it has none."""
    return current_city().text(key)
