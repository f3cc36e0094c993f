"""``agrocredit farmers``: look up a farmer, their plots and records."""

from __future__ import annotations

import typer

from agrocredit.cli._common import JSON_OPTION, STATE, emit_json
from agrocredit.registry.records import farmer_records
from agrocredit.registry.repository import get_farmer

app = typer.Typer(help="Registered farmers.", no_args_is_help=True)


@app.command("show")
def show_command(
    farmer_id: str = typer.Argument(..., help="Farmer id."), as_json: bool = JSON_OPTION
) -> None:
    """Show a farmer with their plots, subsidy and insurance records."""
    with STATE.registry.session() as session:
        farmer = get_farmer(session, farmer_id)
        records = farmer_records(session, farmer_id)
    data = {**farmer.as_dict(), **records}
    if as_json:
        emit_json(data)
        return
    c = STATE.console
    c.print(f"farmer {farmer.id}  {farmer.name or ''}  {farmer.phone or ''}")
    c.print(f"  village {farmer.village or '-'}, county {farmer.county_code}")
    c.print(f"  plots   {', '.join(farmer.plot_ids) or '-'}")
    for rec in records["subsidy"]:
        c.print(f"  subsidy   {rec['year']} {rec['program']}: {rec['amount_cny']} CNY")
    for rec in records["insurance"]:
        c.print(
            f"  insurance {rec['year']} {rec['crop'] or ''}: insured {rec['insured_amount_cny']}"
            f" CNY ({rec['insurer'] or '-'})"
        )
