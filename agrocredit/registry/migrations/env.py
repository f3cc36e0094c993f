"""Alembic environment: runs migrations on the engine handed over by agrocredit."""

from alembic import context

from agrocredit.registry.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("agrocredit migrations run online only: use `agrocredit db upgrade`")
run_migrations_online()
