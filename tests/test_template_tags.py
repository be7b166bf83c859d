"""The portal's template tags: icons, days, facet choices and hit lists."""

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.utils import translation

from lernstadt.catalog.models import SearchEntry
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


def hit(**fields: object) -> SearchEntry:
    defaults: dict[str, object] = {"kind": "offer", "title": "Schwimmkurs", "url": "/angebote/1/"}
    return SearchEntry(**(defaults | fields))


def hit_list(*hits: SearchEntry, start: int = 1, compact: bool = False) -> str:
    source = "{% load hits %}{% hit_list hits start compact=compact %}"
    with translation.override("de"):
        return render(source, hits=hits, start=start, compact=compact)


def test_a_hit_list_is_numbered_from_the_pages_first_hit() -> None:
    html = hit_list(hit(), hit(title="Yoga"), start=21)
    assert html.startswith('<ol class="hit-list" start="21">')
    assert html.count("<li><article") == 2 and html.endswith("</ol>")
    assert hit_list().count("<li>") == 0


def test_a_hit_shows_its_kind_title_and_link() -> None:
    html = hit_list(hit(kind="institution", title="Otto-Hahn-Gymnasium", url="/einrichtungen/7/"))
    assert '<article class="hit hit--institution">' in html
    assert '<span class="badge badge--institution">Einrichtung</span>' in html
    assert '<h3 class="hit__title"><a href="/einrichtungen/7/">Otto-Hahn-Gymnasium</a></h3>' in html
    assert "badge--cancelled" not in html and "hit__subtitle" not in html


def test_a_hit_shows_its_badges_subtitle_summary_day_and_borough() -> None:
    html = hit_list(
        hit(
            is_cancelled=True,
            is_free=True,
            is_example=True,
            subtitle="VHS Herne",
            summary=" ".join(f"Wort{n}" for n in range(40)),
            next_date=datetime(2030, 2, 28, 23, 30, tzinfo=UTC),  # 1 March in Herne
            borough="Herne-Wanne",
        )
    )
    for badge in ('cancelled">abgesagt', 'free">kostenlos', 'example">Beispiel'):
        assert f'<span class="badge badge--{badge}</span>' in html
    assert '<p class="hit__subtitle">VHS Herne</p>' in html
    assert "Wort31 …</p>" in html and "Wort32" not in html
    assert 'Nächster Termin: <time datetime="2030-03-01">1. März 2030</time>' in html
    assert "<span>Herne-Wanne</span></li>" in html
    assert html.count('<svg class="icon"') == 2


def test_a_compact_hit_list_leaves_out_summaries() -> None:
    html = hit_list(hit(summary="Seepferdchen in zehn Stunden."), compact=True)
    assert html.startswith('<ol class="hit-list hit-list--compact"')
    assert "Seepferdchen" not in html


def test_every_text_of_a_hit_is_escaped() -> None:
    html = hit_list(
        hit(
            title="<b>Kurs</b> & mehr",
            url='/a/"><script>',
            subtitle="<i>",
            summary="<script>x</script>",
            borough="<u>",
        )
    )
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "<u>" not in html
    assert 'href="/a/&quot;&gt;&lt;script&gt;"' in html
    assert "&lt;b&gt;Kurs&lt;/b&gt; &amp; mehr" in html


def test_a_hit_list_speaks_the_active_language() -> None:
    source = "{% load hits %}{% hit_list hits 1 %}"
    shown = hit(is_cancelled=True, next_date=datetime(2030, 3, 1, 9, tzinfo=UTC))
    with translation.override("en"):
        html = render(source, hits=[shown])
    assert '<span class="badge badge--cancelled">cancelled</span>' in html
    assert 'Next date: <time datetime="2030-03-01">' in html
