"""Decorative icons: one per life phase and action, hidden from screen readers."""

from django.template import Context, Template

from lernstadt.catalog.taxonomy import LifePhase
from lernstadt.catalog.templatetags.icons import SHAPES


def render(source: str, **context: object) -> str:
    return Template("{% load icons %}" + source).render(Context(context))


def test_every_life_phase_has_its_own_icon() -> None:
    drawn = {render("{% icon phase %}", phase=phase) for phase in LifePhase.values}
    assert set(LifePhase.values) <= set(SHAPES)
    assert len(drawn) == len(LifePhase.values)


def test_an_icon_is_decoration_screen_readers_skip() -> None:
    svg = render('{% icon "pin" %}')
    assert svg.startswith('<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"')
    assert 'focusable="false"' in svg and svg.endswith("</svg>")


def test_an_unknown_name_draws_a_plain_circle() -> None:
    assert '<circle cx="12" cy="12" r="9"/>' in render("{% icon name %}", name="<b>x</b>")
    assert "<b>" not in render("{% icon name %}", name="<b>x</b>")
