#!/usr/bin/env python3
"""Generate the tiny registry fixtures: plots near 35.6N 114.5E (Anyang county, 410526).

Nothing here is committed as a binary: the tests call :func:`generate` (through fixtures in
``tests/conftest.py``) to write the files into pytest's ``tmp_path``. Run it by hand to look
at the files::

    python tests/data/registry/data.py /tmp/registry-fixtures

What it writes:

- ``plots.{gpkg,geojson,shp,kml,kmz,parquet}``: the same ten good strip-shaped plots of four
  farmers (EPSG:4326), with plot_id, farmer_id, farmer_name, phone, village, county_code,
  certificate_no, registered_area_mu, declared_crop and season columns;
- ``plots_noseason.gpkg``: the good plots without the season column;
- ``plots_utm50.gpkg``: the good plots in EPSG:32650 (WGS 84 / UTM 50N);
- ``nocrs/plots_nocrs.shp``: the good plots as a shapefile whose ``.prj`` was removed;
- ``bad_rows.gpkg``: one row per reject reason, plus rows that are accepted: the first
  occurrence of the duplicated id and certificate, a polygon with a zero-area spike that is
  repaired (flag ``geometry_repaired``) and a pair of overlapping plots of two farmers (flag
  ``overlap``). :data:`BAD_ROWS` says what should happen to each row.

The plots are drawn as exact rectangles in UTM zone 50 metres and reprojected, so their true
areas are known: :data:`GOOD_AREAS_M2`.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Polygon, box

COUNTY = "410526"
SEASON = "2026-summer"
UTM_EPSG = 32650
#: South-west corner of the good plots, in EPSG:32650 metres (about 114.4997E 35.5999N).
X0, Y0 = 273_500.0, 3_942_450.0
#: The bad-rows file lies 3 km north of the good plots, so the two never overlap.
BAD_DY = 3_000.0

_TO_4326 = Transformer.from_crs(UTM_EPSG, 4326, always_xy=True)

FARMERS: dict[str, dict[str, str]] = {
    "F001": {"farmer_name": "张伟", "phone": "13800000001", "village": "东王庄村"},
    "F002": {"farmer_name": "李娜", "phone": "13800000002", "village": "东王庄村"},
    "F003": {"farmer_name": "王芳", "phone": "13800000003", "village": "西刘庄村"},
    "F004": {"farmer_name": "刘洋", "phone": "13800000004", "village": "西刘庄村"},
}

# plot id, farmer, x offset (m), y offset (m), width (m), length (m), declared crop as written
_STRIPS: tuple[tuple[str, str, float, float, float, float, str], ...] = (
    ("P001", "F001", 0, 0, 20, 200, "玉米"),
    ("P002", "F001", 25, 0, 15, 240, "maize"),
    ("P003", "F001", 45, 0, 30, 150, "花生"),
    ("P004", "F002", 80, 0, 12, 260, "corn"),
    ("P005", "F002", 97, 0, 25, 180, "大豆"),
    ("P006", "F002", 127, 0, 40, 120, "soybean"),
    ("P007", "F003", 0, 300, 35, 140, "棉花"),
    ("P008", "F003", 40, 300, 18, 300, "Peanut"),
    ("P009", "F004", 63, 300, 22, 160, "夏玉米"),
)
#: P010 is a strip at 45 degrees: its bounding box is mostly empty (for the bbox tests).
_DIAGONAL = ("P010", "F004", 300.0, 0.0, 20.0, 220.0, "cotton")

GOOD_IDS: tuple[str, ...] = (*(s[0] for s in _STRIPS), _DIAGONAL[0])
#: The canonical crop key each good plot's declared crop normalises to.
GOOD_CROPS: dict[str, str] = {
    "P001": "maize",
    "P002": "maize",
    "P003": "peanut",
    "P004": "maize",
    "P005": "soybean",
    "P006": "soybean",
    "P007": "cotton",
    "P008": "peanut",
    "P009": "maize",
    "P010": "cotton",
}
GOOD_FARMER: dict[str, str] = {
    **{s[0]: s[1] for s in _STRIPS},
    _DIAGONAL[0]: _DIAGONAL[1],
}
#: True area of each good plot in m² (rectangles in UTM metres).
GOOD_AREAS_M2: dict[str, float] = {
    **{s[0]: s[4] * s[5] for s in _STRIPS},
    _DIAGONAL[0]: _DIAGONAL[4] * _DIAGONAL[5],
}
#: Registered (land-right certificate) area in mu: the true area rounded up a little.
REGISTERED_MU: dict[str, float] = {
    pid: round(area / (10_000 / 15) * 1.02, 2) for pid, area in GOOD_AREAS_M2.items()
}
GOOD_FORMATS: dict[str, str] = {
    "gpkg": "plots.gpkg",
    "geojson": "plots.geojson",
    "shp": "plots.shp",
    "kml": "plots.kml",
    "kmz": "plots.kmz",
    "parquet": "plots.parquet",
}


def to_4326(geom: shapely.Geometry) -> shapely.Geometry:
    """Reproject a geometry from UTM 50N metres to longitude/latitude."""

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = _TO_4326.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def local_box(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A box given in metres east and north of (X0, Y0), as an EPSG:4326 polygon."""
    return to_4326(box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1))


def _rect(x: float, y: float, w: float, h: float, dy: float = 0.0) -> Polygon:
    return box(X0 + x, Y0 + dy + y, X0 + x + w, Y0 + dy + y + h)


def _diagonal(x: float, y: float, w: float, length: float) -> Polygon:
    """A w × length strip turned 45 degrees clockwise about its corner at (x, y)."""
    r = shapely.affinity.rotate(box(0, 0, w, length), -45, origin=(0, 0))
    return shapely.affinity.translate(r, X0 + x, Y0 + y)


def _row(pid: str, fid: str, crop: str, season: str | None) -> dict[str, object]:
    row: dict[str, object] = {
        "plot_id": pid,
        "farmer_id": fid,
        **FARMERS[fid],
        "county_code": COUNTY,
        "certificate_no": f"{COUNTY}-2021-{int(pid[1:]):06d}",
        "registered_area_mu": REGISTERED_MU[pid],
        "declared_crop": crop,
    }
    if season is not None:
        row["season"] = season
    return row


def good_plots(season: str | None = SEASON, crs: int = 4326) -> gpd.GeoDataFrame:
    """The ten good plots; ``season=None`` leaves out the season column."""
    rows, geoms = [], []
    for pid, fid, x, y, w, h, crop in _STRIPS:
        rows.append(_row(pid, fid, crop, season))
        geoms.append(_rect(x, y, w, h))
    pid, fid, x, y, w, h, crop = _DIAGONAL
    rows.append(_row(pid, fid, crop, season))
    geoms.append(_diagonal(x, y, w, h))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=f"EPSG:{UTM_EPSG}")
    return frame if crs == UTM_EPSG else frame.to_crs(epsg=crs)


# --- the bad rows -------------------------------------------------------------------------

#: (plot id, expected outcome) for each row of ``bad_rows.gpkg``, in order (row n = index+1).
#: An outcome is a reject reason, ``"accepted"``, ``"geometry_repaired"`` or ``"overlap"``.
BAD_ROWS: tuple[tuple[str, str], ...] = (
    ("B-BASE", "accepted"),
    ("B-BASE", "duplicate_plot_id"),
    ("B-DUPCERT", "duplicate_certificate"),
    ("B-NOGEOM", "missing_geometry"),
    ("B-LINE", "not_polygon"),
    ("B-MULTI", "multipart"),
    ("B-BOWTIE", "self_intersection"),
    ("B-HOLE", "invalid_geometry"),
    ("B-TINY", "area_out_of_bounds"),
    ("B-HUGE", "area_out_of_bounds"),
    ("B-NOCOUNTY", "missing_county"),
    ("B-BADAREA", "invalid_registered_area"),
    ("B-CROP", "unknown_crop"),
    ("B-SEASON", "invalid_season"),
    ("B-NOSEASON", "missing_season"),
    ("B-RANGE", "coordinates_out_of_range"),
    ("B bad id!", "invalid_id"),
    ("B-REPAIR", "geometry_repaired"),
    ("B-OVL1", "overlap"),
    ("B-OVL2", "overlap"),
)
#: Share of B-OVL1 (and of B-OVL2, the same size) covered by the other.
OVERLAP_FRACTION = 0.2
#: Area of the repaired plot (its spike has no area).
REPAIRED_AREA_M2 = 100.0 * 30.0


def bad_plots() -> gpd.GeoDataFrame:
    """One row per reject reason and a few accepted rows (see :data:`BAD_ROWS`), EPSG:4326."""

    def rect(x: float, w: float = 100.0, h: float = 30.0, y: float = 0.0) -> Polygon:
        return to_4326(_rect(x, y, w, h, dy=BAD_DY))

    def base(pid: str, cert: str, geom: shapely.Geometry | None, **extra: object) -> dict:
        row: dict[str, object] = {
            "plot_id": pid,
            "farmer_id": "F101",
            "farmer_name": "赵强",
            "phone": "13900000101",
            "village": "北郭村",
            "county_code": COUNTY,
            "certificate_no": cert,
            "registered_area_mu": "4.6",
            "declared_crop": "小麦",
            "season": "2026-winter",
            "geometry": geom,
        }
        row.update(extra)
        return row

    # A rectangle (100 × 30 m) with a 5 m spike out of its southern edge and back.
    x0, y0 = X0 + 2_000.0, Y0 + BAD_DY
    spike = Polygon(
        [
            (x0, y0),
            (x0 + 50, y0),
            (x0 + 50, y0 - 5),
            (x0 + 50, y0),
            (x0 + 100, y0),
            (x0 + 100, y0 + 30),
            (x0, y0 + 30),
            (x0, y0),
        ]
    )
    bx, by = X0 + 1_000.0, Y0 + BAD_DY
    bowtie = Polygon([(bx, by), (bx + 100, by + 30), (bx + 100, by), (bx, by + 30), (bx, by)])
    holed = Polygon(
        [(bx, by + 100), (bx + 100, by + 100), (bx + 100, by + 130), (bx, by + 130)],
        holes=[[(bx + 200, by + 100), (bx + 210, by + 100), (bx + 210, by + 110)]],
    )
    rows = [
        base("B-BASE", "BAD-0001", rect(0)),
        base("B-BASE", "BAD-0002", rect(150)),
        base("B-DUPCERT", "BAD-0001", rect(300)),
        base("B-NOGEOM", "BAD-0004", None),
        base(
            "B-LINE",
            "BAD-0005",
            to_4326(LineString([(X0, Y0 + BAD_DY + 200), (X0 + 100, Y0 + BAD_DY + 200)])),
        ),
        base(
            "B-MULTI",
            "BAD-0006",
            MultiPolygon([rect(450), rect(600)]),
        ),
        base("B-BOWTIE", "BAD-0007", to_4326(bowtie)),
        base("B-HOLE", "BAD-0008", to_4326(holed)),
        base("B-TINY", "BAD-0009", rect(750, w=5, h=5)),
        base("B-HUGE", "BAD-0010", to_4326(_rect(0, 1_000, 4_000, 3_000, dy=BAD_DY))),
        base("B-NOCOUNTY", "BAD-0011", rect(900), county_code=None),
        base("B-BADAREA", "BAD-0012", rect(1_050), registered_area_mu="abc"),
        base("B-CROP", "BAD-0013", rect(1_200), declared_crop="香蕉"),
        base("B-SEASON", "BAD-0014", rect(1_350), season="2026-spring"),
        base("B-NOSEASON", "BAD-0015", rect(1_500), declared_crop="maize", season=None),
        # Projected metres in a file that says EPSG:4326.
        base("B-RANGE", "BAD-0016", box(500_000, 3_900_000, 500_100, 3_900_030)),
        base("B bad id!", "BAD-0017", rect(1_650)),
        base("B-REPAIR", "BAD-0018", to_4326(spike)),
        base("B-OVL1", "BAD-0019", rect(2_500)),
        base(
            "B-OVL2",
            "BAD-0020",
            rect(2_580),
            farmer_id="F102",
            farmer_name="钱勇",
            phone="13900000102",
        ),
    ]
    assert [r["plot_id"] for r in rows] == [pid for pid, _ in BAD_ROWS]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# --- writing --------------------------------------------------------------------------------


def write_frame(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a frame in the format of ``path``'s suffix (as a user's tool would)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shapefile column names are cut to 10 characters
        if suffix == ".parquet":
            frame.to_parquet(path)
        elif suffix == ".shp":
            frame.to_file(path, driver="ESRI Shapefile", engine="pyogrio", ENCODING="UTF-8")
        elif suffix in (".kml", ".kmz"):
            frame.to_file(path, driver="LIBKML", engine="pyogrio", layer="plots")
        elif suffix == ".geojson":
            frame.to_file(path, driver="GeoJSON", engine="pyogrio")
        else:
            frame.to_file(path, driver="GPKG", engine="pyogrio", layer="plots")
    return path


def generate(folder: Path) -> dict[str, Path]:
    """Write every fixture into ``folder``; returns name → path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    good = good_plots()
    out = {fmt: write_frame(good, folder / name) for fmt, name in GOOD_FORMATS.items()}
    out["noseason"] = write_frame(good_plots(season=None), folder / "plots_noseason.gpkg")
    out["utm"] = write_frame(good_plots(crs=UTM_EPSG), folder / "plots_utm50.gpkg")
    nocrs = write_frame(good, folder / "nocrs" / "plots_nocrs.shp")
    nocrs.with_suffix(".prj").unlink()
    out["nocrs"] = nocrs
    out["bad"] = write_frame(bad_plots(), folder / "bad_rows.gpkg")
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("registry-fixtures")
    for name, path in generate(target).items():
        print(f"{name:10} {path}")
