"""Pages of the education office in the staff area: import a file, build the yearly report.

They hang on the import history in the admin (``/verwaltung/monitoring/importrun/``)
and are wrapped by ``admin_site.admin_view``, which sends anyone who is not active
staff to the login page. Each page then asks for its own permission:

- importing needs ``monitoring.add_importrun`` (adding to the import history);
- building and downloading the report need ``monitoring.view_observation``.

Staff without them (a provider's editor, say) get 403.
"""

import tempfile
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Max, Min
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import get_valid_filename

from lernstadt.lib.import_problems import ImportFailed
from lernstadt.monitoring import importers, report
from lernstadt.monitoring.models import ImportRun, Observation

IMPORT_PERMISSION = "monitoring.add_importrun"
REPORT_PERMISSION = "monitoring.view_observation"
FORMAT_LABELS = {
    "inkar": "INKAR-Kreisindikatoren (CSV)",
    "census2022": "Zensus 2022 je Gemeinde (CSV)",
    "opensdg": "Open-SDG-Indikatordatei (indicator_<Nummer>.csv)",
    "leavers": "Schulabgänge, pseudonymisiert (CSV)",
    "tidy": "Eigene Daten im Tidy-Format (CSV)",
    "vg5000": "Verwaltungsgrenzen VG5000 (GeoJSON)",
}


def require(request: HttpRequest, permission: str) -> None:
    """403 unless the signed-in staff member holds ``permission``."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


def admin_context(request: HttpRequest, title: str) -> dict[str, Any]:
    """What every admin page needs (site header, navigation), plus the page title."""
    return {
        **admin.site.each_context(request),
        "title": title,
        "opts": ImportRun._meta,
        "history_url": reverse("admin:monitoring_importrun_changelist"),
    }


# --- importing a file ------------------------------------------------------------------


def format_choices() -> list[tuple[str, str]]:
    return [(name, FORMAT_LABELS.get(name, name)) for name in importers.FORMATS]


class ImportForm(forms.Form):
    format = forms.ChoiceField(label="Format", choices=format_choices)
    file = forms.FileField(label="Datei")


def import_view(request: HttpRequest) -> HttpResponse:
    """Upload one file, import it all or nothing, and show the German problems if any."""
    require(request, IMPORT_PERMISSION)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            run = import_upload(form.cleaned_data["format"], form.cleaned_data["file"], request)
        except ImportFailed as failure:
            problems = [str(problem) for problem in failure.problems]
        else:
            messages.success(
                request,
                f"Importiert: {run.source} ({run.rows} Zeilen gelesen, "
                f"{run.observations} Werte geschrieben).",
            )
            return HttpResponseRedirect(reverse("admin:monitoring_importrun_changelist"))
    context = admin_context(request, "Datei importieren")
    context.update(form=form, problems=problems)
    return render(request, "admin/monitoring/importrun/import_form.html", context)


def import_upload(format: str, upload: UploadedFile, request: HttpRequest) -> ImportRun:
    """Store the upload under its own (cleaned) name, so that the history and the Open SDG
    importer see it, and import it in the name of the signed-in staff member."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / upload_name(upload)
        with path.open("wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        return importers.import_file(format, str(path), user=request.user)


def upload_name(upload: UploadedFile) -> str:
    """The upload's file name without any folder or odd character ("upload" if none is left)."""
    try:
        return get_valid_filename(Path(upload.name or "").name)
    except SuspiciousFileOperation:
        return "upload"


# --- the yearly report -----------------------------------------------------------------


def reports_folder() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def report_years() -> list[int]:
    """The years the report can be built for: those with observations, newest first."""
    found = Observation.objects.filter(indicator__goals__isnull=False).aggregate(
        first=Min("period"), last=Max("period")
    )
    if found["first"] is None:
        return []
    return list(range(int(found["last"]), int(found["first"]) - 1, -1))


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label="Berichtsjahr", coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = cast(forms.TypedChoiceField, self.fields["year"])
        year.choices = [(found, str(found)) for found in report_years()]


def built_reports() -> list[dict[str, Any]]:
    """The reports built so far: year and the files there are."""
    folder = reports_folder()
    found = []
    if folder.is_dir():
        for year_folder in sorted(folder.iterdir(), reverse=True):
            if not year_folder.name.isdigit():
                continue
            files = [name for name in report.FILE_NAMES if (year_folder / name).is_file()]
            if files:
                found.append({"year": int(year_folder.name), "files": files})
    return found


def report_view(request: HttpRequest) -> HttpResponse:
    """Choose a year and build its report into LERNSTADT_DATA_DIR/reports/<year>/."""
    require(request, REPORT_PERMISSION)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        files = report.build_report(year, reports_folder() / str(year))
        messages.success(
            request, f"Datenreport {year} erstellt: {files.pages} Seiten (HTML und PDF)."
        )
        return HttpResponseRedirect(reverse("admin:monitoring_report"))
    context = admin_context(request, "Datenreport erstellen")
    context.update(form=form, reports=built_reports())
    return render(request, "admin/monitoring/importrun/report_form.html", context)


def report_file_view(request: HttpRequest, year: int, name: str) -> FileResponse:
    """Download a built report file (only report.html and report.pdf, nothing else)."""
    require(request, REPORT_PERMISSION)
    if name not in report.FILE_NAMES:
        raise Http404("Unbekannte Datei")
    path = reports_folder() / str(year) / name
    if not path.is_file():
        raise Http404("Dieser Bericht wurde noch nicht erstellt")
    download = f"datenreport-{year}{Path(name).suffix}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=download)
