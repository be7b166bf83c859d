"""The city pack: Herne is the default, another city is a folder of data."""

import json
from pathlib import Path

from django.test import override_settings
from django.utils import translation

from lernstadt.cities import pack


def test_herne_is_the_default_city() -> None:
    herne = pack.current_city()
    assert (herne.name, herne.ags) == ("Herne", "05916000")
    assert herne.borough_names == ["Herne-Mitte", "Herne-Wanne", "Herne-Eickel", "Herne-Sodingen"]


def test_borough_is_found_by_name_or_code_in_any_case() -> None:
    herne = pack.current_city()
    wanne = herne.borough("herne-wanne")
    assert wanne is not None and wanne.code == "wanne"
    assert herne.borough("SODINGEN") is not None
    assert herne.borough("Gelsenkirchen") is None


def test_texts_follow_the_active_language() -> None:
    herne = pack.current_city()
    with translation.override("en"):
        english = herne.text("tagline")
    with translation.override("de"):
        german = herne.text("tagline")
    assert english.startswith("Every place to learn")
    assert german.startswith("Alle Bildungsangebote")


def test_text_falls_back_to_german_for_other_languages() -> None:
    with translation.override("tr"):
        assert pack.current_city().text("operator") == "Stadt Herne, Bildungsbüro"


def test_another_city_is_a_folder_of_data(tmp_path: Path) -> None:
    folder = tmp_path / "bochum"
    folder.mkdir()
    (folder / "city.json").write_text(
        json.dumps(
            {
                "name": "Bochum",
                "ags": "05911000",
                "state": "Nordrhein-Westfalen",
                "boroughs": [{"code": "mitte", "name": "Bochum-Mitte"}],
                "map": {"center": [51.48, 7.22], "zoom": 12},
                "texts": {"portal_name": {"de": "Lernen in Bochum"}},
            }
        ),
        encoding="utf-8",
    )
    pack._cached.cache_clear()
    try:
        with override_settings(LERNSTADT_CITY=str(folder)):
            city = pack.current_city()
            assert (city.name, city.slug, city.text("portal_name")) == (
                "Bochum",
                "bochum",
                "Lernen in Bochum",
            )
            assert city.borough_names == ["Bochum-Mitte"]
    finally:
        pack._cached.cache_clear()
