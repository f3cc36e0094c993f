"""Opening the registry database: engine, connection pragmas and schema migrations.

:func:`open_registry` is the single entry point. It creates the SQLite file's folder when
needed, turns on WAL and foreign keys for SQLite, and brings the schema to the newest
Alembic revision on first use (``agrocredit db upgrade`` does the same explicitly).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from agrocredit.errors import ConfigError, MigrationError, RegistryError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass
class Registry:
    """An open registry: the engine and a session factory bound to it."""

    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql``, …"""
        return self.engine.dialect.name

    def session(self) -> Session:
        """A new ORM session (use as a context manager)."""
        return self.sessions()

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cur = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def create_registry_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine for a registry URL; SQLite gets WAL and foreign keys on."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"database URL {url!r} is not valid; write e.g. sqlite:///var/agrocredit.db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    except (ImportError, ArgumentError) as exc:
        raise ConfigError(
            f"cannot use database URL {parsed.render_as_string(hide_password=True)}: {exc}. "
            "Install its driver (PostgreSQL: postgresql+psycopg://…)"
        ) from None


def _alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration revision this code knows."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if head is None:
        raise MigrationError("no migrations found; the installation is incomplete")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Migrate the schema to the newest revision; return (before, after)."""
    try:
        before = current_revision(engine)
        known = {s.revision for s in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
        if before is not None and before not in known:
            raise MigrationError(
                f"the database is at schema revision {before}, which this version of agrocredit "
                "does not know; upgrade agrocredit or point database_url at another database"
            )
        if before != head_revision():
            command.upgrade(_alembic_config(engine), "head")
        return before, head_revision()
    except OperationalError as exc:
        raise RegistryError(
            f"cannot open the registry database ({exc.orig}); check database_url and that "
            "the server is running and writable"
        ) from None


def open_registry(url: str, *, echo: bool = False, migrate: bool = True) -> Registry:
    """Open (and by default migrate) the registry at ``url``."""
    engine = create_registry_engine(url, echo=echo)
    try:
        if migrate:
            upgrade(engine)
        elif current_revision(engine) != head_revision():
            raise MigrationError(
                "the registry schema is not up to date; run `agrocredit db upgrade`"
            )
    except SQLAlchemyError as exc:
        engine.dispose()
        raise RegistryError(f"cannot open the registry database: {exc}") from None
    except Exception:
        engine.dispose()
        raise
    return Registry(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
