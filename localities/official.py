"""The official administrative units of Vietnam, read from the `vietnamadminunits` package's data files.

The package (MIT) ships the statistics office's units before 01/07/2025 (63 provinces, 696
districts, about 10,000 communes, each with coordinates and a bounding box), the 34
provinces and 3,321 communes after, and the mapping from the old communes to the new. Only
its data folder is read, with the standard library (sqlite3, json): its parser's own
dependencies (shapely, geopy, ...) are not installed (requirements-data.txt).

`load()` writes both structures into Locality: old units end on 30/06/2025, new ones start on
01/07/2025, each old commune is linked to the new one(s) it became, and a province that went
through unchanged (same code, nothing merged into it) stays one unit across the date.
"""

import datetime
import importlib.util
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F

from localities.models import (
    COMMUNE_KINDS,
    DISTRICT_KINDS,
    PROVINCE_KINDS,
    REORGANISATION_2025,
    Level,
    Locality,
)
from shared import caching
from shared.vietnamese import fold

PACKAGE = "vietnamadminunits"
LAST_OLD_DAY = REORGANISATION_2025 - datetime.timedelta(days=1)

OLD, NEW, BOTH = "old", "new", "both"


class DatasetMissing(Exception):
    pass


def data_folder() -> Path:
    """The package's data folder, found without importing the package (its __init__ needs the parser's
    dependencies)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DatasetMissing(f"The {PACKAGE} package is not installed: pip install --no-deps -r requirements-data.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@dataclass
class Unit:
    """One unit as the dataset gives it; `era` says whether it existed before the reorganisation, after it or
    throughout."""

    key: str
    level: int
    era: str
    code: str
    name: str
    kind: str
    parent_key: str | None
    latitude: float | None = None
    longitude: float | None = None
    bounds: list[float] | None = None
    area_km2: float | None = None
    successor_keys: set[str] = field(default_factory=set)
    province_key: str = ""

    @property
    def valid_from(self):
        return REORGANISATION_2025 if self.era == NEW else None

    @property
    def valid_to(self):
        return LAST_OLD_DAY if self.era == OLD else None


def _bounds(text: str | None) -> list[float] | None:
    """ "s,w – n,e" as [south, west, north, east]."""
    if not text:
        return None
    try:
        corners = [[float(number) for number in corner.split(",")] for corner in text.split("–")]
        (lat1, lon1), (lat2, lon2) = corners
    except ValueError:
        return None
    return [min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2)]


def _kind(kinds: dict, full_name: str, type_name: str | None = None) -> tuple[str, str]:
    """(kind, name without the type word) of "Phường Phúc Xá".

    The word in the name decides: the dataset's type column disagrees with it in a few rows
    ("Phường Việt Hòa" typed "Xã"), and some names capitalise it ("Thị Trấn Prao").
    """
    for word, kind in kinds.items():
        if full_name.lower().startswith(word.lower() + " "):
            return kind, full_name[len(word) + 1 :]
    if type_name in kinds:
        return kinds[type_name], full_name
    raise ValueError(f"Unknown unit type: {full_name!r}")


def read_dataset(folder: Path | None = None) -> dict[str, Unit]:
    """Every unit of both structures by its key ("old:74", "old:74:718", "new:79:25747"...), linked."""
    folder = folder or data_folder()
    database = sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True)
    database.row_factory = sqlite3.Row
    mapping = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
    units: dict[str, Unit] = {}
    by_dataset_key: dict[str, str] = {}
    # New provinces first: a province that only continues itself keeps its unit.
    continuing = {new_key for new_key, old_keys in mapping["DICT_PROVINCE"].items() if old_keys == [new_key]}
    new_provinces: dict[str, str] = {}
    new_wards: dict[tuple[str, str], str] = {}
    for row in database.execute("SELECT * FROM admin_units ORDER BY provinceCode, wardCode"):
        province_key = row["provinceKey"]
        if province_key not in new_provinces:
            era = BOTH if province_key in continuing else NEW
            kind, name = _kind(PROVINCE_KINDS, row["province"])
            key = f"{era}:{row['provinceCode']}"
            units[key] = Unit(
                key, Level.PROVINCE, era, row["provinceCode"], name, kind, None,
                row["provinceLat"], row["provinceLon"], province_key=province_key,
            )  # fmt: skip
            new_provinces[province_key] = key
        kind, name = _kind(COMMUNE_KINDS, row["ward"], row["wardType"])
        key = f"new:{row['provinceCode']}:{row['wardCode']}"
        units[key] = Unit(
            key, Level.COMMUNE, NEW, row["wardCode"], name, kind, new_provinces[province_key],
            row["wardLat"], row["wardLon"], area_km2=row["wardAreaKm2"], province_key=province_key,
        )  # fmt: skip
        new_wards[(province_key, row["wardKey"])] = key
    for row in database.execute("SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"):
        province_key = row["provinceKey"]
        province = f"old:{row['provinceCode']}"
        if province_key in continuing:
            province = new_provinces[province_key]
            units[province].bounds = units[province].bounds or _bounds(row["provinceBounds"])
        elif province not in units:
            kind, name = _kind(PROVINCE_KINDS, row["province"])
            units[province] = Unit(
                province, Level.PROVINCE, OLD, row["provinceCode"], name, kind, None,
                row["provinceLat"], row["provinceLon"], _bounds(row["provinceBounds"]), province_key=province_key,
            )  # fmt: skip
        district = f"old:{row['provinceCode']}:{row['districtCode']}"
        if district not in units:
            kind, name = _kind(DISTRICT_KINDS, row["district"], row["districtType"])
            units[district] = Unit(
                district, Level.DISTRICT, OLD, row["districtCode"], name, kind, province,
                row["districtLat"], row["districtLon"], _bounds(row["districtBounds"]), province_key=province_key,
            )  # fmt: skip
        dataset_key = f"{province_key}_{row['districtKey']}_{row['wardKey'] or ''}"
        if row["wardCode"] is None:
            # An island district without communes: the mapping links the district itself.
            by_dataset_key[dataset_key] = district
            continue
        kind, name = _kind(COMMUNE_KINDS, row["ward"], row["wardType"])
        key = f"old:{row['provinceCode']}:{row['wardCode']}"
        units[key] = Unit(
            key, Level.COMMUNE, OLD, row["wardCode"], name, kind, district,
            row["wardLat"], row["wardLon"], _bounds(row["wardBounds"]), province_key=province_key,
        )  # fmt: skip
        by_dataset_key[dataset_key] = key
    database.close()
    _link(units, mapping, new_provinces, new_wards, by_dataset_key)
    return units


def _link(units, mapping, new_provinces, new_wards, by_dataset_key) -> None:
    """Old provinces to the new ones they became; old communes to the new commune(s)."""
    old_provinces = {
        unit.province_key: unit for unit in units.values() if unit.level == Level.PROVINCE and unit.era == OLD
    }
    for new_key, old_keys in mapping["DICT_PROVINCE"].items():
        for old_key in old_keys:
            if old_key in old_provinces:
                old_provinces[old_key].successor_keys.add(new_provinces[new_key])
    for province_key, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                if old_key in by_dataset_key and (province_key, ward_key) in new_wards:
                    units[by_dataset_key[old_key]].successor_keys.add(new_wards[(province_key, ward_key)])
    for province_key, divided in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            for part in parts:
                new = new_wards.get((province_key, part["newWardKey"]))
                if old_key in by_dataset_key and new:
                    units[by_dataset_key[old_key]].successor_keys.add(new)


def select(units: dict[str, Unit], provinces: list[str]) -> dict[str, Unit]:
    """The units of the provinces named (by code or name, old or new, accents ignored), with the units their
    communes became or came from, and the districts and provinces above those."""
    wanted = {fold(text).strip() for text in provinces}
    chosen = {
        (unit.province_key, unit.era)
        for unit in units.values()
        if unit.level == Level.PROVINCE and (unit.code in wanted or fold(unit.name) in wanted)
    }
    # A province that went through the date unchanged brings its units of both eras.
    chosen |= {(key, era) for key, both in chosen if both == BOTH for era in (OLD, NEW)}
    keys = {key for key, unit in units.items() if (unit.province_key, unit.era) in chosen}
    predecessors = defaultdict(set)
    for key, unit in units.items():
        for successor in unit.successor_keys:
            predecessors[successor].add(key)
    related = set()
    for key in keys:
        if units[key].level != Level.PROVINCE:
            related |= units[key].successor_keys | predecessors[key]
    keys |= related
    # The units above every unit kept.
    for key in list(keys):
        parent = units[key].parent_key
        while parent:
            keys.add(parent)
            parent = units[parent].parent_key
    return {key: units[key] for key in keys}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links: int = 0
    stranded: list = field(default_factory=list)
    per_level: dict = field(default_factory=dict)


def _existing(level: int) -> tuple[dict[tuple[str, str], Locality], dict[tuple, Locality]]:
    """The stored units of `level`: those with an official code by (era, code), those typed in without one by
    (parent id, folded name), so that a load adopts a unit entered by hand rather than adding it twice."""
    coded, typed = {}, {}
    for locality in Locality.objects.filter(level=level).order_by("pk"):
        if not locality.code:
            typed.setdefault((locality.parent_id, fold(locality.name)), locality)
            continue
        if level == Level.PROVINCE and locality.valid_from is None and locality.valid_to is None:
            coded.setdefault((BOTH, locality.code), locality)
        era = NEW if locality.valid_from and locality.valid_from >= REORGANISATION_2025 else OLD
        coded.setdefault((era, locality.code), locality)
    return coded, typed


UPDATED_FIELDS = ["code", "parent", "latitude", "longitude", "bounds", "area_km2", "valid_from", "valid_to"]


@transaction.atomic
def load(units: dict[str, Unit], progress=None) -> LoadResult:
    """Write `units` into Locality: new ones created, stored ones brought up to the dataset, then the links.

    Idempotent: a second load changes nothing. A unit's name and kind are written when it is created and
    kept after: a rename or change of kind recorded since (LocalityChange) is not undone by a reload. A
    unit ended earlier than the dataset says (a merger recorded by staff) stays ended.
    """
    result = LoadResult()
    stored: dict[str, Locality] = {}
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        existing, typed = _existing(level)
        new_rows, changed, adopted = [], [], set()
        for unit in sorted((u for u in units.values() if u.level == level), key=lambda u: u.key):
            parent_id = stored[unit.parent_key].pk if unit.parent_key else None
            locality = existing.get((unit.era, unit.code))
            if locality is None and unit.era == BOTH:
                locality = existing.get((OLD, unit.code))
            if locality is None:
                locality = typed.pop((parent_id, fold(unit.name)), None)
                if locality is not None:
                    locality.code = unit.code
                    adopted.add(locality.pk)
            if locality is None:
                locality = Locality(name=unit.name, kind=unit.kind, level=level, code=unit.code)
                new_rows.append(locality)
            wanted = {
                "parent_id": parent_id,
                "latitude": unit.latitude,
                "longitude": unit.longitude,
                "bounds": unit.bounds,
                "area_km2": unit.area_km2,
                "valid_from": unit.valid_from,
                "valid_to": unit.valid_to,
            }
            # A unit ended earlier, or begun later, by a change recorded since (a merger) keeps its dates.
            if locality.pk and locality.valid_to and (unit.valid_to is None or locality.valid_to < unit.valid_to):
                wanted["valid_to"] = locality.valid_to
            if (
                locality.pk
                and locality.valid_from
                and (unit.valid_from is None or locality.valid_from > unit.valid_from)
            ):
                wanted["valid_from"] = locality.valid_from
            if any(getattr(locality, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(locality, name, value)
                if locality.pk:
                    changed.append(locality)
            elif locality.pk in adopted:
                changed.append(locality)
            elif locality.pk:
                result.unchanged += 1
            stored[unit.key] = locality
        Locality.objects.bulk_create(new_rows, batch_size=1000)
        Locality.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=1000)
        result.created += len(new_rows)
        result.updated += len(changed)
        result.per_level[level] = sum(1 for unit in units.values() if unit.level == level)
        if progress:
            progress(level, len(new_rows), len(changed))
    links = Locality.successors.through
    wanted_links = {
        (stored[key].pk, stored[successor].pk)
        for key, unit in units.items()
        for successor in unit.successor_keys
        if successor in stored
    }
    present = set(
        links.objects.filter(from_locality_id__in=[pk for pk, _new in wanted_links]).values_list(
            "from_locality_id", "to_locality_id"
        )
    )
    missing = wanted_links - present
    links.objects.bulk_create(
        [links(from_locality_id=old, to_locality_id=new) for old, new in sorted(missing)], batch_size=2000
    )
    result.links = len(missing)
    # Assignments running past the last day of a unit the load ends: the page of each says where it lies now.
    result.stranded = list(
        Locality.objects.filter(valid_to__isnull=False, assignments__ends_on__gt=F("valid_to"))
        .distinct()
        .order_by("name")
    )
    if result.created or result.updated or result.links:
        # Bulk writes send no signal: the pages kept from the localities are read again.
        caching.bump_after_commit(caching.RECORDS)
    return result
