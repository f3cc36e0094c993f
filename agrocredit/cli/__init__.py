"""The ``agrocredit`` command line: thin commands over the core library.

Exit codes: 0 success; 1 a domain error (one line on stderr, the traceback with ``-v``);
2 a usage error.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import typer
from typer.exceptions import TyperException

from agrocredit import __version__
from agrocredit.cli._common import STATE, build_settings
from agrocredit.cli.db import app as db_app
from agrocredit.cli.farmers import app as farmers_app
from agrocredit.cli.plots import app as plots_app
from agrocredit.cli.records import app as records_app
from agrocredit.cli.sim import app as sim_app
from agrocredit.cli.summary import summary_command
from agrocredit.errors import AgroCreditError

app = typer.Typer(
    name="agrocredit",
    help="Credit lines for smallholder farmers from satellite imagery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_app, name="db")
app.add_typer(plots_app, name="plots")
app.add_typer(farmers_app, name="farmers")
app.add_typer(records_app, name="records")
app.add_typer(sim_app, name="sim")
app.command("summary")(summary_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agrocredit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    config: str | None = typer.Option(
        None, "--config", "-c", help="TOML settings file (see README: Configuration)."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Registry database URL (default: SQLite in the data dir)."
    ),
    data_dir: str | None = typer.Option(None, "--data-dir", help="Working data folder."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Credit lines for smallholder farmers from satellite imagery."""
    STATE.verbose = verbose
    STATE.settings_factory = lambda: build_settings(config, database_url, data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script calls this)."""
    args = list(sys.argv[1:] if argv is None else argv)
    STATE.reset()
    try:
        app(args=args, prog_name="agrocredit", standalone_mode=False)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0))
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except TyperException as exc:  # usage errors (bad option, missing argument): exit 2
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return int(getattr(exc, "exit_code", 2))
    except AgroCreditError as exc:
        if STATE.verbose or "-v" in args or "--verbose" in args:
            traceback.print_exc()
        typer.echo(f"error: {exc}", err=True)
        return 1
    finally:
        STATE.close()
    return 0


def entrypoint() -> None:
    """Console-script entry point."""
    sys.exit(main())
