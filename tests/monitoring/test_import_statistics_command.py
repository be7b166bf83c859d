"""The command ``lernstadt import_statistics``: summary line, errors on stderr, exit code."""

from io import StringIO

import pytest
from django.core.management import call_command

from lernstadt.monitoring.management.commands.import_statistics import Command
from lernstadt.monitoring.models import ImportRun, Observation
from tests.monitoring.conftest import OPENSDG


@pytest.mark.django_db
def test_prints_one_german_summary_line_and_records_who_imported() -> None:
    out = StringIO()
    call_command(
        "import_statistics", "--format", "opensdg", str(OPENSDG), "--by", "Frau Kaya", stdout=out
    )

    line = out.getvalue().strip()
    assert line.startswith("opensdg-herne-data (opensdg): 52 Zeilen gelesen, 52 Beobachtungen")
    assert "\n" not in line
    assert ImportRun.objects.get().by == "Frau Kaya"


@pytest.mark.django_db
def test_area_option_names_the_area_of_open_sdg_data() -> None:
    call_command("import_statistics", "--format", "opensdg", str(OPENSDG / "indicator_4-1.csv"),
                 "--area", "05916", stdout=StringIO())  # fmt: skip

    assert set(Observation.objects.values_list("area__code", flat=True)) == {"05916"}


@pytest.mark.django_db(transaction=True)
def test_a_broken_file_writes_the_problems_to_stderr_and_exits_with_1(tmp_path, capsys) -> None:
    path = tmp_path / "indicator_4-1.csv"
    path.write_text("Year,Value\n2020,viel\n", encoding="utf-8")
    runs_before = ImportRun.objects.count()

    with pytest.raises(SystemExit) as exit:
        Command().run_from_argv(
            ["lernstadt", "import_statistics", "--format", "opensdg", str(path)]
        )

    assert exit.value.code == 1
    captured = capsys.readouterr()
    assert "Import abgebrochen, nichts wurde geändert: 1 Problem." in captured.err
    assert "indicator_4-1.csv, Zeile 2, Spalte „Value“: „viel“ ist keine Zahl" in captured.err
    assert captured.out == ""
    assert ImportRun.objects.count() == runs_before
