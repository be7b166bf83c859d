"""The monitoring part of a city pack: ``cities/<slug>/monitoring/*.json``.

``areas.json`` (state, county, city, boroughs, statistical districts, parents
first), ``goals.json`` (the mission statement's goals), ``indicators.json``
(definitions, plain-language texts ``meaning_de``/``meaning_en`` and
``easy_de`` in Leichte Sprache, linked to goals by code), ``targets.json`` and ``measures.json``.
Loading is idempotent: entries are matched by their code (targets by indicator,
area and year; measures by goal and German title) and updated in place, so running
it twice changes nothing. Keys named ``note`` document an entry and are not stored
(except a target's note). Each file may carry an ``about`` text.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from lernstadt.cities.pack import CityPack, current_city
from lernstadt.monitoring.models import Area, Goal, Indicator, Measure, Target

FILES = ("areas", "goals", "indicators", "targets", "measures")
AREA_FIELDS = {"code", "name", "level", "parent"}
GOAL_FIELDS = {"code", "order", "title_de", "title_en", "statement_de", "statement_en"}
INDICATOR_FIELDS = {
    "code",
    "name_de",
    "name_en",
    "definition_de",
    "definition_en",
    "meaning_de",
    "meaning_en",
    "easy_de",
    "numerator",
    "denominator",
    "unit",
    "direction",
    "source",
    "licence",
    "update_cycle",
    "level",
    "disaggregations",
    "open_sdg_id",
    "decimals",
    "min_count",
    "goals",
}
TARGET_FIELDS = {"indicator", "area", "goal", "year", "value", "direction", "note"}
MEASURE_FIELDS = {
    "goal",
    "title_de",
    "title_en",
    "description_de",
    "description_en",
    "responsible",
    "status",
}
REQUIRED = {
    "areas": {"code", "name", "level"},
    "goals": {"code", "title_de", "title_en"},
    "indicators": {"code", "name_de", "name_en", "unit", "direction", "level"},
    "targets": {"indicator", "area", "year", "value", "direction"},
    "measures": {"goal", "title_de", "responsible"},
}
ALLOWED = {
    "areas": AREA_FIELDS,
    "goals": GOAL_FIELDS,
    "indicators": INDICATOR_FIELDS,
    "targets": TARGET_FIELDS,
    "measures": MEASURE_FIELDS,
}


class PackError(ValueError):
    """A flaw in the monitoring files of a city pack; the message names file and entry."""


@dataclass
class MonitoringPack:
    folder: Path
    areas: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    measures: list[dict[str, Any]]


def monitoring_folder(city: CityPack) -> Path:
    return city.folder / "monitoring"


def read_monitoring_pack(city: CityPack) -> MonitoringPack | None:
    """The checked entries of the city's monitoring files (None if it has none)."""
    folder = monitoring_folder(city)
    if not folder.is_dir():
        return None
    entries = {name: _read_entries(folder / f"{name}.json", name) for name in FILES}
    return MonitoringPack(folder=folder, **entries)


def _read_entries(path: Path, name: str) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackError(f"{path.name}: nicht lesbar: {error}") from error
    entries = raw.get(name) if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise PackError(f"{path.name}: erwartet ein Objekt mit der Liste „{name}“")
    for number, entry in enumerate(entries, start=1):
        _check_keys(path.name, number, entry, name)
    return entries


def _check_keys(file: str, number: int, entry: Any, name: str) -> None:
    where = f"{file}, Eintrag {number}"
    if not isinstance(entry, dict):
        raise PackError(f"{where}: erwartet ein JSON-Objekt")
    missing = REQUIRED[name] - entry.keys()
    if missing:
        raise PackError(f"{where}: es fehlt {', '.join(sorted(missing))}")
    unknown = entry.keys() - ALLOWED[name] - {"note"}
    if unknown:
        raise PackError(f"{where}: unbekannt: {', '.join(sorted(unknown))}")


# --- loading -------------------------------------------------------------------


def load_monitoring_pack(city: CityPack | None = None) -> None:
    """Create or update the pack's areas, goals, indicators, targets and measures."""
    city = city or current_city()
    pack = read_monitoring_pack(city)
    if pack is None:
        return
    with transaction.atomic():
        for number, entry in enumerate(pack.areas, start=1):
            _save_area(entry, f"areas.json, Eintrag {number}")
        for number, entry in enumerate(pack.goals, start=1):
            _save_goal(entry, f"goals.json, Eintrag {number}")
        for number, entry in enumerate(pack.indicators, start=1):
            _save_indicator(entry, f"indicators.json, Eintrag {number}")
        for number, entry in enumerate(pack.targets, start=1):
            _save_target(entry, f"targets.json, Eintrag {number}")
        for number, entry in enumerate(pack.measures, start=1):
            _save_measure(entry, f"measures.json, Eintrag {number}")


def ensure_loaded() -> None:
    """Load the current city's pack unless all its areas, goals and indicators exist.

    Importers call this, so that data imported before ``load_monitoring`` still
    finds the pack's areas and gets the pack's indicator texts and directions.
    """
    pack = read_monitoring_pack(current_city())
    if pack is None:
        return
    wanted: list[tuple[type[models.Model], list[dict[str, Any]]]] = [
        (Area, pack.areas),
        (Goal, pack.goals),
        (Indicator, pack.indicators),
    ]
    for model, entries in wanted:
        codes = {entry["code"] for entry in entries}
        if model._default_manager.filter(code__in=codes).count() < len(codes):
            load_monitoring_pack()
            return


def _fields(entry: dict[str, Any], allowed: set[str], skip: set[str]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key in allowed - skip}


def _checked(instance: models.Model, where: str, exclude: list[str]) -> None:
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        details = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        )
        raise PackError(f"{where}: {details}") from error


def _lookup(model: type[models.Model], where: str, **key: Any) -> Any:
    try:
        return model._default_manager.get(**key)
    except model.DoesNotExist as error:  # type: ignore[attr-defined]
        wanted = ", ".join(f"{k}={v}" for k, v in key.items())
        raise PackError(f"{where}: {model._meta.verbose_name} {wanted} unbekannt") from error


def _save_area(entry: dict[str, Any], where: str) -> None:
    fields = _fields(entry, AREA_FIELDS, {"code", "parent"})
    parent_code = entry.get("parent")
    if parent_code:
        fields["parent"] = _lookup(Area, where, code=parent_code)
    _checked(Area(code=entry["code"], **fields), where, ["parent", "code"])
    Area.objects.update_or_create(code=entry["code"], defaults=fields)


def _save_goal(entry: dict[str, Any], where: str) -> None:
    fields = _fields(entry, GOAL_FIELDS, {"code"})
    _checked(Goal(code=entry["code"], **fields), where, ["code"])
    Goal.objects.update_or_create(code=entry["code"], defaults=fields)


def _save_indicator(entry: dict[str, Any], where: str) -> None:
    fields = _fields(entry, INDICATOR_FIELDS, {"code", "goals"})
    goals = [_lookup(Goal, where, code=code) for code in entry.get("goals", [])]
    _checked(Indicator(code=entry["code"], **fields), where, ["code"])
    indicator, _created = Indicator.objects.update_or_create(code=entry["code"], defaults=fields)
    indicator.goals.set(goals)


def _save_target(entry: dict[str, Any], where: str) -> None:
    indicator = _lookup(Indicator, where, code=entry["indicator"])
    area = _lookup(Area, where, code=entry["area"])
    goal = _lookup(Goal, where, code=entry["goal"]) if entry.get("goal") else None
    fields = {
        "goal": goal,
        "value": entry["value"],
        "direction": entry["direction"],
        "note": entry.get("note", ""),
    }
    target = Target(indicator=indicator, area=area, year=entry["year"], **fields)
    _checked(target, where, ["indicator", "area", "goal"])
    Target.objects.update_or_create(
        indicator=indicator, area=area, year=entry["year"], defaults=fields
    )


def _save_measure(entry: dict[str, Any], where: str) -> None:
    goal = _lookup(Goal, where, code=entry["goal"])
    fields = _fields(entry, MEASURE_FIELDS, {"goal", "title_de"})
    _checked(Measure(goal=goal, title_de=entry["title_de"], **fields), where, ["goal"])
    Measure.objects.update_or_create(goal=goal, title_de=entry["title_de"], defaults=fields)
