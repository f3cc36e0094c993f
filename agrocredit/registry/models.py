"""Registry tables (SQLAlchemy 2 typed ORM).

Plot geometry is stored in EPSG:4326 as WKB, with its bounding box in four indexed
columns. On SQLite an R*Tree virtual table (``plot_rtree``, kept in step by triggers)
indexes the boxes; on PostgreSQL a GiST index on ``box(point(minx, miny), point(maxx,
maxy))`` does; other databases fall back to the B-tree on ``(minx, miny)``. The schema
itself is created by the Alembic migrations in ``migrations/``; these classes must match
them (a test checks that).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every registry table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Farmer(Base):
    """A farming household that holds plots."""

    __tablename__ = "farmers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    village: Mapped[str | None] = mapped_column(String(128))
    county_code: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    plots: Mapped[list[Plot]] = relationship(back_populates="farmer")


class Plot(Base):
    """A registered field polygon with its land-right certificate."""

    __tablename__ = "plots"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    farmer_id: Mapped[str | None] = mapped_column(
        ForeignKey("farmers.id", ondelete="RESTRICT"), index=True
    )
    county_code: Mapped[str] = mapped_column(String(16), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    registered_area_mu: Mapped[float | None] = mapped_column(Float)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    geometry_hash: Mapped[str] = mapped_column(String(40))
    area_m2: Mapped[float] = mapped_column(Float)
    utm_epsg: Mapped[int] = mapped_column(Integer)
    minx: Mapped[float] = mapped_column(Float)
    miny: Mapped[float] = mapped_column(Float)
    maxx: Mapped[float] = mapped_column(Float)
    maxy: Mapped[float] = mapped_column(Float)
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    farmer: Mapped[Farmer | None] = relationship(back_populates="plots")
    declared_crops: Mapped[list[DeclaredCrop]] = relationship(
        back_populates="plot", cascade="all, delete-orphan", order_by="DeclaredCrop.season"
    )

    __table_args__ = (Index("ix_plots_bbox", "minx", "miny", "maxx", "maxy"),)


class DeclaredCrop(Base):
    """The crop a farmer declared for a plot in one season (``2026-summer``)."""

    __tablename__ = "declared_crops"

    plot_id: Mapped[str] = mapped_column(
        ForeignKey("plots.id", ondelete="CASCADE"), primary_key=True
    )
    season: Mapped[str] = mapped_column(String(20), primary_key=True)
    crop: Mapped[str] = mapped_column(String(32))

    plot: Mapped[Plot] = relationship(back_populates="declared_crops")


class SubsidyRecord(Base):
    """An agricultural subsidy paid to a farmer (for a plot, where known)."""

    __tablename__ = "subsidy_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    farmer_id: Mapped[str] = mapped_column(ForeignKey("farmers.id", ondelete="RESTRICT"))
    plot_id: Mapped[str | None] = mapped_column(ForeignKey("plots.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(128))
    crop: Mapped[str | None] = mapped_column(String(32))
    area_mu: Mapped[float | None] = mapped_column(Float)
    amount_cny: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[str] = mapped_column(String(200), unique=True)

    __table_args__ = (Index("ix_subsidy_farmer_year", "farmer_id", "year"),)


class InsuranceRecord(Base):
    """A crop insurance policy held by a farmer (for a plot, where known)."""

    __tablename__ = "insurance_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    farmer_id: Mapped[str] = mapped_column(ForeignKey("farmers.id", ondelete="RESTRICT"))
    plot_id: Mapped[str | None] = mapped_column(ForeignKey("plots.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer)
    crop: Mapped[str | None] = mapped_column(String(32))
    area_mu: Mapped[float | None] = mapped_column(Float)
    insured_amount_cny: Mapped[int] = mapped_column(Integer)
    premium_cny: Mapped[int | None] = mapped_column(Integer)
    insurer: Mapped[str | None] = mapped_column(String(128))
    record_key: Mapped[str] = mapped_column(String(200), unique=True)

    __table_args__ = (Index("ix_insurance_farmer_year", "farmer_id", "year"),)


class ImportRun(Base):
    """One run of a file import: what was read and what happened to it."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    reject_report: Mapped[str | None] = mapped_column(String(512))
