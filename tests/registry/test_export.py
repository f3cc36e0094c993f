"""Export to vector files and re-import: nothing changes."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import pytest

from agrocredit.errors import ExportError, ImportFileError
from agrocredit.registry.db import open_registry
from agrocredit.registry.importer import import_plots
from agrocredit.registry.repository import export_plots, list_plots

SUFFIXES = ["gpkg", "geojson", "shp", "kml", "kmz", "parquet"]


@pytest.fixture
def full_registry(loaded_registry, registry_files):
    """The good plots and the accepted bad rows (a repaired plot, two overlapping plots)."""
    result = import_plots(loaded_registry, registry_files["bad"])
    assert result.accepted == 4
    return loaded_registry


def state(registry, drop_repaired=False):
    with registry.session() as s:
        out = {}
        for p in list_plots(s):
            flags = [f for f in p.flags if not (drop_repaired and f["code"] == "geometry_repaired")]
            out[p.id] = (
                p.farmer_id,
                p.county_code,
                p.certificate_no,
                p.registered_area_mu,
                round(p.area_m2, 4),
                p.declared_crops,
                flags,
            )
        return out


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_and_reimport_unchanged(suffix, full_registry, tmp_path):
    before = state(full_registry)
    path = tmp_path / "out" / f"plots.{suffix}"
    assert export_plots(full_registry, path) == 14
    assert path.exists()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".export-")]
    result = import_plots(full_registry, path)
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (14, 0, 0, 14)
    assert result.rejected == 0
    assert state(full_registry) == before


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_into_a_fresh_registry(suffix, full_registry, tmp_path):
    path = tmp_path / f"plots.{suffix}"
    export_plots(full_registry, path)
    fresh = open_registry(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        result = import_plots(fresh, path)
        assert (result.inserted, result.rejected) == (14, 0)
        # the export holds the repaired polygon, which is valid: only that flag is not carried
        assert state(fresh) == state(full_registry, drop_repaired=True)
        with fresh.session() as s, full_registry.session() as t:
            farmers = {p.farmer_id for p in list_plots(s)}
            assert farmers == {p.farmer_id for p in list_plots(t)}
    finally:
        fresh.close()


def test_export_columns(full_registry, tmp_path):
    path = tmp_path / "plots.gpkg"
    export_plots(full_registry, path)
    data = gpd.read_file(path).set_index("plot_id")
    assert data.crs.to_epsg() == 4326
    assert list(data.columns) == [
        "farmer_id",
        "farmer_name",
        "phone",
        "village",
        "county_code",
        "certificate_no",
        "registered_area_mu",
        "area_m2",
        "area_mu",
        "area_ha",
        "declared_crops",
        "flags",
        "geometry",
    ]
    p3 = data.loc["P003"]
    assert (p3.farmer_name, p3.area_m2, p3.area_mu, p3.area_ha) == ("张伟", 4500.0, 6.75, 0.45)
    assert p3.declared_crops == "2026-summer:peanut"
    assert p3["flags"] in ("", None)
    flags = json.loads(data.loc["B-OVL1", "flags"])
    assert flags[0]["code"] == "overlap" and flags[0]["other_plot"] == "B-OVL2"


def test_export_filters(full_registry, tmp_path):
    assert export_plots(full_registry, tmp_path / "f.geojson", farmer_id="F001") == 3
    assert sorted(gpd.read_file(tmp_path / "f.geojson").plot_id) == ["P001", "P002", "P003"]
    assert export_plots(full_registry, tmp_path / "none.gpkg", county_code="999999") == 0
    assert len(gpd.read_file(tmp_path / "none.gpkg")) == 0


def test_export_errors(full_registry, tmp_path):
    with pytest.raises(ImportFileError, match=r"unsupported file type \.csv"):
        export_plots(full_registry, tmp_path / "plots.csv")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        export_plots(full_registry, blocker / "plots.gpkg")


def test_export_replaces_an_existing_file(full_registry, tmp_path):
    path = tmp_path / "plots.gpkg"
    export_plots(full_registry, path, farmer_id="F001")
    export_plots(full_registry, path, farmer_id="F002")
    assert sorted(gpd.read_file(path).plot_id) == ["P004", "P005", "P006"]


def test_shapefile_export_is_quiet(full_registry, tmp_path):
    # dBASE cuts long column names; that is expected (the importer reads the cut names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert export_plots(full_registry, tmp_path / "plots.shp") == 14
