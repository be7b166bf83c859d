"""The portal's template tags: icons, days and facet choices."""

from datetime import date

from django.template import Context, Template
from django.utils import translation

from lernstadt.catalog.search import FacetValue
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


def test_a_day_reads_as_the_active_language_writes_it() -> None:
    day = date(2030, 3, 1)
    with translation.override("de"):
        assert render("{% load days %}{{ day|day }}", day=day) == "1. März 2030"
    with translation.override("en"):
        assert render("{% load days %}{{ day|day }}", day=day) == "March 1, 2030"
    with translation.override("de"):
        assert render("{% load days %}{{ day|day }}", day=day) == "1. März 2030"


def test_no_day_reads_as_nothing() -> None:
    assert render("{% load days %}[{{ day|day }}]", day=None) == "[]"


def test_a_city_text_follows_the_active_language_and_falls_back_to_german() -> None:
    with translation.override("en"):
        assert render('{% load city %}{% city_text "tagline" %}').startswith("Every place to learn")
    with translation.override("tr"):
        assert render('{% load city %}{% city_text "operator" %}') == "Stadt Herne, Bildungsbüro"


def facet_choices(*values: FacetValue) -> str:
    return render("{% load facets %}{% facet_choices name values %}", name="topic", values=values)


def test_a_facet_choice_is_a_labelled_checkbox_with_its_count() -> None:
    html = facet_choices(FacetValue("sport", "Sport", 12, selected=False))
    assert html == (
        '<li><label class="check"><input type="checkbox" name="topic" value="sport"> '
        '<span class="check__label">Sport</span> <span class="check__count">12'
        '<span class="visually-hidden"> Treffer</span></span></label></li>'
    )


def test_chosen_and_estimated_facet_values_say_so() -> None:
    chosen = FacetValue("sport", "Sport", 64680, selected=True, approximate=True)
    with translation.override("de"):
        html = facet_choices(chosen, FacetValue("music", "Musik", 7, selected=False))
    first, second = html.split("\n")
    assert 'value="sport" checked>' in first and 'value="music">' in second
    assert '<abbr title="geschätzt aus einer Stichprobe">ca.</abbr> 64.680<' in first
    assert "<abbr" not in second
    with translation.override("en"):
        assert "64,680" in facet_choices(chosen)


def test_facet_values_and_labels_are_escaped() -> None:
    html = facet_choices(FacetValue('"><script>', "<b>Kurs</b> & mehr", 1, selected=False))
    assert "<script>" not in html and "<b>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in html
    assert "&lt;b&gt;Kurs&lt;/b&gt; &amp; mehr" in html
