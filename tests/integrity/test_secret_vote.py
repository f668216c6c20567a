"""A secret vote stays secret (issue 11, finding 2): nobody, staff included, sees per-option
counts before the close; `eligible` moves alike for voters and non-voters; and after the close
the database files themselves (SQLite file and WAL) link no person to a choice."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from collections import Counter
from pathlib import Path

from tortoise import connections

from tests.floor.common import table
from tests.live import make_settings, running


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_secret_vote_hides_counts_and_leaves_no_link_in_the_files(tmp_path: Path) -> None:
    # A server of its own, on its own SQLite file (the README's suite), or on the suite's
    # PostgreSQL database: one process must not mix database kinds (Tortoise caches SQL per
    # table, not per dialect). The files are read on SQLite; the rows on both.
    data = tmp_path / "data"
    settings = make_settings(data_dir=data)
    on_sqlite = settings.db_url.startswith("sqlite://")
    async with running(settings) as live:
        t = await table(live, delegates=3)
        mid = t.meeting_id
        poll = await t.sec_c.ok(
            "poll:create", {"meeting_id": mid, "question": "Bầu kín chức danh", "secret": True}
        )
        pid = poll["poll_id"]
        opened = await t.chair_c.ok("poll:open", {"poll_id": pid})
        assert opened["eligible"] == 5 and opened["counts"] is None

        # Staff see how many voted, never what, while it is open.
        t.sec_c.mark()
        await t.del_c[0].ok("poll:vote", {"poll_id": pid, "option": 1})
        seen = await t.sec_c.push("poll:state", lambda s: s["voted"] == 1)
        assert seen["counts"] is None
        snap = await t.chair_c.ok("meeting:get", {"meeting_id": mid})
        assert snap["polls"][0]["counts"] is None and snap["polls"][0]["voted"] == 1

        # Attendance moves `eligible` the same for a voter (d0) as for a non-voter (d1).
        await t.sec_c.ok(
            "attendance:mark", {"meeting_id": mid, "user_id": t.delegates[0].id, "present": False}
        )
        after_voter = (await t.sec_c.ok("meeting:get", {"meeting_id": mid}))["polls"][0]
        await t.sec_c.ok(
            "attendance:mark", {"meeting_id": mid, "user_id": t.delegates[1].id, "present": False}
        )
        after_both = (await t.sec_c.ok("meeting:get", {"meeting_id": mid}))["polls"][0]
        assert after_voter["eligible"] == 4 and after_both["eligible"] == 3
        for d in t.delegates[:2]:
            await t.sec_c.ok(
                "attendance:mark", {"meeting_id": mid, "user_id": d.id, "present": True}
            )

        choices = {t.del_c[1]: 0, t.del_c[2]: 0, t.point_c: 2, t.chair_c: 1}
        for c, option in choices.items():
            await c.ok("poll:vote", {"poll_id": pid, "option": option})
        # What is stored while open: sealed boxes, all alike in length, no option in the clear.
        with live.db():
            conn = connections.get("default")
            boxes = [
                r["box"]
                for r in await conn.execute_query_dict(
                    f"SELECT box FROM sealed_ballot WHERE poll_id = {int(pid)}"
                )
            ]
            plain = await conn.execute_query_dict(
                f"SELECT * FROM ballot WHERE poll_id = {int(pid)}"
            )
        assert len(boxes) == 5 and len({len(b) for b in boxes}) == 1 and plain == []

        # A voter who left before the close still counts among those who could vote.
        await t.sec_c.ok(
            "attendance:mark", {"meeting_id": mid, "user_id": t.delegates[0].id, "present": False}
        )
        closed = await t.chair_c.ok("poll:close", {"poll_id": pid})
        assert closed["counts"] == [2, 2, 1] and closed["voted"] == 5 and "votes" not in closed
        assert closed["eligible"] == 5

        with live.db():
            conn = connections.get("default")
            left = await conn.execute_query_dict(
                f"SELECT count(*) AS n FROM sealed_ballot WHERE poll_id = {int(pid)}"
            )
            stored = await conn.execute_query_dict(
                f"SELECT option, user_id FROM ballot WHERE poll_id = {int(pid)}"
            )
        assert left[0]["n"] == 0 and all(b["user_id"] is None for b in stored)
        assert Counter(b["option"] for b in stored) == Counter([1, *choices.values()])
        if not on_sqlite:
            return

        # The files, read as an attacker with a copy of the data folder would.
        db = data / "test.sqlite3"
        wal = Path(f"{db}-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL still holds the vote's commits"
        raw = db.read_bytes()
        assert not any(b.encode() in raw for b in boxes), "a sealed ballot's bytes remain"
        assert mode(data) == 0o700 and mode(db) == 0o600
        for extra in (wal, Path(f"{db}-shm")):
            if extra.exists():
                assert mode(extra) == 0o600, extra
        copy = tmp_path / "copy.sqlite3"
        shutil.copy(db, copy)
        rows = sqlite3.connect(copy)
        try:
            ballots = rows.execute(
                "SELECT option, user_id FROM ballot WHERE poll_id = ?", (pid,)
            ).fetchall()
            voters = rows.execute(
                "SELECT user_id FROM poll_voter WHERE poll_id = ?", (pid,)
            ).fetchall()
            sealed = rows.execute("SELECT count(*) FROM sealed_ballot").fetchone()[0]
        finally:
            rows.close()
        assert sealed == 0
        assert all(user is None for _, user in ballots)
        assert Counter(o for o, _ in ballots) == Counter([1, *choices.values()])
        assert {u for (u,) in voters} == {t.chair.id, t.point.id, *(d.id for d in t.delegates)}
