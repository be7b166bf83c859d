"""The monitoring part of the Herne city pack: loads twice alike, holds what the plan fixes."""

import dataclasses
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lernstadt.cities.pack import current_city
from lernstadt.monitoring.models import Area, Direction, Goal, Indicator, Measure, Target
from lernstadt.monitoring.pack import PackError, load_monitoring_pack
from tests.monitoring.conftest import MISSION_STATEMENT

pytestmark = pytest.mark.django_db

LEAVER_INDICATORS = {
    "leavers_ahr_share": Direction.UP,
    "leavers_fhr_share": Direction.UP,
    "leavers_no_hsa_share": Direction.DOWN,
    "leavers_ahr_gap_sex": Direction.TOWARDS_ZERO,
    "leavers_no_hsa_gap_sex": Direction.TOWARDS_ZERO,
    "leavers_ahr_gap_nationality": Direction.TOWARDS_ZERO,
    "leavers_no_hsa_gap_nationality": Direction.TOWARDS_ZERO,
}
INKAR_DIRECTIONS = {
    "share_abitur": Direction.UP,
    "share_no_degree": Direction.DOWN,
    "childcare_under3": Direction.UP,
    "childcare_3to6": Direction.UP,
    "unemployment_rate": Direction.DOWN,
}


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Area, Goal, Indicator, Target, Measure))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_loading_the_pack_twice_creates_nothing_twice() -> None:
    load_monitoring_pack(current_city())
    first = counts()
    load_monitoring_pack(current_city())

    assert counts() == first == (23, 10, Indicator.objects.count(), 1, 0)


def test_the_command_loads_the_pack_and_says_what_it_holds() -> None:
    out = StringIO()
    call_command("load_monitoring", stdout=out)
    call_command("load_monitoring", stdout=out)

    assert out.getvalue().count("Monitoring: 23 Gebiete, 10 Ziele,") == 2


def test_load_demo_loads_the_monitoring_pack_too() -> None:
    call_command("load_demo", stdout=StringIO())

    assert Goal.objects.count() == 10 and Area.objects.filter(code="05916000").exists()


def test_areas_form_the_hierarchy_from_state_to_statistical_district(monitoring_pack) -> None:
    city = Area.objects.get(code="05916000")
    assert (city.level, city.parent.code, city.parent.parent.code) == (
        "municipality",
        "05916",
        "05",
    )
    boroughs = Area.objects.filter(level=Area.Level.BOROUGH, parent=city)
    assert sorted(boroughs.values_list("name", flat=True)) == sorted(current_city().borough_names)
    districts = Area.objects.filter(level=Area.Level.DISTRICT)
    assert districts.count() == 16
    assert set(districts.values_list("parent__code", flat=True)) == {"herne-mitte", "herne-eickel"}
    assert Area.objects.get(code="herne-d-strünkede").parent.code == "herne-mitte"


def test_every_district_is_one_the_shared_geography_names(monitoring_pack) -> None:
    geography = Path(MISSION_STATEMENT).parents[1] / "data" / "herne" / "geography_herne.csv"
    known = {
        line.split(",")[1]
        for line in geography.read_text(encoding="utf-8").splitlines()
        if line.startswith("statistical_district,")
    }
    assert set(Area.objects.filter(level="district").values_list("name", flat=True)) == known


def test_the_plans_leaver_indicators_and_inkar_directions_are_defined(monitoring_pack) -> None:
    directions = dict(Indicator.objects.values_list("code", "direction"))

    for code, direction in (LEAVER_INDICATORS | INKAR_DIRECTIONS).items():
        assert directions[code] == direction, code


def test_herne_sdg_indicators_carry_their_open_sdg_ids(monitoring_pack) -> None:
    ids = set(Indicator.objects.exclude(open_sdg_id="").values_list("open_sdg_id", flat=True))

    assert ids == {"1-1", "1-2", "4-1", "4-2", "4-3", "10-2"}


def test_every_indicator_is_defined_in_both_languages(monitoring_pack) -> None:
    for indicator in Indicator.objects.all():
        assert indicator.definition_de and indicator.definition_en, indicator.code
        assert indicator.source and indicator.update_cycle, indicator.code


def test_every_goal_quotes_the_mission_statement_and_has_an_indicator(monitoring_pack) -> None:
    statement = words(MISSION_STATEMENT.read_text(encoding="utf-8"))

    for goal in Goal.objects.all():
        assert words(goal.statement_de) in statement, goal.code
        assert goal.title_en and goal.statement_en, goal.code
        assert goal.indicators.exists(), goal.code


def test_the_only_target_is_the_one_the_city_stated(monitoring_pack) -> None:
    target = Target.objects.get()

    assert (target.indicator.code, target.area.code, target.year, target.value) == (
        "u3_provision_rate",
        "05916000",
        2018,
        42,
    )
    assert target.direction == "at_least" and "S9" in target.note


def test_a_broken_pack_names_file_and_entry(tmp_path: Path) -> None:
    folder = tmp_path / "monitoring"
    folder.mkdir()
    entry = {"code": "x", "name": "X", "level": "planet"}
    (folder / "areas.json").write_text(json.dumps({"areas": [entry]}), encoding="utf-8")
    city = dataclasses.replace(current_city(), folder=tmp_path)

    with pytest.raises(PackError, match=r"areas\.json, Eintrag 1: level:"):
        load_monitoring_pack(city)
    assert not Area.objects.exists()


def test_a_pack_entry_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "monitoring"
    folder.mkdir()
    goal = {"code": "g", "title_de": "G", "title_en": "G", "titel": "typo"}
    (folder / "goals.json").write_text(json.dumps({"goals": [goal]}), encoding="utf-8")
    city = dataclasses.replace(current_city(), folder=tmp_path)

    with pytest.raises(PackError, match="goals.json, Eintrag 1: unbekannt: titel"):
        load_monitoring_pack(city)
