"""The database: Tortoise configuration, and migrations applied on start.

A Tortoise app is a label, the modules that hold its models, and one `migrations` package: that
of the package of its first models module. A subject keeps its models beside its actions
(meeting/polls/models.py) and joins the app whose migrations hold its tables; run.py names the
apps. Schema changes: edit the models, then `python run.py makemigrations` and commit the file.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate

# Tortoise app label -> the modules holding its models (the first one's package holds the app's
# `migrations`).
Apps = Mapping[str, Sequence[str]]
# The core's own models. The core app's migrations also hold the tables of features (the agenda,
# floor, opinions, votes, conclusions): run.py APPS adds their model modules to the app.
CORE_APPS: dict[str, list[str]] = {"core": ["meeting.models"]}


def migrations_package(models: Sequence[str]) -> str:
    return models[0].rsplit(".", 1)[0] + ".migrations"


MIGRATION_LOCK_KEY = 0x686F70  # "hop": any constant shared by all processes


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite://") or url.startswith("sqlite://:memory:"):
        return None
    return Path(url.removeprefix("sqlite://").split("?", 1)[0])


def tortoise_config(db_url: str, apps: Apps) -> dict[str, Any]:
    if _sqlite_path(db_url) is not None and "secure_delete" not in db_url:
        # Deleted rows are overwritten, not left in free pages (a closed secret vote's sealed
        # ballots: meeting/polls/ballot_box.py).
        db_url += ("&" if "?" in db_url else "?") + "secure_delete=ON"
    return {
        "connections": {"default": db_url},
        "apps": {
            label: {
                "models": list(models),
                "migrations": migrations_package(models),
                "default_connection": "default",
            }
            for label, models in apps.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate_database(config: dict[str, Any]) -> None:
    """Create or upgrade every app's tables to the latest migration, then let go of the
    connections (the app opens its own through RegisterTortoise)."""
    url = config["connections"]["default"]
    if (path := _sqlite_path(url)) is not None:
        restrict(path)
    async with _migration_lock(url):
        try:
            await migrate(config=config)
        finally:
            await Tortoise.close_connections()


def restrict(db_file: Path) -> None:
    """The database file is the server's alone (0600), and so are its WAL and shm (SQLite gives
    those the database file's mode when it makes them). A folder made here is 0700; an existing
    folder is the operator's (the data folder itself: secure_data_dir)."""
    db_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(db_file, os.O_CREAT | os.O_RDWR, 0o600))
    for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        if path.exists():
            path.chmod(0o600)


def secure_data_dir(folder: Path) -> None:
    """DATA_DIR (database, uploads) readable by the server's user alone: 0700. Never a shared
    folder such as /tmp (sticky bit): that is not ours to close."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    mode = folder.stat().st_mode
    if not mode & stat.S_ISVTX and folder.stat().st_uid == os.getuid():
        folder.chmod(0o700)


@contextlib.asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    """Several server processes may start at once on one PostgreSQL: one migrates, the others
    wait on an advisory lock and then find nothing to do. (SQLite is one process by design.)"""
    if not url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        yield
        return
    import asyncpg

    conn = await asyncpg.connect(url.replace("asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        yield
    finally:
        await conn.close()  # closing the session releases the lock


class database:
    """Open the database outside the server (command-line tools): migrate, then connect."""

    def __init__(self, db_url: str, apps: Apps) -> None:
        self.config = tortoise_config(db_url, apps)

    async def __aenter__(self) -> None:
        await migrate_database(self.config)
        await Tortoise.init(config=self.config, _enable_global_fallback=True)

    async def __aexit__(self, *exc: object) -> None:
        await Tortoise.close_connections()
