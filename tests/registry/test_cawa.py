"""Import of the real CAWa parcels (5,805 surveyed fields in Central Asia)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agrocredit.registry.db import open_registry
from agrocredit.registry.importer import import_plots
from agrocredit.registry.models import Plot

REPO_ROOT = Path(__file__).resolve().parents[2]
CAWA = REPO_ROOT / ".." / "shared" / "data" / "cawa" / "cawa_parcels.gpkg"


@pytest.mark.shared_data
def test_cawa_import(tmp_path):
    if not CAWA.exists():
        pytest.skip(f"{CAWA} is absent")
    reg = open_registry(f"sqlite:///{tmp_path / 'cawa.db'}")
    try:
        first = import_plots(
            reg, CAWA, mapping={"county_code": "region"}, reports_dir=tmp_path / "reports"
        )
        assert first.rows == 5805
        assert (first.accepted, first.inserted, first.rejected) == (5691, 5691, 114)
        # the same field surveyed in several years has the same polygon (its id is its hash)
        assert first.reasons() == {
            "duplicate_plot_id": 96,
            "multipart": 11,
            "area_out_of_bounds": 4,
            "self_intersection": 3,
        }
        assert first.flagged == 602
        dup = next(r for r in first.rejects if r.reason == "duplicate_plot_id")
        assert dup.message.endswith("(the same polygon)")
        with open(first.reject_report, encoding="utf-8", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == 114
        with reg.session() as s:
            assert s.scalar(select(func.count()).select_from(Plot)) == 5691
            stmt = select(Plot.county_code, func.count()).group_by(Plot.county_code)
            counties = dict(s.execute(stmt).all())
        assert counties == {"Dushanbe": 186, "Fergana": 2323, "Kashkadarya": 2181, "Khorezm": 1001}

        again = import_plots(
            reg, CAWA, mapping={"county_code": "region"}, reports_dir=tmp_path / "reports"
        )
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5691)
        assert again.reasons() == first.reasons()
        with reg.session() as s:
            assert s.scalar(select(func.count()).select_from(Plot)) == 5691
    finally:
        reg.close()
