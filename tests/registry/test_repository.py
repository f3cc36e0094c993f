"""Reading the registry: plots, farmers, bounding boxes, summaries."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

from agrocredit.errors import FarmerNotFoundError, InvalidInputError, PlotNotFoundError
from agrocredit.registry.importer import import_frame, import_plots
from agrocredit.registry.records import import_records
from agrocredit.registry.repository import (
    get_farmer,
    get_plot,
    list_plots,
    summary,
    validate_bbox,
)
from agrocredit.units import M2_PER_MU


def utm_box_4326(registry_data, x0, y0, x1, y1):
    """(min lon, min lat, max lon, max lat) of a box given in metres from the origin."""
    return registry_data.local_box(x0, y0, x1, y1).bounds


def ids(records):
    return [r.id for r in records]


@pytest.fixture
def two_counties(loaded_registry, registry_data):
    """The good plots plus one plot of farmer F005 in county 410527, 1 km east."""
    g = registry_data.local_box(1_000, 0, 1_030, 100)
    rows = [{"plot_id": "Q001", "farmer_id": "F005", "county_code": "410527", "geometry": g}]
    result = import_frame(loaded_registry, gpd.GeoDataFrame(rows, crs="EPSG:4326"), source="q.gpkg")
    assert result.inserted == 1
    return loaded_registry


def test_get_plot(loaded_registry, registry_data):
    with loaded_registry.session() as s:
        p = get_plot(s, "P003")
    assert p.id == "P003" and p.farmer_id == "F001"
    assert p.area_m2 == pytest.approx(4_500, rel=1e-6)
    assert p.area_mu == pytest.approx(4_500 / M2_PER_MU, rel=1e-6)
    assert p.area_ha == pytest.approx(0.45, rel=1e-6)
    assert p.utm_epsg == 32650
    assert p.declared_crops == {"2026-summer": "peanut"}
    d = p.as_dict()
    assert d["area_mu"] == 6.75 and d["area_ha"] == 0.45 and d["area_m2"] == 4500.0
    assert d["geometry"]["type"] == "Polygon"
    assert shapely.geometry.shape(d["geometry"]).equals_exact(p.geometry, 1e-12)
    assert d["registered_area_mu"] == registry_data.REGISTERED_MU["P003"]


def test_get_plot_not_found(loaded_registry):
    with loaded_registry.session() as s, pytest.raises(PlotNotFoundError) as err:
        get_plot(s, "P404")
    assert isinstance(err.value, LookupError)
    assert str(err.value) == (
        "plot 'P404' is not registered; list plots with `agrocredit plots list`"
    )


def test_list_all_in_id_order(loaded_registry, registry_data):
    with loaded_registry.session() as s:
        plots = list_plots(s)
        page = list_plots(s, limit=3, offset=4)
        bare = list_plots(s, with_crops=False)
    assert ids(plots) == list(registry_data.GOOD_IDS)
    assert ids(page) == ["P005", "P006", "P007"]
    assert all(p.declared_crops for p in plots)
    assert not any(p.declared_crops for p in bare)


def test_list_by_county_and_farmer(two_counties):
    with two_counties.session() as s:
        assert ids(list_plots(s, county_code="410527")) == ["Q001"]
        assert len(list_plots(s, county_code="410526")) == 10
        assert list_plots(s, county_code="999999") == []
        assert ids(list_plots(s, farmer_id="F001")) == ["P001", "P002", "P003"]
        assert ids(list_plots(s, farmer_id="F005", county_code="410526")) == []
        assert ids(list_plots(s, farmer_id="F005", county_code="410527")) == ["Q001"]


def test_list_by_bbox(two_counties, registry_data):
    row2 = utm_box_4326(registry_data, -10, 290, 100, 610)
    everything = utm_box_4326(registry_data, -50, -50, 1_100, 700)
    with two_counties.session() as s:
        assert ids(list_plots(s, bbox=row2)) == ["P007", "P008", "P009"]
        assert len(list_plots(s, bbox=everything)) == 11
        assert ids(list_plots(s, bbox=everything, county_code="410527")) == ["Q001"]
        assert ids(list_plots(s, bbox=everything, farmer_id="F002")) == ["P004", "P005", "P006"]
        assert ids(list_plots(s, bbox=everything, limit=3, offset=2)) == ["P003", "P004", "P005"]
        assert list_plots(s, bbox=(100.0, 20.0, 100.1, 20.1)) == []


def test_bbox_filter_is_exact_on_the_polygon(loaded_registry, registry_data):
    """P010 is a diagonal strip: a box in its empty bounding-box corner does not hit it."""
    corner = utm_box_4326(registry_data, 300, 130, 320, 150)
    with loaded_registry.session() as s:
        p010 = get_plot(s, "P010")
        # the index does find P010 as a candidate for this box ...
        minx, miny, maxx, maxy = corner
        candidates = s.execute(
            text(
                "SELECT plots.id FROM plot_rtree r JOIN plots ON plots.pk = r.pk "
                "WHERE r.minx <= :x1 AND r.maxx >= :x0 AND r.miny <= :y1 AND r.maxy >= :y0"
            ),
            {"x0": minx, "y0": miny, "x1": maxx, "y1": maxy},
        ).scalars()
        assert list(candidates) == ["P010"]
        assert shapely.box(*corner).intersects(shapely.box(*p010.geometry.bounds))
        assert not shapely.box(*corner).intersects(p010.geometry)
        # ... but the polygon test drops it
        assert list_plots(s, bbox=corner) == []
        middle = shapely.centroid(p010.geometry)
        touching = (middle.x - 1e-5, middle.y - 1e-5, middle.x + 1e-5, middle.y + 1e-5)
        assert ids(list_plots(s, bbox=touching)) == ["P010"]


@pytest.mark.parametrize(
    "bbox",
    [(114.5, 35.6, 114.6), (114.6, 35.6, 114.5, 35.7), (114.5, 35.6, 114.6, 95.0), (-181, 0, 0, 1)],
)
def test_bad_bbox(loaded_registry, bbox):
    with loaded_registry.session() as s, pytest.raises(InvalidInputError, match="min_lon"):
        list_plots(s, bbox=bbox)


def test_validate_bbox():
    assert validate_bbox(["1", 2, 3.5, "4"]) == (1.0, 2.0, 3.5, 4.0)
    assert validate_bbox((5, 5, 5, 5)) == (5.0, 5.0, 5.0, 5.0)


def test_get_farmer(two_counties):
    with two_counties.session() as s:
        f = get_farmer(s, "F001")
        q = get_farmer(s, "F005")
    assert f.plot_ids == ["P001", "P002", "P003"]
    assert f.as_dict() == {
        "id": "F001",
        "name": "张伟",
        "phone": "13800000001",
        "village": "东王庄村",
        "county_code": "410526",
        "plot_ids": ["P001", "P002", "P003"],
    }
    assert (q.name, q.county_code, q.plot_ids) == (None, "410527", ["Q001"])


def test_get_farmer_not_found(loaded_registry):
    with loaded_registry.session() as s, pytest.raises(FarmerNotFoundError, match="'F404'"):
        get_farmer(s, "F404")


def test_summary(loaded_registry, registry_data):
    with loaded_registry.session() as s:
        data = summary(s)
    areas = np.array(list(registry_data.GOOD_AREAS_M2.values()))
    mu = areas / M2_PER_MU
    assert data["county_code"] is None
    assert data["counties"] == {"410526": 10}
    assert (data["farmers"], data["plots"]) == (4, 10)
    assert data["area_mu"] == round(mu.sum(), 1)
    assert data["area_ha"] == round(areas.sum() / 10_000, 2)
    assert data["median_plot_mu"] == pytest.approx(np.median(mu), abs=0.006)
    assert data["plots_by_size"] == {
        "< 2.2 mu": int((mu < 2.2).sum()),
        "2.2-10 mu": int(((mu >= 2.2) & (mu < 10)).sum()),
        "10-30 mu": 0,
        "30-100 mu": 0,
        ">= 100 mu": 0,
    }
    assert sum(data["plots_by_size"].values()) == 10
    assert data["plots_with_certificate"] == 10
    assert data["plots_flagged"] == 0
    assert data["declared_crops"] == {
        "2026-summer": {"maize": 4, "peanut": 2, "soybean": 2, "cotton": 2}
    }
    assert next(iter(data["declared_crops"]["2026-summer"])) == "maize"  # most frequent first
    assert (data["subsidy_records"], data["subsidy_total_cny"]) == (0, 0)
    assert (data["insurance_records"], data["insured_total_cny"]) == (0, 0)


def test_summary_by_county_with_flags_and_records(two_counties, registry_files):
    import_plots(two_counties, registry_files["bad"])
    subsidy = pd.DataFrame(
        {
            "farmer_id": ["F001", "F005", "F101"],
            "year": ["2025", "2025", "2025"],
            "program": ["耕地地力保护补贴"] * 3,
            "amount_cny": ["120", "300", "50"],
        }
    )
    insurance = pd.DataFrame(
        {"farmer_id": ["F001"], "year": ["2026"], "insured_amount_cny": ["8000"]}
    )
    assert import_records(two_counties, subsidy, "subsidy").inserted == 3
    assert import_records(two_counties, insurance, "insurance").inserted == 1
    with two_counties.session() as s:
        everything = summary(s)
        county = summary(s, "410526")
        other = summary(s, "410527")
    assert everything["plots"] == 15 and everything["plots_flagged"] == 3
    assert everything["counties"] == {"410526": 14, "410527": 1}
    assert everything["subsidy_total_cny"] == 470 and everything["insured_total_cny"] == 8000
    assert (county["plots"], county["farmers"], county["plots_flagged"]) == (14, 6, 3)
    assert county["subsidy_records"] == 2 and county["subsidy_total_cny"] == 170
    assert county["declared_crops"]["2026-winter"] == {"wheat": 4}
    assert (other["plots"], other["farmers"], other["plots_with_certificate"]) == (1, 1, 0)
    assert (other["subsidy_total_cny"], other["insured_total_cny"]) == (300, 0)
    assert other["declared_crops"] == {}


def test_summary_of_an_empty_registry(registry):
    with registry.session() as s:
        data = summary(s)
    assert (data["plots"], data["farmers"], data["area_mu"]) == (0, 0, 0.0)
    assert data["median_plot_mu"] is None
