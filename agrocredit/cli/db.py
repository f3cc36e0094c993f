"""``agrocredit db``: schema migrations."""

from __future__ import annotations

import typer

from agrocredit.cli._common import JSON_OPTION, STATE, emit_json
from agrocredit.registry.db import create_registry_engine, current_revision, head_revision, upgrade

app = typer.Typer(help="Registry database: schema migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(as_json: bool = JSON_OPTION) -> None:
    """Bring the registry schema to the newest revision (also done on first use)."""
    url = STATE.settings.resolved_database_url
    engine = create_registry_engine(url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    if as_json:
        emit_json({"before": before, "after": after})
    elif before == after:
        typer.echo(f"registry schema already at {after}")
    else:
        typer.echo(f"registry schema upgraded from {before or 'empty'} to {after}")


@app.command("status")
def status_command(as_json: bool = JSON_OPTION) -> None:
    """Show the schema revision of the registry and the newest one this code knows."""
    engine = create_registry_engine(STATE.settings.resolved_database_url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    if as_json:
        emit_json({"current": current, "head": head, "up_to_date": current == head})
    else:
        state = "up to date" if current == head else "needs `agrocredit db upgrade`"
        typer.echo(f"registry schema {current or 'empty'} (newest {head}): {state}")
