"""Importing statistics: one door, ``import_file(format, path)``, for every format.

Each import is all or nothing: the file is checked completely before anything is
written, and everything is written in one transaction together with its
:class:`ImportRun`. A problem raises :class:`ImportFailed` listing file, line,
column and reason (German); then nothing has changed.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from lernstadt.lib import reading
from lernstadt.lib.import_problems import ImportFailed, ImportProblem
from lernstadt.monitoring import pack
from lernstadt.monitoring.boundaries import import_vg5000
from lernstadt.monitoring.importers.census2022 import import_census
from lernstadt.monitoring.importers.inkar import import_inkar
from lernstadt.monitoring.importers.leavers import import_leavers
from lernstadt.monitoring.importers.opensdg import import_opensdg
from lernstadt.monitoring.importers.tidy import import_tidy
from lernstadt.monitoring.models import ImportRun

# An importer checks the file at ``path``, writes, and fills in run.rows and run.observations.
Importer = Callable[[str, ImportRun, str | None], None]
FORMATS: dict[str, Importer] = {
    "inkar": import_inkar,
    "census2022": import_census,
    "opensdg": import_opensdg,
    "leavers": import_leavers,
    "tidy": import_tidy,
    "vg5000": import_vg5000,
}
MAX_SOURCE = 500  # ImportRun.source


def import_file(
    format: str,
    path: str,
    *,
    user: Any = None,
    area_code: str | None = None,
    by: str = "",
) -> ImportRun:
    """Import the file (or Open SDG folder) at ``path`` in ``format``; all or nothing.

    ``user`` (a staff account) or ``by`` (a name, for command-line runs) says who
    loaded it. Returns the recorded :class:`ImportRun`.
    """
    importer = FORMATS.get(format)
    if importer is None:
        known = ", ".join(FORMATS)
        raise ImportFailed([ImportProblem(path, f"unbekanntes Format „{format}“ ({known})")])
    with transaction.atomic():
        pack.ensure_loaded()
        run = ImportRun.objects.create(
            format=format,
            source=source_name(path),
            started_at=timezone.now(),
            user=user,
            by=(by or (user.get_username() if user is not None else ""))[:150],
        )
        importer(path, run, area_code)
        run.finished_at = timezone.now()
        run.save(update_fields=["rows", "observations", "finished_at"])
    return run


def source_name(path: str) -> str:
    """What the import history shows: the address, or the file's or folder's name."""
    name = path if reading.is_url(path) else Path(path).name or path
    return name[-MAX_SOURCE:]
