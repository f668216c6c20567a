"""What a crash leaves in the document store, cleaned at start-up.

Work files carry the id of the process that made them (docs/store.py): `upload-<pid>-….part`
(an upload being received), `job-<pid>-…/` (a PDF job's folder) and `commit-<pid>-<sha>-….part`
(a checked file linked into the store whose row was not yet committed). At start a server
removes those of processes that no longer run (or of its own id from before it started: a
restarted server may get the id back), and for a commit marker whose row never came, the stored
file it put there (and its viewers' copy): the store then holds no file without its row. Files
of another live server process on the same data folder are left alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from docs.models import Document
from docs.store import Store, remove_temp, store_for

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.docs")
WORK_RE = re.compile(r"^(upload|job|commit)-(\d+)-(.*)$")
SHA_PART_RE = re.compile(r"^([0-9a-f]{64})-[0-9a-f]+\.part$")


class Recovery:
    """Per-server state: when this server was built (work files of this process older than that
    are a crashed server's), and an event set once the leftovers are cleaned."""

    def __init__(self, server: Server) -> None:
        self.started = time.time()
        self.done = asyncio.Event()


def recovered(server: Server) -> asyncio.Event:
    """Set once this server has cleaned what earlier (crashed) processes left."""
    return server.state(Recovery).done


@dataclass
class Leftovers:
    work: list[Path] = field(default_factory=list)
    commits: list[tuple[Path, str]] = field(default_factory=list)  # (marker, sha256)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_leftovers(store: Store, started: float) -> Leftovers:
    found = Leftovers()
    if not store.tmp.exists():
        return found
    me = os.getpid()
    for entry in store.tmp.iterdir():
        m = WORK_RE.match(entry.name)
        if m is None:
            if entry.name.startswith("upload-") and entry.name.endswith(".part"):
                found.work.append(entry)  # named by a server before work files carried a pid
            continue
        kind, pid = m.group(1), int(m.group(2))
        if pid == me:
            try:
                stale = entry.stat().st_mtime < started
            except FileNotFoundError:
                continue
        else:
            stale = not _alive(pid)
        if not stale:
            continue
        sha = SHA_PART_RE.match(m.group(3)) if kind == "commit" else None
        if sha is not None:
            found.commits.append((entry, sha.group(1)))
        else:
            found.work.append(entry)
    return found


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except FileNotFoundError:
        return False


async def recover_leftovers(server: Server) -> None:
    from docs.jobs import warm_up

    store = store_for(server.settings)
    warming = asyncio.ensure_future(asyncio.to_thread(warm_up))  # the PDF jobs' fork server
    try:
        found = await asyncio.to_thread(find_leftovers, store, server.state(Recovery).started)
        orphans = 0
        for marker, sha in found.commits:
            # The stored file is this upload's only if the marker is a link to it.
            if _same_file(marker, store.path(sha)) and not await Document.exists(sha256=sha):
                await asyncio.to_thread(store.discard, sha)
                orphans += 1
            marker.unlink(missing_ok=True)
        for path in found.work:
            await asyncio.to_thread(remove_temp, path)
        if found.work or found.commits:
            log.warning(
                "removed %d leftover work files and %d stored files without a row",
                len(found.work),
                orphans,
            )
    finally:
        recovered(server).set()
    await warming
