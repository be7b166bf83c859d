"""Breakdown dimensions and categories in words, in German and English, with readable fallbacks."""

import pytest
from django.utils import translation

from lernstadt.monitoring.presenting import category_label, dimension_label


@pytest.mark.parametrize(
    ("dimension", "category", "german", "english"),
    [
        ("sex", "f", "weiblich", "female"),
        ("nationality", "foreign", "nichtdeutsch", "non-German"),
        (
            "qualification",
            "ahr",
            "Allgemeine Hochschulreife",
            "general higher-education entrance qualification (Abitur)",
        ),
        ("school_type", "20", "Gymnasium", "Gymnasium"),
        ("school_type", "02", "Grundschule", "Primary school"),
        ("Gruppierung", "Kinderarmut", "Kinderarmut", "Child poverty"),
        ("Gruppierung", "Altersarmut", "Altersarmut", "Old-age poverty"),
        ("age_group", "0-17", "0 bis 17 Jahre", "0 to 17 years"),
        ("age_group", "65+", "65 Jahre und älter", "65 years and over"),
        ("life_phase", "seniors", "Seniorinnen und Senioren", "Seniors"),
    ],
)
def test_known_categories_read_as_words_in_both_languages(
    dimension: str, category: str, german: str, english: str
) -> None:
    with translation.override("de"):
        assert category_label(dimension, category) == german
    with translation.override("en"):
        assert category_label(dimension, category) == english


@pytest.mark.parametrize(
    ("dimension", "german", "english"),
    [
        ("sex", "Geschlecht", "Sex"),
        ("Gruppierung", "Gruppierung", "Group"),
        ("school_type", "Schulform", "School type"),
    ],
)
def test_known_dimensions_read_as_words_in_both_languages(
    dimension: str, german: str, english: str
) -> None:
    with translation.override("de"):
        assert dimension_label(dimension) == german
    with translation.override("en"):
        assert dimension_label(dimension) == english


def test_an_unknown_dimension_reads_as_its_name_without_underscores() -> None:
    assert dimension_label("migration_background") == "Migration background"
    assert category_label("migration_background", "first_generation") == "first generation"


def test_an_unknown_school_form_is_named_by_its_key() -> None:
    with translation.override("de"):
        assert category_label("school_type", "99") == "Schulform 99"
