"""Leaver indicators derived from the pseudonymous school-leaver records."""

from collections.abc import Callable

import pytest
from django.utils import timezone

from lernstadt.monitoring.derive import GAPS, SHARES, refresh_leaver_indicators
from lernstadt.monitoring.models import (
    Area,
    Direction,
    ImportRun,
    Indicator,
    LeaverRecord,
    Observation,
)
from lernstadt.monitoring.publishing import publish

MakeIndicator = Callable[..., Indicator]

# district, sex, nationality, qualification, how many (all in 2022, general schools)
RECORDS_2022 = [
    ("d1", "f", "german", "ahr", 3),
    ("d1", "m", "german", "none", 1),
    ("d1", "f", "foreign", "fhr", 1),
    ("d1", "m", "foreign", "ahr", 1),
    ("d2", "m", "german", "ahr", 2),
    ("d2", "f", "foreign", "none", 2),
    ("d3", "f", "german", "msa", 2),
]


@pytest.fixture
def city(herne_areas: dict[str, Area]) -> dict[str, Area]:
    """Herne with two boroughs: Mitte (districts d1, d2) and Wanne (d3)."""
    herne = herne_areas["city"]
    mitte = Area.objects.create(code="mitte", name="Mitte", level="borough", parent=herne)
    wanne = Area.objects.create(code="wanne", name="Wanne", level="borough", parent=herne)
    areas = {"city": herne, "mitte": mitte, "wanne": wanne}
    for code, borough in [("d1", mitte), ("d2", mitte), ("d3", wanne)]:
        areas[code] = Area.objects.create(code=code, name=code, level="district", parent=borough)
    return areas


@pytest.fixture
def leaver_indicators(make_indicator: MakeIndicator) -> None:
    for code in SHARES:
        make_indicator(code, level=Area.Level.MUNICIPALITY)
    for code in GAPS:
        make_indicator(code, level=Area.Level.MUNICIPALITY, direction=Direction.TOWARDS_ZERO)


@pytest.fixture
def records(city: dict[str, Area]) -> ImportRun:
    run = ImportRun.objects.create(format="leavers", source="test", started_at=timezone.now())

    def add(
        year: int,
        district: str,
        sex: str,
        nationality: str,
        qualification: str,
        n: int,
        school_type: str = "20",
    ) -> None:
        LeaverRecord.objects.bulk_create(
            LeaverRecord(
                year=year,
                school_number="100001",
                school_type=school_type,
                district=city[district],
                sex=sex,
                nationality=nationality,
                qualification=qualification,
                run=run,
            )
            for _ in range(n)
        )

    for row in RECORDS_2022:
        add(2022, *row)
    add(2022, "d1", "m", "german", "ahr", 5, school_type="30")  # Berufskolleg: not counted
    add(2021, "d1", "f", "german", "ahr", 1)
    return run


def cell(code: str, area: str, breakdown: str = "", period: int = 2022) -> Observation:
    return Observation.objects.get(
        indicator__code=code, area__code=area, breakdown=breakdown, period=period
    )


def counts(code: str, area: str, breakdown: str = "") -> tuple[float | None, ...]:
    found = cell(code, area, breakdown)
    return (found.numerator, found.denominator, found.value)


pytestmark = pytest.mark.usefixtures("leaver_indicators", "records")


def test_the_city_shares_count_leavers_of_general_schools_only() -> None:
    refresh_leaver_indicators({2022})
    # 12 leavers: 6 with ahr, 1 with fhr, 3 without Hauptschulabschluss.
    assert counts("leavers_ahr_share", "05916000") == (6, 12, 50.0)
    assert counts("leavers_fhr_share", "05916000") == (1, 12, pytest.approx(100 / 12))
    assert counts("leavers_no_hsa_share", "05916000") == (3, 12, 25.0)


def test_shares_by_sex_and_nationality_belong_to_the_city() -> None:
    refresh_leaver_indicators({2022})
    assert counts("leavers_ahr_share", "05916000", "sex=f") == (3, 8, 37.5)
    assert counts("leavers_ahr_share", "05916000", "sex=m") == (3, 4, 75.0)
    assert counts("leavers_no_hsa_share", "05916000", "nationality=german") == (1, 8, 12.5)
    assert counts("leavers_no_hsa_share", "05916000", "nationality=foreign") == (2, 4, 50.0)


def test_boroughs_and_districts_are_their_own_areas() -> None:
    refresh_leaver_indicators({2022})
    assert counts("leavers_ahr_share", "mitte") == (6, 10, 60.0)
    assert counts("leavers_ahr_share", "wanne") == (0, 2, 0.0)
    assert counts("leavers_ahr_share", "d1") == (4, 6, pytest.approx(200 / 3))
    assert counts("leavers_ahr_share", "d2") == (2, 4, 50.0)
    assert counts("leavers_no_hsa_share", "d3") == (0, 2, 0.0)
    assert not Observation.objects.filter(area__code="d1").exclude(breakdown="").exists()


def test_gaps_are_the_difference_of_two_shares_in_points() -> None:
    refresh_leaver_indicators({2022})
    # ahr: female 37.5 % - male 75 %; German 62.5 % - foreign 25 %.
    assert counts("leavers_ahr_gap_sex", "05916000") == (None, None, -37.5)
    assert counts("leavers_no_hsa_gap_sex", "05916000") == (None, None, 0.0)
    assert counts("leavers_ahr_gap_nationality", "05916000") == (None, None, 37.5)
    assert counts("leavers_no_hsa_gap_nationality", "05916000") == (None, None, -37.5)
    assert Observation.objects.filter(indicator__code__in=GAPS).count() == 4


def test_only_the_given_years_are_computed() -> None:
    written = refresh_leaver_indicators({2021})
    assert set(Observation.objects.values_list("period", flat=True)) == {2021}
    # 3 shares × (city, sex=f, nationality=german, Mitte, d1); no gap without a second group.
    assert written == 15
    assert counts_2021() == (1, 1, 100.0)


def counts_2021() -> tuple[float | None, ...]:
    found = cell("leavers_ahr_share", "05916000", period=2021)
    return (found.numerator, found.denominator, found.value)


def test_refreshing_replaces_the_years_observations(records: ImportRun) -> None:
    refresh_leaver_indicators({2021, 2022})
    before = Observation.objects.count()
    LeaverRecord.objects.filter(year=2022, qualification="msa").update(qualification="ahr")
    assert refresh_leaver_indicators({2022}) + 15 == before
    assert Observation.objects.count() == before
    assert counts("leavers_ahr_share", "05916000") == (8, 12, pytest.approx(200 / 3))
    assert counts_2021() == (1, 1, 100.0)


def test_a_year_without_records_loses_its_observations() -> None:
    refresh_leaver_indicators({2022})
    LeaverRecord.objects.filter(year=2022).delete()
    assert refresh_leaver_indicators({2022}) == 0
    assert not Observation.objects.exists()


def test_indicators_the_pack_does_not_define_are_skipped() -> None:
    Indicator.objects.filter(code__in=GAPS).delete()
    refresh_leaver_indicators({2022})
    assert set(Observation.objects.values_list("indicator__code", flat=True)) == set(SHARES)


def published(code: str, area: str, breakdown: str = "") -> tuple[float | None, str]:
    [verdict] = publish([cell(code, area, breakdown)])
    return verdict.value, verdict.symbol


def test_a_share_over_fewer_leavers_than_the_minimum_is_withheld() -> None:
    refresh_leaver_indicators({2022})
    # Wanne has 2 leavers; the city's 12 are enough.
    assert published("leavers_ahr_share", "wanne") == (None, ".")
    assert published("leavers_ahr_share", "05916000") == (50.0, "")


def test_a_gap_is_withheld_when_one_of_its_shares_is_withheld() -> None:
    refresh_leaver_indicators({2022})
    # 8 girls but only 4 boys: the boys' share is withheld, so is the gap.
    assert published("leavers_ahr_share", "05916000", "sex=m") == (None, ".")
    assert published("leavers_ahr_gap_sex", "05916000") == (None, ".")
    assert published("leavers_no_hsa_gap_nationality", "05916000") == (None, ".")


def test_a_gap_is_shown_when_both_shares_are_shown() -> None:
    Indicator.objects.filter(code__in=SHARES).update(min_count=1)
    refresh_leaver_indicators({2022})
    assert published("leavers_ahr_share", "05916000", "sex=m") == (75.0, "")
    assert published("leavers_ahr_gap_sex", "05916000") == (-37.5, "")
    assert published("leavers_no_hsa_gap_sex", "05916000") == (0.0, "-")


def test_the_gate_keeps_the_order_and_passes_values_without_counts() -> None:
    refresh_leaver_indicators({2022})
    inkar = Indicator.objects.create(
        code="share_abitur", name_de="Abitur", name_en="Abitur", unit="percent", level="county"
    )
    county = Area.objects.get(code="05916")
    rate = Observation.objects.create(indicator=inkar, area=county, period=2022, value=34.66)
    hidden = Observation.objects.create(
        indicator=inkar, area=county, period=2021, value=1.0, confidential=True
    )
    wanne = cell("leavers_ahr_share", "wanne")
    city = cell("leavers_ahr_share", "05916000")
    verdicts = publish([rate, wanne, hidden, city])
    assert [(v.value, v.symbol) for v in verdicts] == [
        (34.66, ""),
        (None, "."),
        (None, "."),
        (50.0, ""),
    ]
