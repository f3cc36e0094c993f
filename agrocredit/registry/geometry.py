"""Plot geometry: checks, repair, UTM areas and stable hashes (vectorised with shapely 2)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from agrocredit.errors import CRSError


@lru_cache(maxsize=64)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def parse_crs(value: object) -> CRS:
    """A pyproj CRS from user input (``EPSG:4326``, ``4326``, WKT); clear error if unknown."""
    try:
        return CRS.from_user_input(value)
    except ProjCRSError:
        raise CRSError(
            f"CRS {value!r} is not known; give it as EPSG:CODE (for example EPSG:4326)"
        ) from None


def transform(geoms: np.ndarray, src: str, dst: str) -> np.ndarray:
    """Reproject an array of shapely geometries."""
    if src == dst or len(geoms) == 0:
        return geoms
    tr = _transformer(src, dst)

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


def utm_epsg_array(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """UTM EPSG code per point (326xx north, 327xx south)."""
    zone = np.clip(np.floor((lon + 180.0) / 6.0).astype(int) + 1, 1, 60)
    return np.where(lat >= 0, 32600, 32700) + zone


def utm_areas(geoms_4326: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(area in m², UTM EPSG) for each geometry, computed in its own UTM zone."""
    n = len(geoms_4326)
    areas = np.zeros(n, dtype=float)
    if n == 0:
        return areas, np.zeros(0, dtype=int)
    cent = shapely.centroid(geoms_4326)
    epsg = utm_epsg_array(shapely.get_x(cent), shapely.get_y(cent))
    for code in np.unique(epsg):
        sel = epsg == code
        areas[sel] = shapely.area(transform(geoms_4326[sel], "EPSG:4326", f"EPSG:{code}"))
    return areas, epsg


def geometry_hashes(geoms: np.ndarray) -> list[str]:
    """A stable hash of each geometry (coordinates rounded to 1e-7°, about 1 cm)."""
    rounded = shapely.transform(shapely.normalize(geoms), lambda c: np.round(c, 7))
    return [hashlib.sha1(b).hexdigest() for b in shapely.to_wkb(rounded, output_dimension=2)]  # noqa: S324


@dataclass(frozen=True)
class CheckedGeometry:
    """Outcome of checking one input geometry."""

    geometry: shapely.Geometry | None
    repaired: bool
    reason: str | None = None
    message: str | None = None


def check_polygon(geom: shapely.Geometry | None, repair_tolerance: float) -> CheckedGeometry:
    """Accept a polygon, repair a slightly invalid one, or say why it is rejected.

    A single-part MultiPolygon counts as a polygon. An invalid polygon is repaired when
    ``make_valid`` yields exactly one polygon whose area is within ``repair_tolerance``
    (a share) of the input's; otherwise it is rejected, self-intersections named as such.
    """
    if geom is None or shapely.is_empty(geom):
        return CheckedGeometry(None, False, "missing_geometry", "the row has no geometry")
    if shapely.get_coordinate_dimension(geom) > 2:
        geom = shapely.force_2d(geom)
    kind = geom.geom_type
    if kind == "MultiPolygon":
        parts = shapely.get_num_geometries(geom)
        if parts != 1:
            return CheckedGeometry(
                None,
                False,
                "multipart",
                f"a MultiPolygon with {parts} parts is not one plot; "
                "split it into one plot per part",
            )
        geom = shapely.get_geometry(geom, 0)
        kind = "Polygon"
    if kind != "Polygon":
        return CheckedGeometry(
            None, False, "not_polygon", f"a {kind} is not a plot; a plot must be a polygon"
        )
    if shapely.is_valid(geom):
        return CheckedGeometry(geom, False)
    why = shapely.is_valid_reason(geom)
    fixed = shapely.make_valid(geom)
    polys = [g for g in shapely.get_parts(fixed) if g.geom_type == "Polygon" and not g.is_empty]
    ref = abs(shapely.area(shapely.Polygon(geom.exterior)))  # shoelace area of the outline
    if len(polys) == 1 and ref > 0:
        change = abs(polys[0].area - ref) / ref
        if change <= repair_tolerance:
            return CheckedGeometry(polys[0], True)
    if "Self-intersection" in why or "Ring Self-intersection" in why:
        return CheckedGeometry(
            None,
            False,
            "self_intersection",
            f"the polygon crosses itself ({why}); redraw the boundary",
        )
    return CheckedGeometry(
        None, False, "invalid_geometry", f"the polygon is invalid ({why}); redraw the boundary"
    )
