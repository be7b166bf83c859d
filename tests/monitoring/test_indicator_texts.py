"""What a number means: the plain-language texts of the indicators, in German, English and easy German.

The Herne pack gives every indicator ``meaning_de``, ``meaning_en`` and ``easy_de``;
the indicator page shows them, and the English page speaks English also in its charts.
"""

import re
from collections.abc import Iterator
from html import unescape

import pytest
from django.test import Client
from django.utils import translation

from lernstadt.monitoring.models import Area, Indicator, Observation

pytestmark = pytest.mark.django_db

INDICATOR_URL = "/monitoring/indikatoren/share_abitur/"
# Words of the charts that only a German page may carry.
GERMAN_CHART_WORDS = ("Prozent", "Quelle:", "Verlauf", "geheim gehalten", "Lücke in der Linie")


@pytest.fixture(autouse=True)
def default_language_afterwards() -> Iterator[None]:
    """An English request leaves English active in the thread; later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def abitur_series(monitoring_pack: None) -> None:
    """Five years of INKAR's Abitur share for Herne (county), enough for a chart."""
    indicator = Indicator.objects.get(code="share_abitur")
    herne = Area.objects.get(code="05916")
    for year, value in zip(range(2018, 2023), (31.5, 32.25, 33.0, 34.1, 34.66), strict=True):
        Observation.objects.create(indicator=indicator, area=herne, period=year, value=value)


def visible_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).replace("\xa0", " ")


def first_sentence(text: str) -> str:
    return text.split(". ")[0]


def test_every_pack_indicator_has_all_three_texts(monitoring_pack: None) -> None:
    indicators = list(Indicator.objects.all())
    assert len(indicators) >= 30
    for indicator in indicators:
        assert indicator.meaning_de.strip(), indicator.code
        assert indicator.meaning_en.strip(), indicator.code
        assert indicator.easy_de.strip(), indicator.code


def test_meaning_texts_are_a_few_plain_sentences(monitoring_pack: None) -> None:
    for indicator in Indicator.objects.all():
        for text in (indicator.meaning_de, indicator.meaning_en):
            sentences = re.findall(r"[.!?](?:\s|$)", text)
            assert 2 <= len(sentences) <= 5, (indicator.code, text)


def test_easy_german_says_one_short_thing_per_line(monitoring_pack: None) -> None:
    for indicator in Indicator.objects.all():
        lines = indicator.easy_de.splitlines()
        assert len(lines) >= 3, indicator.code
        for line in lines:
            assert len(line.split()) <= 14, (indicator.code, line)
            assert "%" not in line, (indicator.code, line)


def test_english_meaning_is_english(monitoring_pack: None) -> None:
    for indicator in Indicator.objects.all():
        assert indicator.meaning_en != indicator.meaning_de, indicator.code
        assert re.search(r"\b(the|this|is|of)\b", indicator.meaning_en), indicator.code


def test_indicator_page_shows_meaning_and_easy_german(client: Client, abitur_series: None) -> None:
    indicator = Indicator.objects.get(code="share_abitur")
    response = client.get(INDICATOR_URL)
    html = response.content.decode()
    text = visible_text(html)

    assert response.status_code == 200
    assert "Was diese Zahl bedeutet" in text
    assert first_sentence(indicator.meaning_de) in text
    assert "In Leichter Sprache" in text
    assert indicator.easy_de.splitlines()[1] in text
    assert 'class="easy-language" lang="de"' in html


def test_indicator_page_without_data_still_explains_the_number(
    client: Client, monitoring_pack: None
) -> None:
    indicator = Indicator.objects.get(code="leavers_unplaced_share")
    text = visible_text(client.get(f"/monitoring/indikatoren/{indicator.code}/").content.decode())

    assert first_sentence(indicator.meaning_de) in text
    assert indicator.easy_de.splitlines()[0] in text


def test_english_indicator_page_shows_the_english_meaning(
    client: Client, abitur_series: None
) -> None:
    indicator = Indicator.objects.get(code="share_abitur")
    client.cookies["django_language"] = "en"
    text = visible_text(client.get(INDICATOR_URL).content.decode())

    assert "What this number means" in text
    assert first_sentence(indicator.meaning_en) in text
    assert first_sentence(indicator.meaning_de) not in text


def test_english_page_has_no_german_chart_words(client: Client, abitur_series: None) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(INDICATOR_URL).content.decode()
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)

    assert charts, "the page should carry a chart"
    for word in GERMAN_CHART_WORDS:
        assert word not in html, word
    assert any("Source: INKAR" in chart for chart in charts)
    assert any("percent" in chart.lower() for chart in charts)
