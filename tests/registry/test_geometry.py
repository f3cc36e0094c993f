"""Geometry checks, repair, UTM areas, hashes; reading and writing vector files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from agrocredit.errors import CRSError, ImportFileError
from agrocredit.registry.geometry import (
    check_polygon,
    geometry_hashes,
    parse_crs,
    transform,
    utm_areas,
    utm_epsg_array,
)
from agrocredit.registry.vector_io import FORMATS, detect_format, read_vector, write_vector


def test_check_polygon_outcomes():
    square = box(0, 0, 10, 10)
    ok = check_polygon(square, 0.01)
    assert (ok.geometry, ok.repaired, ok.reason) == (square, False, None)
    assert check_polygon(None, 0.01).reason == "missing_geometry"
    assert check_polygon(Polygon(), 0.01).reason == "missing_geometry"
    assert check_polygon(Point(0, 0), 0.01).reason == "not_polygon"
    two = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    assert check_polygon(two, 0.01).reason == "multipart"
    one = check_polygon(MultiPolygon([square]), 0.01)
    assert one.geometry.geom_type == "Polygon" and not one.repaired
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    assert check_polygon(bowtie, 0.01).reason == "self_intersection"


def test_spike_is_repaired_within_tolerance():
    spike = Polygon([(0, 0), (50, 0), (50, -5), (50, 0), (100, 0), (100, 30), (0, 30)])
    assert not spike.is_valid
    out = check_polygon(spike, 0.01)
    assert out.repaired and out.reason is None
    assert out.geometry.is_valid and out.geometry.area == pytest.approx(3_000)


def fold(a, b, c):
    """A 100 × 10 strip whose top edge folds back over itself between x=a and x=100-a."""
    return Polygon([(0, 0), (100, 0), (100, 10), (a, 10), (100 - a, b), (100 - a, c), (0, 10)])


def test_repair_respects_the_area_tolerance():
    small = fold(48, 9, 10.5)  # make_valid changes the area by 0.4 %
    large = fold(45, 7, 12)  # ... by 2.8 %
    assert not small.is_valid and not large.is_valid
    out = check_polygon(small, 0.01)
    assert out.repaired and out.geometry.area == pytest.approx(1_011)
    rejected = check_polygon(large, 0.01)
    assert rejected.geometry is None and rejected.reason == "self_intersection"
    assert "crosses itself" in rejected.message
    assert check_polygon(large, 0.05).repaired


def test_3d_input_is_flattened():
    out = check_polygon(shapely.force_3d(box(0, 0, 1, 1), 5.0), 0.01)
    assert out.geometry is not None and not out.geometry.has_z


def test_utm_areas_per_zone():
    # 0.001° squares at the equator in two zones and one in the south
    geoms = np.array(
        [box(114.5, 35.6, 114.501, 35.601), box(121.0, 35.6, 121.001, 35.601),
         box(-47.0, -15.0, -46.999, -14.999)],
        dtype=object,
    )  # fmt: skip
    areas, epsg = utm_areas(geoms)
    assert list(epsg) == [32650, 32651, 32723]
    # 0.001° × 0.001° at 35.6°N ≈ 90.6 m × 110.9 m
    assert areas[0] == pytest.approx(90.6 * 110.9, rel=0.01)
    assert areas[2] == pytest.approx(107.6 * 110.6, rel=0.01)
    empty_areas, empty_epsg = utm_areas(np.array([], dtype=object))
    assert len(empty_areas) == len(empty_epsg) == 0


def test_utm_epsg_array_edges():
    lon = np.array([-180.0, 179.999, 180.0, 0.0])
    lat = np.array([0.0, 10.0, -10.0, -0.1])
    assert list(utm_epsg_array(lon, lat)) == [32601, 32660, 32760, 32731]


def test_geometry_hashes_are_stable():
    a = box(114.5, 35.6, 114.501, 35.601)
    same = shapely.reverse(Polygon(np.roll(np.asarray(a.exterior.coords)[:-1], 2, axis=0)))
    tiny_shift = shapely.affinity.translate(a, 1e-9, 0)
    moved = shapely.affinity.translate(a, 1e-5, 0)
    h = geometry_hashes(np.array([a, same, tiny_shift, moved], dtype=object))
    assert h[0] == h[1] == h[2] != h[3]
    assert all(len(x) == 40 for x in h)


def test_parse_crs_and_transform():
    assert parse_crs("EPSG:32650").to_epsg() == 32650
    assert parse_crs(4326).to_epsg() == 4326
    with pytest.raises(CRSError, match="is not known"):
        parse_crs("EPSG:0")
    geoms = np.array([Point(117.0, 0.0)], dtype=object)
    out = transform(geoms, "EPSG:4326", "EPSG:32650")
    assert out[0].x == pytest.approx(500_000.0) and out[0].y == pytest.approx(0.0, abs=1e-6)
    assert transform(geoms, "EPSG:4326", "EPSG:4326") is geoms


# --- vector files -----------------------------------------------------------------------------


def test_detect_format():
    assert FORMATS[".kmz"] == ("KMZ", "LIBKML")
    assert detect_format(Path("a.GeoJSON")) == ("GeoJSON", "GeoJSON")
    with pytest.raises(ImportFileError, match=r"unsupported file type \(none\)"):
        detect_format(Path("plots"))


def test_kml_with_several_folders_is_read_whole(tmp_path):
    path = tmp_path / "two.kml"
    a = gpd.GeoDataFrame({"plot_id": ["A"]}, geometry=[box(114.5, 35.6, 114.501, 35.601)],
                         crs="EPSG:4326")  # fmt: skip
    b = gpd.GeoDataFrame({"plot_id": ["B", "C"]}, geometry=[box(114.6, 35.6, 114.601, 35.601),
                         box(114.7, 35.6, 114.701, 35.601)], crs="EPSG:4326")  # fmt: skip
    a.to_file(path, driver="LIBKML", layer="village-a")
    b.to_file(path, driver="LIBKML", layer="village-b", mode="a")
    data = read_vector(path)
    assert sorted(data.plot_id) == ["A", "B", "C"]
    assert data.crs.to_epsg() == 4326


def test_plain_parquet_is_not_geoparquet(tmp_path):
    pd.DataFrame({"plot_id": ["A"]}).to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(ImportFileError, match="not a GeoParquet file"):
        read_vector(tmp_path / "plain.parquet")


def test_zipped_shapefile(tmp_path, registry_files):
    shp = registry_files["shp"]
    zpath = tmp_path / "plots.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for part in shp.parent.glob("plots.*"):
            if part.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                z.write(part, part.name)
    data = read_vector(zpath)
    assert len(data) == 10 and data.crs.to_epsg() == 4326


def test_write_vector_shapefile_sidecars(tmp_path, registry_files):
    data = read_vector(registry_files["gpkg"])
    out = write_vector(data, tmp_path / "out" / "plots.shp")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["plots.cpg", "plots.dbf", "plots.prj", "plots.shp", "plots.shx"]
    back = read_vector(out)
    assert len(back) == 10 and "certificat" in back.columns  # dBASE cuts names to 10
