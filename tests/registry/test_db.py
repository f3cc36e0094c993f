"""The registry database: migrations match the models, pragmas, the R*Tree index."""

from __future__ import annotations

import geopandas as gpd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from shapely.geometry import box
from sqlalchemy import delete, func, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from agrocredit.errors import ConfigError, MigrationError, RegistryError
from agrocredit.registry.db import (
    create_registry_engine,
    current_revision,
    head_revision,
    open_registry,
    upgrade,
)
from agrocredit.registry.importer import import_frame
from agrocredit.registry.models import Base, Farmer, Plot


def rtree_rows(registry):
    with registry.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.id, r.minx, r.maxx, r.miny, r.maxy, p.minx, p.maxx, p.miny, p.maxy "
                "FROM plot_rtree r JOIN plots p ON p.pk = r.pk ORDER BY p.id"
            )
        ).all()
        n_rtree = conn.execute(text("SELECT count(*) FROM plot_rtree")).scalar_one()
    return rows, n_rtree


def assert_rtree_in_step(registry):
    rows, n_rtree = rtree_rows(registry)
    with registry.session() as s:
        n_plots = s.scalar(select(func.count()).select_from(Plot))
    assert n_rtree == len(rows) == n_plots
    for pid, rx0, rx1, ry0, ry1, x0, x1, y0, y1 in rows:
        # the R*Tree stores 32-bit floats rounded outwards
        assert rx0 <= x0 and rx1 >= x1 and ry0 <= y0 and ry1 >= y1, pid
        assert max(x0 - rx0, rx1 - x1, y0 - ry0, ry1 - y1) < 1e-4, pid
    return rows


def test_migrated_schema_matches_the_models(registry):
    def include_name(name, type_, parent_names):
        return not (type_ == "table" and name.startswith("plot_rtree"))

    with registry.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_first_open_migrates(db_url, tmp_path):
    assert not (tmp_path / "db").exists()
    reg = open_registry(db_url)
    try:
        assert (tmp_path / "db" / "agrocredit.db").exists()
        assert current_revision(reg.engine) == head_revision() == "0001_registry"
        tables = set(inspect(reg.engine).get_table_names())
        assert {"farmers", "plots", "declared_crops", "subsidy_records", "insurance_records"} <= (
            tables
        )
        assert {"import_runs", "alembic_version", "plot_rtree"} <= tables
        assert reg.dialect == "sqlite"
    finally:
        reg.close()


def test_upgrade_is_idempotent(db_url):
    engine = create_registry_engine(db_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == (None, head_revision())
        assert upgrade(engine) == (head_revision(), head_revision())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


def test_open_without_migrating(db_url):
    with pytest.raises(MigrationError, match="agrocredit db upgrade"):
        open_registry(db_url, migrate=False)
    open_registry(db_url).close()
    reg = open_registry(db_url, migrate=False)
    assert current_revision(reg.engine) == head_revision()
    reg.close()


def test_unknown_revision_is_refused(registry, db_url):
    with registry.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    registry.close()
    with pytest.raises(MigrationError, match="9999_future, which this version"):
        open_registry(db_url)


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a sqlite file" * 100)
    with pytest.raises(RegistryError, match="cannot open the registry database"):
        open_registry(f"sqlite:///{path}")


def test_bad_urls():
    with pytest.raises(ConfigError, match="is not valid"):
        create_registry_engine("not a url")
    with pytest.raises(ConfigError, match="Install its driver"):
        create_registry_engine("nosuchdb+nodriver://u@h/d")


def test_wal_and_foreign_keys(registry):
    with registry.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    # a farmer with plots cannot be deleted; a plot of an unknown farmer cannot be written
    g = box(114.5, 35.6, 114.501, 35.601)
    rows = [{"plot_id": "P1", "farmer_id": "F1", "county_code": "410526", "geometry": g}]
    import_frame(registry, gpd.GeoDataFrame(rows, crs="EPSG:4326"), source="x")
    with pytest.raises(IntegrityError), registry.session() as s, s.begin():
        s.execute(delete(Farmer).where(Farmer.id == "F1"))
    with pytest.raises(IntegrityError), registry.session() as s, s.begin():
        s.execute(update(Plot).where(Plot.id == "P1").values(farmer_id="F-NONE"))


def test_rtree_follows_insert_update_delete(loaded_registry, registry_data):
    rows = assert_rtree_in_step(loaded_registry)
    assert [r[0] for r in rows] == list(registry_data.GOOD_IDS)

    # update: move P001 1 km east through a re-import
    moved = registry_data.local_box(1_000, 0, 1_020, 200)
    new = [{"plot_id": "P001", "farmer_id": "F001", "county_code": "410526", "geometry": moved}]
    result = import_frame(loaded_registry, gpd.GeoDataFrame(new, crs="EPSG:4326"), source="m")
    assert result.updated == 1
    rows = assert_rtree_in_step(loaded_registry)
    p001 = next(r for r in rows if r[0] == "P001")
    assert p001[5] == pytest.approx(moved.bounds[0])
    with loaded_registry.engine.connect() as conn:
        hit = conn.execute(
            text("SELECT pk FROM plot_rtree WHERE minx <= :x AND maxx >= :x"),
            {"x": moved.centroid.x},
        ).scalars()
        assert len(list(hit)) == 1

    # delete (declared crops go with the plot)
    with loaded_registry.session() as s, s.begin():
        s.execute(delete(Plot).where(Plot.id.in_(["P002", "P003"])))
    rows = assert_rtree_in_step(loaded_registry)
    assert len(rows) == 8
    with loaded_registry.engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM declared_crops WHERE plot_id IN ('P002', 'P003')")
        ).scalar_one()
    assert left == 0
