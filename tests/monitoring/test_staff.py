"""The education office's staff area: lists, the import history, importing a file and
building the yearly report; and every page refused to whoever may not use it."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lernstadt.monitoring.importers import import_file
from lernstadt.monitoring.models import Goal, ImportRun, Indicator, Measure, Observation, Target
from tests.monitoring.conftest import OPENSDG

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:monitoring_importrun_import")
REPORT = reverse("admin:monitoring_report")
HISTORY = reverse("admin:monitoring_importrun_changelist")
LEAVERS_HEADER = "year,school_number,school_type,district,sex,nationality,qualification\n"


def report_file(year: int = 2022, name: str = "report.pdf") -> str:
    return reverse("admin:monitoring_report_file", args=[year, name])


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office_staff(db: None) -> User:
    """The education office's data person: may import and see everything monitored."""
    user = User.objects.create_user("bildungsbuero", password="a-long-office-password")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="monitoring").filter(
            codename__in=["add_importrun"]
        )
        | Permission.objects.filter(
            content_type__app_label="monitoring", codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def sdg_data(monitoring_pack: None) -> None:
    """The pack and Herne's Open SDG files: enough for lists and a (short) report."""
    import_file("opensdg", str(OPENSDG), by="load_demo (offene Daten)")


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# --- lists ---------------------------------------------------------------------------------


def test_the_import_history_shows_who_loaded_what_and_when(
    office_staff: User, office_admin: User, sdg_data: None
) -> None:
    import_file("opensdg", str(OPENSDG / "indicator_4-1.csv"), user=office_staff)
    page = logged_in(office_admin).get(HISTORY).content.decode()
    assert "opensdg-herne-data" in page and "indicator_4-1.csv" in page
    assert "load_demo (offene Daten)" in page and "bildungsbuero" in page
    assert "Dauer" in page and "Geladen von" in page


def test_the_import_history_is_read_only(office_admin: User, sdg_data: None) -> None:
    client = logged_in(office_admin)
    run = ImportRun.objects.get()
    page = client.get(reverse("admin:monitoring_importrun_change", args=[run.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    delete = reverse("admin:monitoring_importrun_delete", args=[run.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ImportRun.objects.filter(pk=run.pk).exists()


def test_goals_are_listed_with_their_indicators_and_measures(
    office_admin: User, monitoring_pack: None
) -> None:
    goal = Goal.objects.get(code="hoehere-abschluesse")
    Measure.objects.create(goal=goal, title_de="Lernzeiten ausbauen", responsible="Bildungsbüro")
    page = logged_in(office_admin).get(reverse("admin:monitoring_goal_changelist"))
    assert page.status_code == 200
    row = next(row for row in page.context["cl"].result_list if row.pk == goal.pk)
    assert row.indicator_total == goal.indicators.count() > 0
    assert row.measure_total == 1


def test_in_english_a_goal_is_a_goal_and_a_target_a_target(office_admin: User) -> None:
    # German says "Ziel" for both; the English admin must not call goals "Target".
    with translation.override("en"):
        assert str(Goal._meta.verbose_name) == "Goal"
        assert str(Target._meta.get_field("goal").verbose_name) == "Goal"
        assert str(Measure._meta.get_field("goal").verbose_name) == "Goal"
        assert translation.gettext("Ziel") == "Target"  # the target value on the pages
    page = logged_in(office_admin).get(
        reverse("admin:monitoring_measure_add"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'for="id_goal">Goal:' in page.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        "goal_changelist?q=Abschl",
        "indicator_changelist?goals__id__exact=1&direction__exact=up&q=Abgänge",
        "target_changelist?year=2018&q=u3",
        "measure_changelist?status__exact=planned&q=Bildung",
        "importrun_changelist?format__exact=opensdg&q=herne",
        "area_changelist?level__exact=borough",
        "boundary_changelist?area__level__exact=county&q=Herne",
    ],
)
def test_lists_filter_and_search(office_admin: User, sdg_data: None, page: str) -> None:
    name, _, query = page.partition("?")
    response = logged_in(office_admin).get(reverse(f"admin:monitoring_{name}") + "?" + query)
    assert response.status_code == 200


def test_the_office_edits_goals_targets_measures_and_indicator_texts(
    office_admin: User, monitoring_pack: None
) -> None:
    client = logged_in(office_admin)
    goal = Goal.objects.get(code="fruehe-bildung")
    indicator = Indicator.objects.get(code="u3_provision_rate")
    response = client.post(
        reverse("admin:monitoring_measure_add"),
        {
            "goal": goal.pk,
            "title_de": "Kita-Plätze ausbauen",
            "title_en": "More day-care places",
            "responsible": "Fachbereich Kinder-Jugend-Familie",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.get(title_de="Kita-Plätze ausbauen").status == "in_progress"
    response = client.post(
        reverse("admin:monitoring_target_add"),
        {
            "indicator": indicator.pk,
            "area": Target.objects.get().area_id,
            "goal": goal.pk,
            "year": 2030,
            "value": 50,
            "direction": "at_least",
        },
    )
    assert response.status_code == 302
    assert Target.objects.filter(indicator=indicator, year=2030, value=50).exists()
    change = reverse("admin:monitoring_indicator_change", args=[indicator.pk])
    page = client.get(change)
    for field in (b"definition_de", b"meaning_de", b"easy_de", b"targets-TOTAL_FORMS"):
        assert field in page.content


# --- importing a file ----------------------------------------------------------------------


def test_the_import_form_offers_every_format(office_staff: User) -> None:
    page = logged_in(office_staff).get(IMPORT)
    assert page.status_code == 200
    for value in ("inkar", "census2022", "opensdg", "leavers", "tidy"):
        assert f'value="{value}"' in page.content.decode()


def test_an_uploaded_file_is_imported_in_the_name_of_the_staff_member(
    office_staff: User, monitoring_pack: None
) -> None:
    text = (OPENSDG / "indicator_4-1.csv").read_text(encoding="utf-8")
    response = logged_in(office_staff).post(
        IMPORT, {"format": "opensdg", "file": upload("indicator_4-1.csv", text)}, follow=True
    )
    assert response.redirect_chain[-1][0] == HISTORY
    run = ImportRun.objects.get()
    assert (run.format, run.source, run.user, run.by) == (
        "opensdg",
        "indicator_4-1.csv",
        office_staff,
        "bildungsbuero",
    )
    assert Observation.objects.filter(indicator__code="sdg_4-1", run=run).count() == run.rows > 0
    assert "Importiert: indicator_4-1.csv (4 Zeilen gelesen" in response.content.decode()


def test_a_broken_file_shows_the_german_problems_and_writes_nothing(
    office_staff: User, monitoring_pack: None, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    text = (
        LEAVERS_HEADER + "2023,123456,20,Pluto,x,german,ahr\n2023,123456,20,Atlantis,f,german,ahr\n"
    )
    response = logged_in(office_staff).post(
        IMPORT, {"format": "leavers", "file": upload("abgaenge.csv", text)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Import abgebrochen, nichts wurde geändert: 2 Probleme." in page
    assert "abgaenge.csv, Zeile 2, Spalte „sex“" in page and "Geschlecht unbekannt" in page
    assert "„Atlantis“ ist kein statistischer Bezirk" in page
    assert row_counts() == before


def test_the_import_form_needs_a_file_and_a_known_format(
    office_staff: User, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    client = logged_in(office_staff)
    page = client.post(IMPORT, {"format": "leavers"})
    assert page.status_code == 200 and page.context["form"].errors["file"]
    page = client.post(IMPORT, {"format": "excel", "file": upload("a.csv", "x\n")})
    assert page.context["form"].errors["format"]
    assert row_counts() == before


# --- the yearly report ---------------------------------------------------------------------


def test_the_report_page_offers_the_years_with_data(office_staff: User, sdg_data: None) -> None:
    page = logged_in(office_staff).get(REPORT)
    assert page.status_code == 200
    years = [value for value, _label in page.context["form"].fields["year"].choices]
    assert years[0] == Observation.objects.order_by("-period").first().period  # type: ignore[union-attr]
    assert "Noch keiner." in page.content.decode()


def test_the_button_builds_the_report_into_the_data_folder_for_download(
    office_staff: User, sdg_data: None, data_dir: Path
) -> None:
    client = logged_in(office_staff)
    response = client.post(REPORT, {"year": "2022"}, follow=True)
    assert response.redirect_chain[-1][0] == REPORT
    assert "Datenreport 2022 erstellt" in response.content.decode()
    folder = data_dir / "reports" / "2022"
    assert (folder / "report.html").is_file() and (folder / "report.pdf").is_file()
    assert report_file(2022, "report.pdf") in response.content.decode()
    download = client.get(report_file(2022, "report.pdf"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="datenreport-2022.pdf"'
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    html = client.get(report_file(2022, "report.html"))
    assert b"Datenreport 2022" in b"".join(html.streaming_content)  # type: ignore[attr-defined]


def test_only_built_report_files_can_be_downloaded(office_staff: User, data_dir: Path) -> None:
    (data_dir / "reports" / "2022").mkdir(parents=True)
    (data_dir / "reports" / "2022" / "notes.txt").write_text("intern")
    client = logged_in(office_staff)
    assert client.get(report_file(2022, "notes.txt")).status_code == 404
    assert client.get(report_file(2021, "report.pdf")).status_code == 404


def test_a_year_without_data_cannot_be_chosen(office_staff: User, sdg_data: None) -> None:
    page = logged_in(office_staff).post(REPORT, {"year": "1990"})
    assert page.status_code == 200 and page.context["form"].errors["year"]


# --- who may do what -----------------------------------------------------------------------


def test_the_buttons_show_only_what_the_staff_member_may_do(
    office_admin: User, monitoring_analyst: User
) -> None:
    page = logged_in(office_admin).get(HISTORY).content.decode()
    assert IMPORT in page and REPORT in page
    page = logged_in(monitoring_analyst).get(HISTORY).content.decode()
    assert IMPORT not in page and REPORT in page


OFFICE_PAGES = [IMPORT, REPORT, report_file()]


@pytest.mark.parametrize("url", OFFICE_PAGES)
def test_an_anonymous_visitor_is_sent_to_login(citizen: Client, url: str) -> None:
    response = citizen.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", OFFICE_PAGES)
def test_a_citizen_account_is_sent_to_login(url: str) -> None:
    user = User.objects.create_user("buerger", password="a-long-citizen-password")
    response = logged_in(user).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", OFFICE_PAGES)
def test_a_provider_editor_is_refused(provider_editor: User, url: str) -> None:
    assert logged_in(provider_editor).get(url).status_code == 403


@pytest.mark.parametrize("url", OFFICE_PAGES)
def test_staff_without_monitoring_rights_is_refused(analyst: User, url: str) -> None:
    assert logged_in(analyst).get(url).status_code == 403


def test_an_analyst_who_may_only_look_cannot_import(monitoring_analyst: User) -> None:
    client = logged_in(monitoring_analyst)
    assert client.get(IMPORT).status_code == 403
    assert client.get(REPORT).status_code == 200


@pytest.mark.parametrize("persona", ["provider_editor", "analyst", "monitoring_analyst"])
def test_refused_staff_cannot_import_by_posting_either(
    persona: str,
    request: pytest.FixtureRequest,
    monitoring_pack: None,
    row_counts: Callable[[], dict[str, int]],
) -> None:
    user = request.getfixturevalue(persona)
    before = row_counts()
    text = (OPENSDG / "indicator_4-1.csv").read_text(encoding="utf-8")
    response = logged_in(user).post(
        IMPORT, {"format": "opensdg", "file": upload("indicator_4-1.csv", text)}
    )
    assert response.status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize("persona", ["provider_editor", "analyst"])
def test_refused_staff_cannot_build_a_report_by_posting(
    persona: str, request: pytest.FixtureRequest, sdg_data: None, data_dir: Path
) -> None:
    user = request.getfixturevalue(persona)
    assert logged_in(user).post(REPORT, {"year": "2022"}).status_code == 403
    assert not (data_dir / "reports").exists()


def test_an_upload_keeps_only_a_clean_file_name(office_staff: User, monitoring_pack: None) -> None:
    text = LEAVERS_HEADER + "2023,123456,20,Pluto,f,german,ahr\n"
    logged_in(office_staff).post(
        IMPORT, {"format": "leavers", "file": upload("../../etc/abgänge 2023.csv", text)}
    )
    assert ImportRun.objects.get().source == "abgänge_2023.csv"
