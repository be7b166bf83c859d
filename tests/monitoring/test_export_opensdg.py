"""``lernstadt export_opensdg``: the city's indicators as Open SDG data files."""

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Area, Indicator, Observation

MakeIndicator = Callable[..., Indicator]


def export(folder: Path, *args: str) -> list[str]:
    call_command("export_opensdg", "--output", str(folder), *args, stdout=StringIO())
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def herne_sdg(shared_data: Path) -> Path:
    return shared_data / "herne" / "raw" / "opensdg-herne-data"


def test_hernes_sdg_files_come_back_byte_for_byte(
    db: None, herne_sdg: Path, tmp_path: Path
) -> None:
    import_file("opensdg", str(herne_sdg))
    originals = sorted(herne_sdg.glob("indicator_*.csv"))
    assert export(tmp_path) == [path.name for path in originals]
    for original in originals:
        exported = (tmp_path / original.name).read_bytes()
        source = original.read_bytes()
        if b"\r\n" not in source:
            # indicator_10-2.csv alone ends its lines with LF; exports always write CRLF.
            source = source.replace(b"\n", b"\r\n")
        assert exported == source, original.name


def test_exported_files_import_and_export_again_unchanged(
    db: None, herne_sdg: Path, tmp_path: Path
) -> None:
    import_file("opensdg", str(herne_sdg))
    export(tmp_path / "first")
    import_file("opensdg", str(tmp_path / "first"))
    export(tmp_path / "second")
    for path in (tmp_path / "first").iterdir():
        assert (tmp_path / "second" / path.name).read_bytes() == path.read_bytes()


def test_a_disaggregated_file_keeps_its_columns_and_row_order(
    db: None, herne_sdg: Path, tmp_path: Path
) -> None:
    import_file("opensdg", str(herne_sdg))
    export(tmp_path)
    lines = (tmp_path / "indicator_1-2.csv").read_text(encoding="utf-8").splitlines()
    assert lines[:4] == [
        "Year,Gruppierung,Value",
        "2014,Kinderarmut,28.80",
        "2014,Jugendarmut,22.69",
        "2014,Altersarmut,3.78",
    ]


@pytest.fixture
def leavers(herne_areas: dict[str, Area], make_indicator: MakeIndicator) -> Indicator:
    """A leaver share of Herne with a total and breakdowns by sex and nationality."""
    indicator = make_indicator(
        "leavers_ahr_share",
        level=Area.Level.MUNICIPALITY,
        disaggregations=["sex", "nationality"],
        decimals=1,
    )
    for breakdown, numerator, denominator in [
        ("", 40, 120),
        ("sex=f", 25, 60),
        ("sex=m", 15, 57),
        ("sex=d", 0, 3),
        ("nationality=foreign|sex=f", 5, 20),
    ]:
        Observation.objects.create(
            indicator=indicator,
            area=herne_areas["city"],
            period=2022,
            breakdown=breakdown,
            value=100 * numerator / denominator,
            numerator=numerator,
            denominator=denominator,
        )
    return indicator


def test_columns_follow_the_indicators_disaggregations_and_values_its_decimals(
    leavers: Indicator, tmp_path: Path
) -> None:
    assert export(tmp_path) == ["indicator_leavers_ahr_share.csv"]
    text = (tmp_path / "indicator_leavers_ahr_share.csv").read_text(encoding="utf-8")
    # 40/120 = 33.3 %; 25/60 = 41.7 %; 5/20 = 25.0 %. The boys' and the diverse
    # leavers' shares are withheld: 3 diverse leavers are fewer than 5, and the boys
    # would give them away (all leavers minus girls minus boys).
    assert text.splitlines() == [
        "Year,sex,nationality,Value",
        "2022,,,33.3",
        "2022,f,,41.7",
        "2022,m,,",
        "2022,d,,",
        "2022,f,foreign,25.0",
    ]


def test_an_indicator_with_an_sdg_id_is_named_by_it(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator, tmp_path: Path
) -> None:
    sdg = make_indicator("sdg_4-1", level=Area.Level.MUNICIPALITY, open_sdg_id="4-1", decimals=2)
    Observation.objects.create(indicator=sdg, area=herne_areas["city"], period=2019, value=5.744)
    Observation.objects.create(indicator=sdg, area=herne_areas["city"], period=2020, value=-0.001)
    assert export(tmp_path) == ["indicator_4-1.csv"]
    assert (
        tmp_path / "indicator_4-1.csv"
    ).read_bytes() == b"Year,Value\r\n2019,5.74\r\n2020,0.00\r\n"


def test_county_data_is_exported_for_the_city_of_the_same_name(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator, tmp_path: Path
) -> None:
    inkar = make_indicator("share_abitur", decimals=2)
    Observation.objects.create(
        indicator=inkar, area=herne_areas["county"], period=2022, value=34.66
    )
    other = Area.objects.create(code="05914", name="Hagen", level=Area.Level.COUNTY)
    Observation.objects.create(indicator=inkar, area=other, period=2022, value=35.88)
    make_indicator("share_no_degree")  # no observations: no file
    assert export(tmp_path) == ["indicator_share_abitur.csv"]
    assert (tmp_path / "indicator_share_abitur.csv").read_text() == "Year,Value\n2022,34.66\n"


def test_another_area_can_be_exported(
    herne_areas: dict[str, Area], make_indicator: MakeIndicator, tmp_path: Path
) -> None:
    inkar = make_indicator("share_abitur", decimals=2)
    other = Area.objects.create(code="05914", name="Hagen", level=Area.Level.COUNTY)
    Observation.objects.create(indicator=inkar, area=other, period=2022, value=35.88)
    export(tmp_path, "--area", "05914000")
    assert (tmp_path / "indicator_share_abitur.csv").read_text() == "Year,Value\n2022,35.88\n"


def test_an_unknown_area_is_refused_in_german(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Unbekanntes Gebiet „99999“"):
        export(tmp_path, "--area", "99999")
