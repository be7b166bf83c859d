"""The monitoring's demo data: the open data where it lies, and invented school leavers."""

import csv
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from lernstadt.monitoring import demo
from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.importers.leavers import COLUMNS, QUALIFICATIONS
from lernstadt.monitoring.models import Area, ImportRun, LeaverRecord, Observation
from tests.monitoring.conftest import OPENSDG

pytestmark = pytest.mark.django_db

CODES = ["herne-d-a", "herne-d-b", "herne-d-c"]


def test_the_invented_leavers_are_the_same_for_the_same_seed() -> None:
    first = list(demo.example_leavers(CODES, years=[2023, 2024]))
    assert first == list(demo.example_leavers(CODES, years=[2023, 2024]))
    assert first != list(demo.example_leavers(CODES, years=[2023, 2024], seed=1))


def test_the_invented_leavers_fit_the_leaver_format_and_cover_every_district() -> None:
    records = list(demo.example_leavers(CODES, years=[2024]))
    assert all(tuple(record) == COLUMNS for record in records)
    assert {record["district"] for record in records} == set(CODES)
    assert {record["qualification"] for record in records} <= QUALIFICATIONS
    assert all(record["school_number"].startswith("9") for record in records)
    small = [record for record in records if record["district"] == CODES[-1]]
    assert len(small) <= 11, "the last district is small, so the tables withhold cells"


def test_the_invented_leavers_are_labelled_in_the_import_history(monitoring_pack: None) -> None:
    said: list[str] = []
    run = demo.load_example_leavers(said.append)
    assert run is not None
    assert (run.format, run.source, run.by) == (
        "leavers",
        "beispiel-schulabgaenge-erfunden.csv",
        "load_demo (erfundene Beispieldaten)",
    )
    districts = Area.objects.filter(level=Area.Level.DISTRICT)
    assert set(LeaverRecord.objects.values_list("district", flat=True)) == set(
        districts.values_list("pk", flat=True)
    )
    years = set(LeaverRecord.objects.values_list("year", flat=True))
    assert years == set(demo.EXAMPLE_YEARS)
    assert Observation.objects.filter(indicator__code="leavers_ahr_share").exists()
    assert "ERFUNDENE" in said[-1]
    demo.load_example_leavers(said.append)
    assert ImportRun.objects.filter(format="leavers").count() == 1
    assert said[-1] == "Schulabgänge: erfundene Beispieldaten bereits geladen."


def test_real_leaver_records_are_never_replaced_by_invented_ones(
    monitoring_pack: None, tmp_path: Path, office_admin: User
) -> None:
    path = tmp_path / "abgaenge.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(demo.example_leavers(["herne-d-pluto"], years=[2024]))
    import_file("leavers", str(path), user=office_admin)
    before = LeaverRecord.objects.count()
    said: list[str] = []
    assert demo.load_example_leavers(said.append) is None
    assert LeaverRecord.objects.count() == before
    assert "echte Daten vorhanden" in said[-1]


def test_open_data_are_skipped_with_a_message_when_the_folder_is_absent(
    settings: Any, tmp_path: Path
) -> None:
    said: list[str] = []
    settings.LERNSTADT_OPEN_DATA_DIR = str(tmp_path / "nowhere")
    assert demo.open_data_folder() is None
    settings.LERNSTADT_OPEN_DATA_DIR = ""
    demo.load_monitoring_demo(said.append)
    assert said[0].startswith("Offene Daten: kein Ordner angegeben, übersprungen")


def test_open_data_are_imported_where_they_lie_and_only_once(
    monitoring_pack: None, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    (folder / "herne" / "raw").mkdir(parents=True)
    (folder / "herne" / "raw" / "opensdg-herne-data").symlink_to(OPENSDG)
    said: list[str] = []
    runs = demo.load_open_data(folder, said.append)
    assert [run.format for run in runs] == ["opensdg"]
    assert runs[0].by == "load_demo (offene Daten)"
    assert "germany/inkar_counties_1995_2022.csv: nicht vorhanden, übersprungen." in said
    assert demo.load_open_data(folder, said.append) == []
    assert "herne/raw/opensdg-herne-data: bereits geladen." in said


def test_monitoring_pages_say_when_they_show_invented_leavers(
    monitoring_pack: None, client: Any
) -> None:
    notice = "Schulabgängern auf diesen Seiten sind erfundene Beispieldaten"
    assert notice not in client.get("/monitoring/").content.decode()
    demo.load_example_leavers(lambda _: None)
    for path in ("/monitoring/", "/monitoring/indikatoren/leavers_ahr_share/"):
        assert notice in client.get(path).content.decode()
    assert notice not in client.get("/").content.decode()


def test_charts_of_invented_leavers_name_them_as_their_source(
    monitoring_pack: None, client: Any
) -> None:
    invented = "erfundene Beispieldaten der Demo, keine echten Zahlen der Stadt"
    page = "/monitoring/indikatoren/leavers_ahr_share/?nach=district"
    demo.load_example_leavers(lambda _: None)
    html = client.get(page).content.decode()
    assert f"Quelle: {invented}" in html  # under the trend and the district bars
    assert "Quelle: Stadt Herne" not in html
    english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "invented example data of the demo" in english
