"""Generate a sample county on disk: land records in the formats real data arrives in, and
the truth beside them.

Layout of the output folder::

    county.json              what was generated: county, seed, extent, CRS, params, stats
    records/plots.gpkg       land records of the bank's registered farmers (EPSG:4326), the
                             file `agrocredit plots import` reads
    records/subsidy.csv      subsidy payments   (`agrocredit records import --kind subsidy`)
    records/insurance.csv    insurance policies (`agrocredit records import --kind insurance`)
    truth/fields.parquet     every field with its true crops, areas, planted fraction and
                             yield potential (GeoParquet, UTM)
    truth/cover.gpkg         roads, tracks, canals, villages and other non-farm cover (UTM)

Writing is atomic per file, and the whole folder is reused when ``county.json`` says it was
made with the same seed, extent and generator version.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import numpy as np

from agrocredit.errors import InvalidInputError
from agrocredit.registry.geometry import transform
from agrocredit.sim.landscape import Landscape, LandscapeParams, generate_landscape
from agrocredit.sim.place import County, county_extent, default_extent, load_county

#: Bumped whenever the generator's output changes for the same seed.
GENERATOR_VERSION = "1"

ExtentName = Literal["default", "county"]

RECORD_COLUMNS = [
    "plot_id",
    "farmer_id",
    "farmer_name",
    "phone",
    "village",
    "county_code",
    "certificate_no",
    "registered_area_mu",
    "declared_crops",
]


def _extent(county: County, extent: ExtentName | str) -> tuple[float, float, float, float]:
    if extent == "default":
        return default_extent(county)
    if extent == "county":
        return county_extent(county)
    raise InvalidInputError(f"extent {extent!r} is unknown; use default or county")


def _manifest(county: County, seed: int, extent: tuple[float, ...], name: str) -> dict[str, Any]:
    return {
        "generator_version": GENERATOR_VERSION,
        "county": {
            "name_zh": county.name_zh,
            "name_en": county.name_en,
            "province_zh": county.province_zh,
            "adcode": county.adcode,
        },
        "seed": seed,
        "extent_name": name,
        "extent_utm": list(extent),
        "crs": f"EPSG:{county.epsg}",
    }


def is_current(
    out: Path, seed: int, extent: ExtentName | str = "default", county: str = "hua"
) -> bool:
    """True when ``out`` already holds this county, seed, extent and generator version."""
    manifest = Path(out) / "county.json"
    if not manifest.exists():
        return False
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    c = load_county(county)
    want = _manifest(c, seed, _extent(c, extent), str(extent))
    return all(data.get(k) == v for k, v in want.items())


def _atomic(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=".tmp-", dir=path.parent))
    try:
        tmp = tmpdir / path.name
        write(tmp)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_landscape(land: Landscape, out: Path) -> dict[str, Path]:
    """Write the land records and the truth of a landscape under ``out``."""
    out = Path(out)
    plots = land.plots
    registered = plots[plots["registered"]]
    records = registered[[*RECORD_COLUMNS, "geometry"]].copy()
    geoms = transform(np.asarray(records.geometry.values, dtype=object), land.crs, "EPSG:4326")
    records = records.set_geometry(list(geoms), crs="EPSG:4326")
    paths = {
        "plots": out / "records" / "plots.gpkg",
        "subsidy": out / "records" / "subsidy.csv",
        "insurance": out / "records" / "insurance.csv",
        "fields": out / "truth" / "fields.parquet",
        "cover": out / "truth" / "cover.gpkg",
    }
    _atomic(paths["plots"], lambda p: records.to_file(p, layer="plots", engine="pyogrio"))
    _atomic(paths["subsidy"], lambda p: land.subsidy.to_csv(p, index=False))
    _atomic(paths["insurance"], lambda p: land.insurance.to_csv(p, index=False))
    truth = plots.drop(columns=["farmer_name", "phone"])
    _atomic(paths["fields"], lambda p: truth.to_parquet(p))
    _atomic(paths["cover"], lambda p: land.cover.to_file(p, layer="cover", engine="pyogrio"))
    return paths


def generate_county(
    out: Path,
    *,
    seed: int = 7,
    extent: ExtentName | str = "default",
    county: str = "hua",
    params: LandscapeParams | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Generate (or reuse) a sample county in ``out``; returns the manifest."""
    out = Path(out)
    c = load_county(county)
    ext = _extent(c, extent)
    if not force and params is None and is_current(out, seed, extent, county):
        return json.loads((out / "county.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    clip = c.boundary_utm() if extent == "county" else None
    land = generate_landscape(
        ext, epsg=c.epsg, adcode=c.adcode, seed=seed, params=params, clip=clip
    )
    write_landscape(land, out)
    manifest = {
        **_manifest(c, seed, ext, str(extent)),
        "params": asdict(params or LandscapeParams()),
        "stats": land.stats,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    # The manifest goes last: a folder without it is never taken as complete.
    _atomic(
        out / "county.json",
        lambda p: p.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8"),
    )
    return manifest
