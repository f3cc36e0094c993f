"""``agrocredit plots``: import, list, show and export registered plots."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from agrocredit.cli._common import JSON_OPTION, STATE, emit_json
from agrocredit.errors import InvalidInputError
from agrocredit.registry.importer import import_plots, parse_mapping
from agrocredit.registry.repository import export_plots, get_plot, list_plots

app = typer.Typer(help="Registered plots: import, list, show, export.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="GeoPackage, GeoJSON, Shapefile, KML/KMZ, GeoParquet."),
    mapping: list[str] = typer.Option(
        [], "--map", "-m", help="FIELD=COLUMN, e.g. --map plot_id=FID (repeatable)."
    ),
    county: str | None = typer.Option(None, "--county", help="County code for rows without."),
    season: str | None = typer.Option(
        None, "--season", help="Season of a declared_crop column, e.g. 2026-summer."
    ),
    crs: str | None = typer.Option(None, "--crs", help="CRS when the file declares none."),
    layer: str | None = typer.Option(None, "--layer", help="Layer of a multi-layer file."),
    rejects: Path | None = typer.Option(None, "--rejects", help="Where to write the reject CSV."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import plots (with farmers and declared crops); re-importing updates, never duplicates."""
    settings = STATE.settings
    result = import_plots(
        STATE.registry,
        file,
        rules=settings.import_rules,
        mapping=parse_mapping(mapping),
        county_code=county,
        season=season,
        crs=crs,
        layer=layer,
        reports_dir=settings.reports_dir,
        reject_report=rejects,
    )
    if as_json:
        emit_json(result.as_dict())
        return
    c = STATE.console
    c.print(
        f"{file.name}: {result.rows} rows; {result.inserted} new, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.rejected} rejected, {result.flagged} flagged"
    )
    if result.rejects:
        for reason, n in result.reasons().items():
            c.print(f"  rejected {n:>6} × {reason}")
        c.print(f"  reject report: {result.reject_report}")


def _parse_bbox(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise InvalidInputError(
            f"--bbox {text!r} must be four numbers: min_lon,min_lat,max_lon,max_lat"
        ) from None


@app.command("list")
def list_command(
    county: str | None = typer.Option(None, "--county", help="Only this county code."),
    farmer: str | None = typer.Option(None, "--farmer", help="Only this farmer's plots."),
    bbox: str | None = typer.Option(
        None, "--bbox", help="min_lon,min_lat,max_lon,max_lat (EPSG:4326)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many plots."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List plots, filtered by county, farmer or bounding box."""
    with STATE.registry.session() as session:
        plots = list_plots(
            session,
            county_code=county,
            farmer_id=farmer,
            bbox=_parse_bbox(bbox),
            limit=limit,
            offset=offset,
        )
    if as_json:
        emit_json([{k: v for k, v in p.as_dict().items() if k != "geometry"} for p in plots])
        return
    table = Table("plot", "farmer", "county", "certificate", "area mu", "registered mu", "flags")
    for p in plots:
        table.add_row(
            p.id,
            p.farmer_id or "-",
            p.county_code,
            p.certificate_no or "-",
            f"{p.area_mu:.2f}",
            f"{p.registered_area_mu:.2f}" if p.registered_area_mu is not None else "-",
            ",".join(f["code"] for f in p.flags) or "",
        )
    STATE.console.print(table)
    STATE.console.print(f"{len(plots)} plot(s)")


@app.command("show")
def show_command(
    plot_id: str = typer.Argument(..., help="Plot id."), as_json: bool = JSON_OPTION
) -> None:
    """Show one plot: owner, certificate, areas, declared crops, flags, geometry."""
    with STATE.registry.session() as session:
        plot = get_plot(session, plot_id)
    data = plot.as_dict()
    if as_json:
        emit_json(data)
        return
    c = STATE.console
    c.print(f"plot {plot.id}")
    c.print(f"  farmer            {plot.farmer_id or '-'}")
    c.print(f"  county            {plot.county_code}")
    c.print(f"  certificate       {plot.certificate_no or '-'}")
    reg = plot.registered_area_mu
    c.print(f"  registered area   {f'{reg:.2f} mu' if reg is not None else '-'}")
    c.print(
        f"  polygon area      {plot.area_mu:.2f} mu = {plot.area_ha:.3f} ha = "
        f"{plot.area_m2:.0f} m² (EPSG:{plot.utm_epsg})"
    )
    for season, crop in sorted(plot.declared_crops.items()):
        c.print(f"  declared {season:<11} {crop}")
    for flag in plot.flags:
        c.print(f"  flag              {flag}")
    cx, cy = plot.geometry.centroid.coords[0]
    c.print(f"  centroid          {cx:.6f}, {cy:.6f}")


@app.command("export")
def export_command(
    file: Path = typer.Argument(..., help="Output file; format from the suffix."),
    county: str | None = typer.Option(None, "--county", help="Only this county code."),
    farmer: str | None = typer.Option(None, "--farmer", help="Only this farmer's plots."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Export plots to GeoPackage, GeoJSON, Shapefile, KML/KMZ or GeoParquet."""
    n = export_plots(STATE.registry, file, county_code=county, farmer_id=farmer)
    if as_json:
        emit_json({"file": str(file), "plots": n})
    else:
        typer.echo(f"wrote {n} plot(s) to {file}")
