"""Plot import: formats, reject reasons, flags, idempotence, atomicity, reject reports."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import box
from sqlalchemy import func, select

from agrocredit.config import ImportRules
from agrocredit.errors import (
    AgroCreditError,
    CRSError,
    ImportFileError,
    InvalidInputError,
    SeasonError,
)
from agrocredit.registry import importer
from agrocredit.registry.db import open_registry
from agrocredit.registry.importer import (
    import_frame,
    import_plots,
    parse_mapping,
    resolve_columns,
)
from agrocredit.registry.models import DeclaredCrop, Farmer, ImportRun, Plot
from agrocredit.registry.repository import get_farmer, get_plot, list_plots
from agrocredit.units import M2_PER_MU

FORMATS = ["gpkg", "geojson", "shp", "kml", "kmz", "parquet"]


def counts(registry):
    with registry.session() as s:
        return {
            "plots": s.scalar(select(func.count()).select_from(Plot)),
            "farmers": s.scalar(select(func.count()).select_from(Farmer)),
            "declared": s.scalar(select(func.count()).select_from(DeclaredCrop)),
            "runs": s.scalar(select(func.count()).select_from(ImportRun)),
        }


def snapshot(registry):
    """Everything an import decides about each plot, geometry as normalised WKT."""
    with registry.session() as s:
        return {
            p.id: (
                p.farmer_id,
                p.county_code,
                p.certificate_no,
                p.registered_area_mu,
                round(p.area_m2, 3),
                p.utm_epsg,
                p.declared_crops,
                p.flags,
                shapely.to_wkt(shapely.normalize(p.geometry), rounding_precision=9),
            )
            for p in list_plots(s)
        }


def frame(rows, crs="EPSG:4326"):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def near_p001(registry_data, dx=0.0, w=20.0, h=200.0):
    """A rectangle in EPSG:4326 at P001's position (x offset dx metres)."""
    x0, y0 = registry_data.X0 + dx, registry_data.Y0
    return registry_data.to_4326(box(x0, y0, x0 + w, y0 + h))


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_gives_the_same_plots(fmt, registry, registry_files, registry_data, tmp_path):
    result = import_plots(registry, registry_files[fmt], reports_dir=tmp_path / "rep")
    assert (result.rows, result.inserted, result.rejected, result.flagged) == (10, 10, 0, 0)
    assert result.farmers_inserted == 4
    assert result.reject_report is None
    with registry.session() as s:
        plots = {p.id: p for p in list_plots(s)}
    assert sorted(plots) == list(registry_data.GOOD_IDS)
    for pid, p in plots.items():
        assert p.area_m2 == pytest.approx(registry_data.GOOD_AREAS_M2[pid], rel=1e-6)
        assert p.utm_epsg == 32650
        assert p.county_code == "410526"
        assert p.farmer_id == registry_data.GOOD_FARMER[pid]
        assert p.certificate_no == f"410526-2021-{int(pid[1:]):06d}"
        assert p.registered_area_mu == registry_data.REGISTERED_MU[pid]
        assert p.declared_crops == {"2026-summer": registry_data.GOOD_CROPS[pid]}
        assert p.flags == []
        assert p.source == registry_files[fmt].name


def test_all_formats_store_identical_geometry(registry_files, tmp_path):
    stored = {}
    for fmt in FORMATS:
        reg = open_registry(f"sqlite:///{tmp_path / fmt}.db")
        try:
            import_plots(reg, registry_files[fmt], reports_dir=tmp_path)
            with reg.session() as s:
                plots = {p.id: p for p in list_plots(s)}
                hashes = dict(s.execute(select(Plot.id, Plot.geometry_hash)).all())
            stored[fmt] = (plots, hashes)
        finally:
            reg.close()
    ref_plots, ref_hashes = stored["gpkg"]
    for fmt in FORMATS:
        plots, hashes = stored[fmt]
        assert hashes == ref_hashes, fmt
        for pid, p in plots.items():
            assert shapely.equals_exact(
                shapely.normalize(p.geometry), shapely.normalize(ref_plots[pid].geometry), 1e-9
            ), (fmt, pid)
            assert p.area_m2 == pytest.approx(ref_plots[pid].area_m2, rel=1e-8)


def test_farmers_come_with_the_plots(loaded_registry):
    with loaded_registry.session() as s:
        f = get_farmer(s, "F002")
    assert (f.name, f.phone, f.village, f.county_code) == (
        "李娜",
        "13800000002",
        "东王庄村",
        "410526",
    )
    assert f.plot_ids == ["P004", "P005", "P006"]


def test_declared_crop_names_are_normalised(loaded_registry):
    with loaded_registry.session() as s:
        crops = {p.id: p.declared_crops["2026-summer"] for p in list_plots(s)}
    # written as 玉米, maize, 花生, corn, 大豆, soybean, 棉花, Peanut, 夏玉米, cotton
    assert crops == {
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


def test_projected_file_gives_the_same_areas(registry, registry_files, registry_data):
    assert gpd.read_file(registry_files["utm"]).crs.to_epsg() == 32650
    result = import_plots(registry, registry_files["utm"])
    assert result.inserted == 10
    with registry.session() as s:
        plots = {p.id: p for p in list_plots(s)}
    for pid, area in registry_data.GOOD_AREAS_M2.items():
        assert plots[pid].area_m2 == pytest.approx(area, rel=1e-7)
        lon, lat = plots[pid].geometry.centroid.coords[0]
        assert 114.49 < lon < 114.51 and 35.59 < lat < 35.61  # stored in EPSG:4326


def test_projected_file_keeps_its_crs_when_crs_is_given(registry, registry_files, registry_data):
    # --crs is for files without a CRS; it never overrides the declared one.
    result = import_plots(registry, registry_files["utm"], crs="EPSG:4326")
    assert result.inserted == 10 and result.rejected == 0
    with registry.session() as s:
        p = get_plot(s, "P001")
    assert p.area_m2 == pytest.approx(registry_data.GOOD_AREAS_M2["P001"], rel=1e-7)


def test_file_without_crs_is_rejected_row_by_row(registry, registry_files, reports_dir):
    assert gpd.read_file(registry_files["nocrs"]).crs is None
    result = import_plots(registry, registry_files["nocrs"], reports_dir=reports_dir)
    assert result.rows == 10 and result.accepted == 0
    assert result.reasons() == {"missing_crs": 10}
    assert all("--crs" in r.message for r in result.rejects)
    assert [r.row for r in result.rejects] == list(range(1, 11))
    assert result.reject_report is not None and result.reject_report.exists()
    c = counts(registry)
    assert (c["plots"], c["farmers"], c["runs"]) == (0, 0, 1)


def test_file_without_crs_imports_with_crs(registry, registry_files, registry_data, tmp_path):
    result = import_plots(registry, registry_files["nocrs"], crs="EPSG:4326")
    assert (result.inserted, result.rejected) == (10, 0)
    ref = open_registry(f"sqlite:///{tmp_path / 'ref.db'}")
    try:
        import_plots(ref, registry_files["gpkg"])
        assert snapshot(registry) == snapshot(ref)
    finally:
        ref.close()


def test_unknown_crs_argument_is_an_error(registry, registry_files):
    with pytest.raises(CRSError, match="EPSG:CODE"):
        import_plots(registry, registry_files["nocrs"], crs="EPSG:999999")


def test_crs_that_cannot_reach_wgs84_is_rejected(registry, registry_files):
    local = CRS.from_wkt(
        'LOCAL_CS["Site grid",LOCAL_DATUM["Site",0],UNIT["metre",1],'
        'AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
    )
    good = gpd.read_file(registry_files["gpkg"]).set_crs(local, allow_override=True)
    result = import_frame(registry, good, source="local.gpkg")
    assert result.reasons() == {"unknown_crs": 10}
    assert "cannot be converted to EPSG:4326" in result.rejects[0].message
    assert counts(registry)["plots"] == 0


# --- reject reasons ---------------------------------------------------------------------------

EXPECTED_MESSAGES = {
    "missing_geometry": "the row has no geometry",
    "not_polygon": "a LineString is not a plot",
    "multipart": "a MultiPolygon with 2 parts is not one plot",
    "self_intersection": "the polygon crosses itself (Self-intersection",
    "invalid_geometry": "the polygon is invalid (Hole lies outside shell",
    "missing_county": "the row has no county code",
    "duplicate_plot_id": "plot id B-BASE already appears on row 1",
    "duplicate_certificate": "certificate BAD-0001 already appears on row 1",
    "invalid_registered_area": "registered area 'abc' is not a number of mu",
    "unknown_crop": "crop '香蕉' is not in the crop taxonomy v1",
    "invalid_season": "season '2026-spring' is not valid",
    "missing_season": "declared crop 'maize' has no season",
    "coordinates_out_of_range": "are not longitude/latitude",
    "invalid_id": "plot id 'B bad id!' must be 1-64",
}


@pytest.fixture(scope="module")
def bad_import(registry_files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-import")
    reg = open_registry(f"sqlite:///{folder / 'bad.db'}")
    result = import_plots(reg, registry_files["bad"], reports_dir=folder / "reports")
    with reg.session() as s:
        plots = {p.id: p for p in list_plots(s)}
    yield result, plots, counts(reg)
    reg.close()


def test_bad_rows_every_row_has_its_outcome(bad_import, registry_data):
    result, plots, _ = bad_import
    by_row = {r.row: r for r in result.rejects}
    assert len(by_row) == len(result.rejects)  # one reject per row
    for i, (pid, outcome) in enumerate(registry_data.BAD_ROWS, 1):
        if outcome in ("accepted", "geometry_repaired", "overlap"):
            assert i not in by_row, (i, pid, by_row.get(i))
            assert pid in plots
        else:
            assert by_row[i].reason == outcome, (i, pid)
            assert by_row[i].plot_id == pid
    assert result.rows == 20
    assert (result.inserted, result.rejected, result.flagged) == (4, 16, 3)


@pytest.mark.parametrize("reason", sorted(EXPECTED_MESSAGES))
def test_bad_rows_reason_and_message(bad_import, reason):
    result, _, _ = bad_import
    found = [r for r in result.rejects if r.reason == reason]
    assert found, f"no row rejected as {reason}"
    for r in found:
        assert EXPECTED_MESSAGES[reason] in r.message


def test_bad_rows_area_out_of_bounds_both_ways(bad_import):
    result, _, _ = bad_import
    area = {r.plot_id: r.message for r in result.rejects if r.reason == "area_out_of_bounds"}
    assert set(area) == {"B-TINY", "B-HUGE"}
    assert area["B-TINY"].startswith("area 0.04 mu (25 m²) is outside 0.1..10000 mu")
    assert area["B-HUGE"].startswith("area 18000.00 mu (12000000 m²) is outside 0.1..10000 mu")


def test_bad_rows_reason_counts(bad_import):
    result, _, c = bad_import
    assert result.reasons() == {
        "area_out_of_bounds": 2,
        "coordinates_out_of_range": 1,
        "duplicate_certificate": 1,
        "duplicate_plot_id": 1,
        "invalid_geometry": 1,
        "invalid_id": 1,
        "invalid_registered_area": 1,
        "invalid_season": 1,
        "missing_county": 1,
        "missing_geometry": 1,
        "missing_season": 1,
        "multipart": 1,
        "not_polygon": 1,
        "self_intersection": 1,
        "unknown_crop": 1,
    }
    assert c["plots"] == 4 and c["farmers"] == 2


def test_repaired_polygon_is_flagged(bad_import, registry_data):
    _, plots, _ = bad_import
    p = plots["B-REPAIR"]
    assert p.flags == [{"code": "geometry_repaired"}]
    assert p.geometry.is_valid and p.geometry.geom_type == "Polygon"
    assert p.area_m2 == pytest.approx(registry_data.REPAIRED_AREA_M2, rel=1e-6)
    assert len(p.geometry.exterior.coords) < 8  # the spike is gone


def test_overlapping_plots_of_two_farmers_are_flagged(bad_import, registry_data):
    _, plots, _ = bad_import
    f1, f2 = plots["B-OVL1"].flags, plots["B-OVL2"].flags
    assert len(f1) == len(f2) == 1
    assert f1[0]["code"] == f2[0]["code"] == "overlap"
    assert (f1[0]["other_plot"], f1[0]["other_farmer"]) == ("B-OVL2", "F102")
    assert (f2[0]["other_plot"], f2[0]["other_farmer"]) == ("B-OVL1", "F101")
    assert f1[0]["fraction"] == pytest.approx(registry_data.OVERLAP_FRACTION, abs=1e-3)
    assert f2[0]["fraction"] == pytest.approx(registry_data.OVERLAP_FRACTION, abs=1e-3)
    assert plots["B-BASE"].flags == []


def test_overlap_threshold_comes_from_the_rules(registry, registry_files):
    rules = ImportRules(overlap_flag_fraction=0.25)
    result = import_plots(registry, registry_files["bad"], rules=rules)
    assert result.flagged == 1  # only the repaired plot
    with registry.session() as s:
        assert get_plot(s, "B-OVL1").flags == []


def test_default_season_fills_rows_without_one(registry, registry_files):
    result = import_plots(registry, registry_files["bad"], season="2026-summer")
    assert "missing_season" not in result.reasons()
    with registry.session() as s:
        assert get_plot(s, "B-NOSEASON").declared_crops == {"2026-summer": "maize"}
        # a season column wins over the default
        assert get_plot(s, "B-BASE").declared_crops == {"2026-winter": "wheat"}


def test_default_county_fills_rows_without_one(registry, registry_files):
    result = import_plots(registry, registry_files["bad"], county_code="410527")
    assert "missing_county" not in result.reasons()
    with registry.session() as s:
        assert get_plot(s, "B-NOCOUNTY").county_code == "410527"
        assert get_plot(s, "B-BASE").county_code == "410526"


def test_file_without_season_column(registry, registry_files):
    result = import_plots(registry, registry_files["noseason"])
    assert result.reasons() == {"missing_season": 10}
    assert "pass --season" in result.rejects[0].message
    result = import_plots(registry, registry_files["noseason"], season="2025-Summer")
    assert result.inserted == 10
    with registry.session() as s:
        assert get_plot(s, "P003").declared_crops == {"2025-summer": "peanut"}


def test_bad_default_season_is_an_error(registry, registry_files):
    with pytest.raises(SeasonError, match="YYYY-winter"):
        import_plots(registry, registry_files["gpkg"], season="summer-2026")


def test_area_bounds_come_from_the_rules(registry, registry_files, registry_data):
    rules = ImportRules(min_area_mu=6.1, max_area_mu=7.0)
    result = import_plots(registry, registry_files["gpkg"], rules=rules)
    in_range = {
        pid for pid, a in registry_data.GOOD_AREAS_M2.items() if 6.1 <= a / M2_PER_MU <= 7.0
    }
    assert 0 < len(in_range) < 10
    assert result.inserted == len(in_range)
    assert result.reasons() == {"area_out_of_bounds": 10 - len(in_range)}
    assert all("outside 6.1..7 mu" in r.message for r in result.rejects)


def test_more_row_rejects(registry, registry_data):
    g = near_p001(registry_data)
    rows = [
        {"plot_id": "X1", "county_code": "4" * 17, "geometry": g},
        {"plot_id": "X2", "county_code": "410526", "registered_area_mu": -2.0, "geometry": g},
        {"plot_id": "X3", "county_code": "410526", "farmer_id": "F 3", "geometry": g},
        {"plot_id": "X4", "county_code": "410526", "cert_no": "a b", "geometry": g},
        {"plot_id": "X5", "county_code": "410526", "geometry": shapely.Point(114.5, 35.6)},
    ]
    result = import_frame(registry, frame(rows), source="more.gpkg")
    got = {r.plot_id: (r.reason, r.message) for r in result.rejects}
    assert got["X1"][0] == "missing_county" and "longer than 16" in got["X1"][1]
    assert got["X2"] == (
        "invalid_registered_area",
        "registered area -2.0 mu must be a positive number",
    )
    assert got["X3"][0] == "invalid_id" and "farmer id 'F 3'" in got["X3"][1]
    assert got["X4"][0] == "invalid_id" and "certificate number 'a b'" in got["X4"][1]
    assert got["X5"] == ("not_polygon", "a Point is not a plot; a plot must be a polygon")
    assert result.accepted == 0


def test_single_part_multipolygon_and_3d_are_accepted(registry, registry_data):
    g = near_p001(registry_data)
    g3d = shapely.force_3d(near_p001(registry_data, dx=25), 12.0)
    rows = [
        {"plot_id": "M1", "county_code": "410526", "geometry": shapely.MultiPolygon([g])},
        {"plot_id": "Z1", "county_code": "410526", "geometry": g3d},
    ]
    result = import_frame(registry, frame(rows), source="m.gpkg")
    assert result.inserted == 2
    with registry.session() as s:
        assert get_plot(s, "M1").geometry.geom_type == "Polygon"
        assert not get_plot(s, "Z1").geometry.has_z


# --- identity, idempotence, updates -------------------------------------------------------------


def test_reimport_is_idempotent(loaded_registry, registry_files):
    before = snapshot(loaded_registry)
    result = import_plots(loaded_registry, registry_files["gpkg"])
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 10)
    assert (result.farmers_inserted, result.farmers_updated) == (0, 0)
    assert counts(loaded_registry) == {"plots": 10, "farmers": 4, "declared": 10, "runs": 2}
    assert snapshot(loaded_registry) == before


@pytest.mark.parametrize("fmt", ["geojson", "shp", "kml", "parquet", "utm"])
def test_same_plots_in_another_format_are_unchanged(fmt, loaded_registry, registry_files):
    result = import_plots(loaded_registry, registry_files[fmt])
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 10)


def test_changing_one_attribute_updates_one_plot(loaded_registry, registry_files, tmp_path):
    data = gpd.read_file(registry_files["gpkg"])
    data.loc[data.plot_id == "P003", "registered_area_mu"] = 9.99
    path = tmp_path / "changed.gpkg"
    data.to_file(path)
    result = import_plots(loaded_registry, path)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 9)
    with loaded_registry.session() as s:
        p = get_plot(s, "P003")
    assert p.registered_area_mu == 9.99 and p.source == "changed.gpkg"
    assert counts(loaded_registry)["plots"] == 10


def test_changing_a_farmer_updates_the_farmer(loaded_registry, registry_files, tmp_path):
    data = gpd.read_file(registry_files["gpkg"])
    data.loc[data.farmer_id == "F003", "phone"] = "13912345678"
    path = tmp_path / "phone.gpkg"
    data.to_file(path)
    result = import_plots(loaded_registry, path)
    assert (result.farmers_inserted, result.farmers_updated) == (0, 1)
    assert result.unchanged == 10  # the plots themselves did not change
    with loaded_registry.session() as s:
        assert get_farmer(s, "F003").phone == "13912345678"
    assert counts(loaded_registry)["farmers"] == 4


def test_changing_a_declared_crop(loaded_registry, registry_files, tmp_path):
    data = gpd.read_file(registry_files["gpkg"])
    data.loc[data.plot_id == "P001", "declared_crop"] = "水稻"
    data.loc[data.plot_id == "P002", "season"] = "2026-winter"
    data.loc[data.plot_id == "P002", "declared_crop"] = "小麦"
    path = tmp_path / "crops.gpkg"
    data.to_file(path)
    result = import_plots(loaded_registry, path)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 8)
    with loaded_registry.session() as s:
        assert get_plot(s, "P001").declared_crops == {"2026-summer": "rice"}
        # another season is added; the season already declared is kept
        assert get_plot(s, "P002").declared_crops == {
            "2026-summer": "maize",
            "2026-winter": "wheat",
        }
    assert counts(loaded_registry)["declared"] == 11


def test_moving_a_plot_updates_geometry_and_area(loaded_registry, registry_data):
    moved = near_p001(registry_data, dx=0, w=20, h=100)
    rows = [{"plot_id": "P001", "farmer_id": "F001", "county_code": "410526", "geometry": moved}]
    result = import_frame(loaded_registry, frame(rows), source="moved.gpkg")
    assert result.updated == 1
    with loaded_registry.session() as s:
        p = get_plot(s, "P001")
    assert p.area_m2 == pytest.approx(2_000, rel=1e-6)
    # columns absent from the file are cleared, declared crops are kept
    assert p.certificate_no is None and p.declared_crops == {"2026-summer": "maize"}


def test_duplicate_certificate_against_the_registry(loaded_registry, registry_data):
    g = near_p001(registry_data, dx=1_000)
    rows = [
        {"plot_id": "P999", "certificate_no": "410526-2021-000001", "county_code": "410526",
         "geometry": g},
    ]  # fmt: skip
    result = import_frame(loaded_registry, frame(rows), source="dup.gpkg")
    assert result.reasons() == {"duplicate_certificate": 1}
    assert result.rejects[0].message.startswith(
        "certificate 410526-2021-000001 is already registered to plot P001"
    )
    assert counts(loaded_registry)["plots"] == 10


def test_plot_id_defaults_to_certificate_then_geometry(registry, registry_data):
    g1 = near_p001(registry_data)
    g2 = near_p001(registry_data, dx=25)
    rows = [
        {"certificate_no": "CERT-1", "county_code": "410526", "geometry": g1},
        {"county_code": "410526", "geometry": g2},
        {"county_code": "410526", "geometry": shapely.reverse(g2)},  # same polygon again
    ]
    result = import_frame(registry, frame(rows), source="noid.gpkg")
    assert result.inserted == 2
    assert [(r.reason, r.row) for r in result.rejects] == [("duplicate_plot_id", 3)]
    assert result.rejects[0].message.endswith("(the same polygon)")
    with registry.session() as s:
        ids = [p.id for p in list_plots(s)]
    assert ids[0] == "CERT-1"
    assert ids[1].startswith("G") and len(ids[1]) == 16
    again = import_frame(registry, frame(rows[:2]), source="noid.gpkg")
    assert (again.inserted, again.unchanged) == (0, 2)


def test_overlap_with_a_registered_plot(loaded_registry, registry_data):
    # N1 (another farmer) lies inside P001 (x 0..20 m): x 10..20; N2 (P001's farmer) x 5..15
    rows = [
        {"plot_id": "N1", "farmer_id": "F999", "county_code": "410526",
         "geometry": near_p001(registry_data, dx=10, w=10)},
        {"plot_id": "N2", "farmer_id": "F001", "county_code": "410526",
         "geometry": near_p001(registry_data, dx=5, w=10)},
    ]  # fmt: skip
    result = import_frame(loaded_registry, frame(rows), source="ovl.gpkg")
    assert (result.inserted, result.flagged) == (2, 2)
    with loaded_registry.session() as s:
        n1, n2, p1 = get_plot(s, "N1"), get_plot(s, "N2"), get_plot(s, "P001")
    overlaps = {f["other_plot"]: f for f in n1.flags}
    assert set(overlaps) == {"P001", "N2"}
    assert overlaps["P001"]["other_farmer"] == "F001"
    assert overlaps["P001"]["fraction"] == pytest.approx(1.0, abs=1e-3)
    assert overlaps["N2"]["fraction"] == pytest.approx(0.5, abs=1e-3)
    # N2 lies inside P001 of its own farmer: only N1, of another farmer, counts
    assert [(f["other_plot"], f["other_farmer"]) for f in n2.flags] == [("N1", "F999")]
    assert n2.flags[0]["fraction"] == pytest.approx(0.5, abs=1e-3)
    assert p1.flags == []  # plots already registered are not rewritten


def test_overlap_below_the_threshold_is_not_flagged(loaded_registry, registry_data):
    # N3 covers 0.5 m of P001's 20 m width: 2.5 % of it, below the 5 % threshold
    rows = [
        {"plot_id": "N3", "farmer_id": "F999", "county_code": "410526",
         "geometry": near_p001(registry_data, dx=-19.5, w=20)},
    ]  # fmt: skip
    result = import_frame(loaded_registry, frame(rows), source="ovl.gpkg")
    assert (result.inserted, result.flagged) == (1, 0)


# --- mapping and aliases ---------------------------------------------------------------------


def test_column_mapping_and_chinese_aliases(registry, registry_files):
    data = gpd.read_file(registry_files["gpkg"]).rename(
        columns={
            "plot_id": "地块编号",
            "farmer_id": "承包方编码",
            "farmer_name": "承包方名称",
            "certificate_no": "确权证号",
            "registered_area_mu": "确权面积",
            "declared_crop": "作物",
            "season": "季节",
            "county_code": "XZQDM",
        }
    )
    result = import_frame(registry, data, source="zh.gpkg", mapping={"county_code": "xzqdm"})
    assert (result.inserted, result.rejected) == (10, 0)
    with registry.session() as s:
        p = get_plot(s, "P001")
        f = get_farmer(s, "F001")
    assert (p.county_code, p.certificate_no, p.declared_crops) == (
        "410526",
        "410526-2021-000001",
        {"2026-summer": "maize"},
    )
    assert f.name == "张伟"


def test_parse_mapping():
    assert parse_mapping(["plot_id=FID", " county_code = region "]) == {
        "plot_id": "FID",
        "county_code": "region",
    }
    with pytest.raises(InvalidInputError, match="is not FIELD=COLUMN"):
        parse_mapping(["plot_id"])
    with pytest.raises(InvalidInputError, match="unknown field 'plot'"):
        parse_mapping(["plot=FID"])


def test_resolve_columns():
    cols = ["FID", "Adcode", "crop", "geometry"]
    assert resolve_columns(cols, {"plot_id": "fid"}) == {
        "plot_id": "FID",
        "county_code": "Adcode",
        "declared_crop": "crop",
    }
    with pytest.raises(InvalidInputError, match=r"column 'nope' \(mapped to plot_id\) is not"):
        resolve_columns(cols, {"plot_id": "nope"})
    with pytest.raises(InvalidInputError, match="unknown field"):
        resolve_columns(cols, {"bogus": "FID"})


def test_declared_crops_column(registry, registry_data):
    g = near_p001(registry_data)
    rows = [
        {"plot_id": "D1", "county_code": "410526",
         "declared_crops": "2026-winter:小麦; 2026-summer:玉米", "geometry": g},
        {"plot_id": "D2", "county_code": "410526", "declared_crops": "小麦",
         "geometry": near_p001(registry_data, dx=25)},
    ]  # fmt: skip
    result = import_frame(registry, frame(rows), source="dc.gpkg")
    assert result.inserted == 1
    assert result.rejects[0].reason == "invalid_season"
    assert "write SEASON:CROP" in result.rejects[0].message
    with registry.session() as s:
        assert get_plot(s, "D1").declared_crops == {"2026-winter": "wheat", "2026-summer": "maize"}


# --- files ------------------------------------------------------------------------------------


def test_file_errors(registry, tmp_path):
    with pytest.raises(ImportFileError, match="file not found"):
        import_plots(registry, tmp_path / "missing.gpkg")
    (tmp_path / "plots.txt").write_text("x")
    with pytest.raises(ImportFileError, match=r"unsupported file type \.txt"):
        import_plots(registry, tmp_path / "plots.txt")
    (tmp_path / "broken.gpkg").write_text("not a geopackage")
    with pytest.raises(ImportFileError, match="cannot read it as GeoPackage"):
        import_plots(registry, tmp_path / "broken.gpkg")
    assert counts(registry)["runs"] == 0


def test_layers(registry, registry_files, tmp_path):
    path = tmp_path / "two.gpkg"
    good = gpd.read_file(registry_files["gpkg"])
    good.iloc[:3].to_file(path, layer="a")
    good.iloc[3:].to_file(path, layer="b")
    with pytest.raises(ImportFileError, match="has 2 layers"):
        import_plots(registry, path)
    with pytest.raises(ImportFileError, match="no layer 'c'"):
        import_plots(registry, path, layer="c")
    assert import_plots(registry, path, layer="b").inserted == 7


# --- reports, runs, atomicity ------------------------------------------------------------------


def test_reject_report_csv(registry, registry_files, reports_dir):
    result = import_plots(registry, registry_files["bad"], reports_dir=reports_dir)
    path = result.reject_report
    assert path.parent == reports_dir
    assert path.name.startswith("import-") and path.name.endswith("-bad_rows.rejects.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["row", "plot_id", "certificate_no", "reason", "message"]
    assert len(rows) == 16
    assert [int(r["row"]) for r in rows] == sorted(int(r["row"]) for r in rows)
    expected = [(str(r.row), r.plot_id or "", r.reason, r.message) for r in result.rejects]
    assert [(r["row"], r["plot_id"], r["reason"], r["message"]) for r in rows] == expected
    tiny = next(r for r in rows if r["plot_id"] == "B-TINY")
    assert (tiny["certificate_no"], tiny["reason"]) == ("BAD-0009", "area_out_of_bounds")
    assert not list(reports_dir.glob(".*.tmp"))


def test_reject_report_at_a_given_path(registry, registry_files, tmp_path):
    target = tmp_path / "out" / "rejects.csv"
    result = import_plots(registry, registry_files["bad"], reject_report=target)
    assert result.reject_report == target
    assert len(target.read_text(encoding="utf-8").splitlines()) == 17


def test_import_run_is_recorded(registry, registry_files, reports_dir):
    result = import_plots(registry, registry_files["bad"], reports_dir=reports_dir)
    with registry.session() as s:
        run = s.get(ImportRun, result.run_id)
    assert run.kind == "plots"
    assert run.file == str(registry_files["bad"])
    assert len(run.sha256) == 64
    assert run.counts == {
        "rows": 20,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 16,
        "flagged": 3,
    }
    assert run.reject_report == str(result.reject_report)
    assert run.finished_at >= run.started_at


def test_as_dict(registry, registry_files, reports_dir):
    d = import_plots(registry, registry_files["bad"], reports_dir=reports_dir).as_dict()
    assert d["rows"] == 20 and d["accepted"] == 4 and d["rejected"] == 16
    assert d["reject_reasons"]["area_out_of_bounds"] == 2
    assert next(iter(d["reject_reasons"])) == "area_out_of_bounds"  # most frequent first
    assert d["reject_report"].endswith(".rejects.csv")


def _failing_insert(table_name):
    real = importer.insert

    def insert(table, *args, **kwargs):
        if getattr(table, "__tablename__", None) == table_name:
            raise RuntimeError("disk on fire")
        return real(table, *args, **kwargs)

    return insert


def test_failed_import_leaves_the_registry_unchanged(
    registry, registry_files, reports_dir, monkeypatch
):
    # farmers and plots are written before the declared crops: the failure comes late
    monkeypatch.setattr(importer, "insert", _failing_insert("declared_crops"))
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_plots(registry, registry_files["bad"], reports_dir=reports_dir)
    assert counts(registry) == {"plots": 0, "farmers": 0, "declared": 0, "runs": 0}
    assert not reports_dir.exists()


def test_failed_update_leaves_the_registry_unchanged(
    loaded_registry, registry_files, tmp_path, monkeypatch
):
    before = snapshot(loaded_registry)
    data = gpd.read_file(registry_files["gpkg"])
    data["registered_area_mu"] = 1.0
    data.loc[data.plot_id == "P001", "plot_id"] = "P001-NEW"
    path = tmp_path / "changed.gpkg"
    data.to_file(path)
    monkeypatch.setattr(importer, "insert", _failing_insert("import_runs"))
    with pytest.raises(RuntimeError):
        import_plots(loaded_registry, path)
    assert snapshot(loaded_registry) == before
    assert counts(loaded_registry) == {"plots": 10, "farmers": 4, "declared": 10, "runs": 1}


def test_unwritable_reject_report_fails_the_import(registry, registry_files, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(AgroCreditError, match="cannot write the reject report"):
        import_plots(registry, registry_files["bad"], reject_report=blocker / "rejects.csv")
    assert counts(registry) == {"plots": 0, "farmers": 0, "declared": 0, "runs": 0}


def test_bad_file_reimport_is_unchanged(registry, registry_files):
    first = import_plots(registry, registry_files["bad"])
    before = snapshot(registry)
    again = import_plots(registry, registry_files["bad"])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert again.reasons() == first.reasons() and again.flagged == 3
    assert snapshot(registry) == before
