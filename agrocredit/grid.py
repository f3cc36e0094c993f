"""The processing grid: Sentinel-2's 10 m pixels in the local UTM zone, cut into square
tiles that every stage shares (imagery store, crop maps, county batches).

Pixel edges lie on multiples of 10 m; tiles are ``TILE_PX`` × ``TILE_PX`` pixels with
edges on multiples of ``TILE_PX`` × 10 m, so the same place always falls in the same tile
and pixel, whatever the plot or county that asked for it. A tile id reads
``<EPSG>-<column>-<row>`` with column = floor(x / tile size) and row = floor(y / tile size),
for example ``32650-55-766``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from affine import Affine

from agrocredit.errors import InvalidInputError
from agrocredit.units import utm_epsg

PIXEL_M: float = 10.0
TILE_PX: int = 512
TILE_M: float = PIXEL_M * TILE_PX

_TILE_RE = re.compile(r"^(\d{5})-(-?\d+)-(-?\d+)$")


@dataclass(frozen=True, order=True)
class GridTile:
    """One tile of the processing grid."""

    epsg: int
    col: int
    row: int

    @property
    def id(self) -> str:
        """``<EPSG>-<column>-<row>``."""
        return f"{self.epsg}-{self.col}-{self.row}"

    @property
    def crs(self) -> str:
        """The tile's CRS as ``EPSG:<code>``."""
        return f"EPSG:{self.epsg}"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in metres."""
        x0, y0 = self.col * TILE_M, self.row * TILE_M
        return (x0, y0, x0 + TILE_M, y0 + TILE_M)

    @property
    def transform(self) -> Affine:
        """Affine transform of the tile's pixel grid (north-up)."""
        x0, _, _, y1 = self.bounds
        return Affine(PIXEL_M, 0.0, x0, 0.0, -PIXEL_M, y1)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the tile."""
        return (TILE_PX, TILE_PX)

    @classmethod
    def parse(cls, tile_id: str) -> GridTile:
        """Parse ``32650-55-766``."""
        m = _TILE_RE.match(tile_id)
        if not m:
            raise InvalidInputError(
                f"grid tile id {tile_id!r} is not <EPSG>-<column>-<row>, e.g. 32650-55-766"
            )
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def tiles_covering(bounds: tuple[float, float, float, float], epsg: int) -> list[GridTile]:
    """Tiles of the grid in ``epsg`` that intersect ``bounds`` (metres), row-major from the
    north-west.
    """
    minx, miny, maxx, maxy = bounds
    if not (maxx > minx and maxy > miny):
        raise InvalidInputError(f"bounds {bounds} are empty; give minx < maxx and miny < maxy")
    c0, c1 = math.floor(minx / TILE_M), math.ceil(maxx / TILE_M) - 1
    r0, r1 = math.floor(miny / TILE_M), math.ceil(maxy / TILE_M) - 1
    return [GridTile(epsg, c, r) for r in range(r1, r0 - 1, -1) for c in range(c0, c1 + 1)]


def snap_bounds(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Grow bounds outwards to pixel edges (multiples of 10 m)."""
    minx, miny, maxx, maxy = bounds
    p = PIXEL_M
    return (
        math.floor(minx / p) * p,
        math.floor(miny / p) * p,
        math.ceil(maxx / p) * p,
        math.ceil(maxy / p) * p,
    )


_MGRS_COLS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
_MGRS_ROWS = "ABCDEFGHJKLMNPQRSTUV"
_LAT_BANDS = "CDEFGHJKLMNPQRSTUVWX"


def mgrs_tile(lon: float, lat: float) -> str:
    """Sentinel-2 tile name (MGRS 100 km square, e.g. ``50SKE``) containing a point."""
    from pyproj import Transformer

    epsg = utm_epsg(lon, lat)
    zone = epsg % 100
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    band = _LAT_BANDS[min(int((lat + 80) // 8), len(_LAT_BANDS) - 1)]
    col = _MGRS_COLS[(zone - 1) % 3][int(x // 100_000) - 1]
    row_offset = 5 if zone % 2 == 0 else 0
    if lat < 0:
        y += 10_000_000
    row = _MGRS_ROWS[(int(y // 100_000) + row_offset) % 20]
    return f"{zone:02d}{band}{col}{row}"
