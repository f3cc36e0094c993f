"""Registry: farmers, plots with a spatial index, declared crops, subsidy and insurance
records, import runs.

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "farmers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128)),
        sa.Column("phone", sa.String(32)),
        sa.Column("village", sa.String(128)),
        sa.Column("county_code", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_farmers_county_code", "farmers", ["county_code"])

    op.create_table(
        "plots",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("farmer_id", sa.String(64), sa.ForeignKey("farmers.id", ondelete="RESTRICT")),
        sa.Column("county_code", sa.String(16), nullable=False),
        sa.Column("certificate_no", sa.String(64), unique=True),
        sa.Column("registered_area_mu", sa.Float),
        sa.Column("geometry_wkb", sa.LargeBinary, nullable=False),
        sa.Column("geometry_hash", sa.String(40), nullable=False),
        sa.Column("area_m2", sa.Float, nullable=False),
        sa.Column("utm_epsg", sa.Integer, nullable=False),
        sa.Column("minx", sa.Float, nullable=False),
        sa.Column("miny", sa.Float, nullable=False),
        sa.Column("maxx", sa.Float, nullable=False),
        sa.Column("maxy", sa.Float, nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("source", sa.String(255)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_plots_farmer_id", "plots", ["farmer_id"])
    op.create_index("ix_plots_county_code", "plots", ["county_code"])
    op.create_index("ix_plots_bbox", "plots", ["minx", "miny", "maxx", "maxy"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE plot_rtree USING rtree(pk, minx, maxx, miny, maxy)")
        op.execute(
            "CREATE TRIGGER plots_rtree_insert AFTER INSERT ON plots BEGIN "
            "INSERT INTO plot_rtree VALUES (NEW.pk, NEW.minx, NEW.maxx, NEW.miny, NEW.maxy); END"
        )
        op.execute(
            "CREATE TRIGGER plots_rtree_update AFTER UPDATE OF minx, miny, maxx, maxy ON plots "
            "BEGIN UPDATE plot_rtree SET minx = NEW.minx, maxx = NEW.maxx, miny = NEW.miny, "
            "maxy = NEW.maxy WHERE pk = NEW.pk; END"
        )
        op.execute(
            "CREATE TRIGGER plots_rtree_delete AFTER DELETE ON plots BEGIN "
            "DELETE FROM plot_rtree WHERE pk = OLD.pk; END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_plots_bbox_gist ON plots "
            "USING gist (box(point(minx, miny), point(maxx, maxy)))"
        )

    op.create_table(
        "declared_crops",
        sa.Column(
            "plot_id",
            sa.String(64),
            sa.ForeignKey("plots.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("season", sa.String(20), primary_key=True),
        sa.Column("crop", sa.String(32), nullable=False),
    )

    for name, extra in (
        (
            "subsidy_records",
            [
                sa.Column("program", sa.String(128), nullable=False),
                sa.Column("amount_cny", sa.Integer, nullable=False),
            ],
        ),
        (
            "insurance_records",
            [
                sa.Column("insured_amount_cny", sa.Integer, nullable=False),
                sa.Column("premium_cny", sa.Integer),
                sa.Column("insurer", sa.String(128)),
            ],
        ),
    ):
        op.create_table(
            name,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column(
                "farmer_id",
                sa.String(64),
                sa.ForeignKey("farmers.id", ondelete="RESTRICT"),
                nullable=False,
            ),
            sa.Column("plot_id", sa.String(64), sa.ForeignKey("plots.id", ondelete="SET NULL")),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("crop", sa.String(32)),
            sa.Column("area_mu", sa.Float),
            *extra,
            sa.Column("record_key", sa.String(200), nullable=False, unique=True),
        )
    op.create_index("ix_subsidy_farmer_year", "subsidy_records", ["farmer_id", "year"])
    op.create_index("ix_insurance_farmer_year", "insurance_records", ["farmer_id", "year"])

    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("file", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("reject_report", sa.String(512)),
    )


def downgrade() -> None:
    op.drop_table("import_runs")
    op.drop_table("insurance_records")
    op.drop_table("subsidy_records")
    op.drop_table("declared_crops")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS plot_rtree")
    op.drop_table("plots")
    op.drop_table("farmers")
