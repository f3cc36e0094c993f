"""Reading and writing vector files: GeoPackage, GeoJSON, Shapefile (also zipped), KML/KMZ
and GeoParquet. Writes are atomic: a temporary file in the target folder, then a rename.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from agrocredit.errors import ExportError, ImportFileError

#: Suffix → (format name, GDAL driver or "parquet").
FORMATS: dict[str, tuple[str, str]] = {
    ".gpkg": ("GeoPackage", "GPKG"),
    ".geojson": ("GeoJSON", "GeoJSON"),
    ".json": ("GeoJSON", "GeoJSON"),
    ".shp": ("Shapefile", "ESRI Shapefile"),
    ".zip": ("Shapefile", "ESRI Shapefile"),
    ".kml": ("KML", "LIBKML"),
    ".kmz": ("KMZ", "LIBKML"),
    ".parquet": ("GeoParquet", "parquet"),
    ".geoparquet": ("GeoParquet", "parquet"),
}


def detect_format(path: Path) -> tuple[str, str]:
    """(format name, driver) for a path, from its suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ImportFileError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {known}"
        )
    return FORMATS[suffix]


def read_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file into a GeoDataFrame (CRS kept as found, possibly ``None``).

    KML/KMZ files with several folders (layers) are read whole; other multi-layer files need
    ``layer``.
    """
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}: file not found; check the path")
    fmt, driver = detect_format(path)
    try:
        if driver == "parquet":
            try:
                return gpd.read_parquet(path)
            except ValueError as exc:  # plain Parquet without geo metadata
                raise ImportFileError(
                    f"{path.name}: not a GeoParquet file ({exc}); write it with "
                    "GeoDataFrame.to_parquet or GDAL's Parquet driver"
                ) from None
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        if layer is not None:
            if layer not in layers:
                raise ImportFileError(
                    f"{path.name}: no layer {layer!r}; the file has {', '.join(layers)}"
                )
            return gpd.read_file(path, layer=layer, engine="pyogrio")
        if len(layers) == 1:
            return gpd.read_file(path, engine="pyogrio")
        if fmt in ("KML", "KMZ"):
            frames = [gpd.read_file(path, layer=name, engine="pyogrio") for name in layers]
            frames = [f for f in frames if len(f)]
            if not frames:
                return gpd.read_file(path, layer=layers[0], engine="pyogrio")
            return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
        raise ImportFileError(
            f"{path.name} has {len(layers)} layers ({', '.join(layers)}); choose one with --layer"
        )
    except (DataSourceError, DataLayerError, OSError) as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise ImportFileError(f"{path.name}: cannot read it as {fmt} ({exc})") from None


def write_vector(frame: gpd.GeoDataFrame, path: Path, layer: str = "plots") -> Path:
    """Write a GeoDataFrame atomically; the format follows the suffix of ``path``."""
    path = Path(path)
    fmt, driver = detect_format(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmpdir = Path(tempfile.mkdtemp(prefix=".export-", dir=path.parent))
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc}; check the folder is writable") from None
    try:
        tmp = tmpdir / path.name
        if driver == "parquet":
            frame.to_parquet(tmp)
        elif driver == "ESRI Shapefile":
            with warnings.catch_warnings():
                # dBASE cuts column names to 10 characters; the importer reads the cut names.
                warnings.filterwarnings("ignore", "Column names longer than 10")
                warnings.filterwarnings("ignore", "Normalized/laundered field name")
                frame.to_file(tmp, driver=driver, engine="pyogrio", ENCODING="UTF-8")
        elif fmt in ("KML", "KMZ"):
            frame.to_file(tmp, driver=driver, engine="pyogrio", layer=layer)
        else:
            frame.to_file(tmp, driver=driver, engine="pyogrio", layer=layer)
        if path.suffix.lower() == ".shp":
            # A shapefile is several files; move the sidecars first, the .shp last.
            for part in sorted(tmpdir.iterdir(), key=lambda p: p.suffix.lower() == ".shp"):
                os.replace(part, path.with_suffix(part.suffix))
        else:
            os.replace(tmp, path)
    except (OSError, DataSourceError, ValueError) as exc:
        raise ExportError(f"cannot write {path}: {exc}; check the folder is writable") from None
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return path
