"""Nothing lives only in one process: after a restart the meeting, its state and its `seq` are
as they were, and the next change continues the sequence. An older schema is upgraded on start."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from meeting.db import migrations_package, tortoise_config
from meeting.models import User
from run import APPS
from tests.live import make_settings, meeting_with, running


async def test_state_and_seq_survive_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with running(settings) as live:
        m = await meeting_with(live, start=True, delegates=2)
        sec = m["secretary_client"]
        await sec.ok("agenda:add", {"meeting_id": m["meeting_id"], "title": "Báo cáo quý"})
        await sec.ok(
            "attendance:mark",
            {"meeting_id": m["meeting_id"], "user_id": m["delegates"][0].id, "present": True},
        )
        before = await sec.ok("meeting:join", {"meeting_id": m["meeting_id"]})  # checks in
        secretary = m["secretary"]
    async with running(settings) as live:  # a new process would see the same database
        sec = await live.client(secretary)  # the token was stored, so it still works
        after = await sec.ok("meeting:join", {"meeting_id": m["meeting_id"]})
        for key in ("seq", "status", "agenda", "participants", "summary"):
            assert after[key] == before[key], key
        assert after["status"] == "in_progress" and after["summary"]["present"] == 2
        await sec.ok(
            "attendance:mark",
            {"meeting_id": m["meeting_id"], "user_id": m["delegates"][1].id, "present": True},
        )
        push = await sec.push("participants:updated")
        assert push["seq"] == before["seq"] + 1


@contextlib.asynccontextmanager
async def fresh_database(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the engine the suite runs on. Not the shared test database (already
    at the latest schema), and not SQLite in a PostgreSQL run: Tortoise binds its models to the
    last engine it was started on, so the session server's later tests would speak SQLite."""
    shared = os.environ.get("TEST_DATABASE_URL", "")
    if not shared:
        yield f"sqlite://{tmp_path / 'old.sqlite3'}"
        return
    server, _, _ = shared.rpartition("/")
    name = f"hop_upgrade_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield f"{server}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def test_an_older_schema_is_upgraded_on_start(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        await _upgrade_from_first_migrations(tmp_path, url)


def migrations_dir(models: list[str]) -> Path:
    return Path(*migrations_package(models).split("."))


async def _upgrade_from_first_migrations(tmp_path: Path, url: str) -> None:
    settings = make_settings(tmp_path, database_url=url)
    config = tortoise_config(settings.db_url, APPS)
    # The database as the first release left it: only each app's first migration applied.
    firsts = {
        label: sorted(p.name for p in migrations_dir(models).glob("0001_*.py"))[0][:-3]
        for label, models in APPS.items()
    }
    for label, name in firsts.items():
        await migrate(config=config, target=f"{label}.{name}")
    await User.create(username="cu", full_name="Người dùng cũ", password_hash="x")
    await Tortoise.close_connections()
    async with running(settings) as live:
        with live.db():
            assert await User.get(username="cu")  # kept
        m = await meeting_with(live)  # and every table of the latest schema works
        assert m["meeting_id"]
