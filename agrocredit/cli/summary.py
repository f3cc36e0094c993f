"""``agrocredit summary``: what the registry holds."""

from __future__ import annotations

import typer
from rich.table import Table

from agrocredit.cli._common import JSON_OPTION, STATE, emit_json
from agrocredit.registry.repository import summary


def summary_command(
    county: str | None = typer.Option(None, "--county", help="Only this county code."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the registry summary: farmers, plots, areas, declared crops, records."""
    with STATE.registry.session() as session:
        data = summary(session, county)
    if as_json:
        emit_json(data)
        return
    print_summary(data)


def print_summary(data: dict) -> None:
    """Render a registry summary as text tables."""
    c = STATE.console
    scope = f"county {data['county_code']}" if data["county_code"] else "all counties"
    c.print(f"Registry summary ({scope})")
    c.print(
        f"  farmers {data['farmers']:,}   plots {data['plots']:,}   area {data['area_mu']:,.1f} mu"
        f" ({data['area_ha']:,.1f} ha)   median plot {data['median_plot_mu'] or 0:.2f} mu"
    )
    c.print(
        f"  with certificate {data['plots_with_certificate']:,}   flagged "
        f"{data['plots_flagged']:,}   subsidy records {data['subsidy_records']:,} "
        f"({data['subsidy_total_cny']:,} CNY)   insurance records {data['insurance_records']:,} "
        f"({data['insured_total_cny']:,} CNY insured)"
    )
    sizes = Table("plot size", "plots", title=None)
    for bucket, n in data["plots_by_size"].items():
        sizes.add_row(bucket, f"{n:,}")
    c.print(sizes)
    if data["declared_crops"]:
        crops = Table("season", "declared crop", "plots")
        for season, by_crop in data["declared_crops"].items():
            for crop, n in by_crop.items():
                crops.add_row(season, crop, f"{n:,}")
        c.print(crops)
