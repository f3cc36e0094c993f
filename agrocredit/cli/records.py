"""``agrocredit records``: subsidy and insurance records."""

from __future__ import annotations

from pathlib import Path

import typer

from agrocredit.cli._common import JSON_OPTION, STATE, emit_json
from agrocredit.errors import InvalidInputError
from agrocredit.registry.records import import_records, read_table

app = typer.Typer(help="Subsidy and insurance records.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV or Parquet table."),
    kind: str = typer.Option(..., "--kind", help="subsidy or insurance."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import subsidy or insurance records; re-importing never duplicates."""
    if kind not in ("subsidy", "insurance"):
        raise InvalidInputError(f"--kind {kind!r} is unknown; use subsidy or insurance")
    result = import_records(STATE.registry, read_table(file), kind)  # type: ignore[arg-type]
    if as_json:
        emit_json(result.as_dict())
        return
    typer.echo(
        f"{file.name}: {result.rows} {kind} rows; {result.inserted} new, {result.updated} "
        f"updated, {result.unchanged} unchanged, {len(result.rejects)} rejected"
    )
    for row, reason, message in result.rejects[:20]:
        typer.echo(f"  row {row}: {reason}: {message}")
    if len(result.rejects) > 20:
        typer.echo(f"  … and {len(result.rejects) - 20} more (use --json for all)")
