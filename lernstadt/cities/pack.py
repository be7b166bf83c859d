"""Load the configured city pack (``cities/<slug>/city.json``).

A city pack holds the city's name, official municipality key, boroughs, map
centre and portal texts. Another city is added by adding a folder, not code.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

PACKS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Borough:
    code: str
    name: str
    postcodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CityPack:
    slug: str
    name: str
    ags: str
    state: str
    boroughs: tuple[Borough, ...]
    map_center: tuple[float, float]
    map_zoom: int
    postcodes: tuple[str, ...]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    folder: Path = PACKS_DIR

    def text(self, key: str) -> str:
        """A portal text in the active language, falling back to German."""
        by_language = self.texts.get(key, {})
        return by_language.get(get_language() or "de") or by_language.get("de", "")

    def borough(self, name_or_code: str) -> Borough | None:
        wanted = name_or_code.strip().casefold()
        for borough in self.boroughs:
            if wanted in {borough.code.casefold(), borough.name.casefold()}:
                return borough
        return None

    @property
    def borough_names(self) -> list[str]:
        return [b.name for b in self.boroughs]


def pack_folder(name: str) -> Path:
    """A pack shipped under ``cities/`` by slug, or any folder given as a path."""
    if "/" in name or "\\" in name:
        return Path(name).expanduser().resolve()
    return PACKS_DIR / name


def load_pack(name: str) -> CityPack:
    """Read a city pack from its ``city.json`` (``name``: a slug or a folder path)."""
    folder = pack_folder(name)
    raw = json.loads((folder / "city.json").read_text(encoding="utf-8"))
    return CityPack(
        slug=folder.name,
        name=raw["name"],
        ags=raw["ags"],
        state=raw["state"],
        boroughs=tuple(
            Borough(b["code"], b["name"], tuple(b.get("postcodes", []))) for b in raw["boroughs"]
        ),
        map_center=(raw["map"]["center"][0], raw["map"]["center"][1]),
        map_zoom=raw["map"]["zoom"],
        postcodes=tuple(raw.get("postcodes", [])),
        texts=raw.get("texts", {}),
        folder=folder,
    )


@cache
def _cached(name: str) -> CityPack:
    return load_pack(name)


def current_city() -> CityPack:
    """The city pack named by the LERNSTADT_CITY setting."""
    return _cached(settings.LERNSTADT_CITY)
