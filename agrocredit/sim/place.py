"""The place a sample county is generated in: a real county boundary and its UTM grid.

Boundaries come from the ``cnmaps`` packages (China's administrative boundaries, offline),
converted to WGS 84. The default county is Hua County (滑县), Anyang, Henan, adcode 410526:
a winter-wheat/summer-maize county on the North China Plain of about 1,780 km².
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from agrocredit.errors import InvalidInputError
from agrocredit.registry.geometry import transform
from agrocredit.units import utm_epsg

#: Sentinel-2 pixel size: plots are processed on a 10 m grid with edges on multiples of 10 m.
GRID_M = 10.0


@dataclass(frozen=True)
class County:
    """A county: its names, code, boundary (EPSG:4326) and working UTM CRS."""

    name_zh: str
    name_en: str
    province_zh: str
    adcode: str
    boundary: shapely.MultiPolygon | shapely.Polygon

    @property
    def epsg(self) -> int:
        """EPSG code of the UTM zone of the county's centroid."""
        c = self.boundary.centroid
        return utm_epsg(c.x, c.y)

    def boundary_utm(self) -> shapely.Geometry:
        """The boundary in the county's UTM zone."""
        return transform(np.array([self.boundary]), "EPSG:4326", f"EPSG:{self.epsg}")[0]


#: Counties the generator knows by short name: (province, district, adcode, English name).
KNOWN_COUNTIES: dict[str, tuple[str, str, str, str]] = {
    "hua": ("河南省", "滑县", "410526", "Hua County"),
    "xun": ("河南省", "浚县", "410621", "Xun County"),
    "neihuang": ("河南省", "内黄县", "410527", "Neihuang County"),
}


@lru_cache(maxsize=8)
def load_county(key: str = "hua") -> County:
    """Load a known county's real boundary from cnmaps."""
    if key not in KNOWN_COUNTIES:
        raise InvalidInputError(
            f"county {key!r} is not known to the generator; use one of {', '.join(KNOWN_COUNTIES)}"
        )
    from cnmaps import get_adm_maps

    province, district, adcode, name_en = KNOWN_COUNTIES[key]
    shape = get_adm_maps(
        province=province, district=district, level="区县", only_polygon=True, record="first"
    )
    geom = shapely.geometry.shape(shape.__geo_interface__)
    return County(district, name_en, province, adcode, shapely.make_valid(geom))


def snap_extent(
    x0: float, y0: float, width: float, height: float
) -> tuple[float, float, float, float]:
    """An extent (minx, miny, maxx, maxy) in metres with edges on the 10 m grid."""
    g = GRID_M
    minx, miny = np.floor(x0 / g) * g, np.floor(y0 / g) * g
    return (
        float(minx),
        float(miny),
        float(minx + np.ceil(width / g) * g),
        float(miny + np.ceil(height / g) * g),
    )


def default_extent(county: County, tiles: int = 2) -> tuple[float, float, float, float]:
    """A square of ``tiles`` × ``tiles`` grid tiles (2 × 2 = 10.24 km), fully inside the
    county, as near its centre as fits. Aligned to the tile grid, so the sample county's
    imagery fills whole tiles of the store.
    """
    from agrocredit.grid import TILE_M

    boundary = county.boundary_utm()
    c = boundary.centroid
    col0, row0 = int(c.x // TILE_M) - tiles // 2, int(c.y // TILE_M) - tiles // 2
    for radius in range(0, 12):
        for dc in range(-radius, radius + 1):
            for dr in range(-radius, radius + 1):
                if max(abs(dc), abs(dr)) != radius:
                    continue
                x0, y0 = (col0 + dc) * TILE_M, (row0 + dr) * TILE_M
                ext = (x0, y0, x0 + tiles * TILE_M, y0 + tiles * TILE_M)
                if boundary.contains(shapely.box(*ext)):
                    return ext
    raise InvalidInputError(
        f"no {tiles}x{tiles}-tile square fits inside {county.name_en}; use a smaller extent"
    )


def county_extent(county: County) -> tuple[float, float, float, float]:
    """The bounding box of the whole county in UTM, grown to whole grid tiles."""
    from agrocredit.grid import TILE_M

    minx, miny, maxx, maxy = county.boundary_utm().bounds
    return (
        float(np.floor(minx / TILE_M) * TILE_M),
        float(np.floor(miny / TILE_M) * TILE_M),
        float(np.ceil(maxx / TILE_M) * TILE_M),
        float(np.ceil(maxy / TILE_M) * TILE_M),
    )
