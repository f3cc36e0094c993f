"""``agrocredit sim``: generate the sample county."""

from __future__ import annotations

from pathlib import Path

import typer

from agrocredit.cli._common import JSON_OPTION, STATE, emit_json
from agrocredit.sim.county import generate_county, is_current

app = typer.Typer(help="Sample-county generator.", no_args_is_help=True)


@app.command("county")
def county_command(
    out: Path = typer.Option(..., "--out", help="Folder to write the county to."),
    seed: int = typer.Option(7, "--seed", help="Random seed: same seed, same county."),
    extent: str = typer.Option(
        "default", "--extent", help="default (a 10 km square) or county (the whole county)."
    ),
    county: str = typer.Option(
        "hua", "--county", help="hua (滑县), xun (浚县) or neihuang (内黄县)."
    ),
    force: bool = typer.Option(False, "--force", help="Regenerate even if it is up to date."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Generate a sample county (land records and truth); reuse it when up to date."""
    cached = not force and is_current(out, seed, extent, county)
    manifest = generate_county(out, seed=seed, extent=extent, county=county, force=force)
    if as_json:
        emit_json({**manifest, "reused": cached})
        return
    s = manifest["stats"]
    c = STATE.console
    verb = "reused" if cached else f"generated in {manifest['seconds']:.1f} s"
    c.print(
        f"sample county {manifest['county']['name_zh']} ({manifest['county']['adcode']}), "
        f"seed {seed}, extent {extent}: {verb} → {out}"
    )
    c.print(
        f"  {s['fields']:,.0f} fields, {s['households']:,.0f} households in "
        f"{s['villages']:.0f} villages; registered: {s['registered_plots']:,.0f} plots of "
        f"{s['registered_farmers']:,.0f} farmers; median field {s['median_plot_mu']:.1f} mu"
    )
