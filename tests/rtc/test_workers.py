"""Worker mode (rtc_workers > 0): peers in two worker processes, real aiortc peers over loopback.

Halls are pinned so that the main stream has to cross between workers: the chair on worker 0,
hall 1 on worker 1, hall 2 on worker 0 — so hall 2 sees hall 1 only through a link, and a switch
to hall 1 needs a key frame request to travel from worker 0 to worker 1.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from meeting.floor.actions import FloorChanged
from rtc import InvalidOffer, RtcSettings
from rtc.service import Media, media_of
from rtc.worker_room import WorkerRoom
from rtc.workers import WorkerPool
from tests.live import Live, make_settings, meeting_with, running
from tests.rtc.rtc_peers import (
    BLUE,
    CHAIR,
    GREEN,
    HALL1,
    HALL2,
    RED,
    Client,
    chair_and_two_halls,
    connect,
    eventually,
)
from tests.rtc.test_actions import hall

SETTINGS = RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=5.0, rtc_workers=2)
PLACES = {CHAIR: 0, HALL1: 1, HALL2: 0}


@pytest.fixture(scope="module")
async def pool() -> AsyncIterator[WorkerPool]:
    pool = WorkerPool(2, SETTINGS)
    await pool.start()
    yield pool
    await pool.stop()


@pytest.fixture
async def meeting(pool: WorkerPool) -> AsyncIterator[tuple[WorkerRoom, list, dict[int, Client]]]:
    mains: list[int | None] = []
    states: list[tuple[int, str]] = []
    room = WorkerRoom(
        "m1",
        CHAIR,
        SETTINGS,
        pool,
        on_main=mains.append,
        on_state=lambda u, s: states.append((u, s)),
        place=PLACES.get,
    )
    room.states = states  # type: ignore[attr-defined]  (what on_state reported, for the tests)
    async with chair_and_two_halls(room) as clients:
        yield room, mains, clients


async def test_halls_on_two_workers_see_the_chair_then_the_floor_then_the_chair(meeting) -> None:
    room, mains, clients = meeting
    assert {u: p.worker for u, p in room.peers.items()} == PLACES
    assert room.main == CHAIR and mains == [CHAIR]
    await asyncio.gather(*(clients[u].wait_colour(RED) for u in (HALL1, HALL2)))

    started = time.monotonic()
    assert room.set_main(HALL1) == HALL1
    await clients[HALL2].wait_colour(GREEN, within=1.0)  # worker 1 -> worker 0
    switch_s = time.monotonic() - started
    await clients[CHAIR].wait_colour(GREEN, within=1.0)
    assert mains == [CHAIR, HALL1]

    started = time.monotonic()
    assert room.set_main(None) == CHAIR
    await clients[HALL1].wait_colour(RED, within=1.0)  # worker 0 -> worker 1
    await clients[HALL2].wait_colour(RED, within=1.0)
    assert mains == [CHAIR, HALL1, CHAIR]
    print(
        f"switch across workers: {switch_s * 1000:.0f} ms, back: "
        f"{(time.monotonic() - started) * 1000:.0f} ms"
    )


async def test_audio_crosses_workers_but_not_back_to_the_speaker(meeting) -> None:
    _, _, clients = meeting
    await eventually(lambda: clients[HALL1].audio_frames >= 10)  # chair's audio, from worker 0
    await eventually(lambda: clients[HALL2].audio_frames >= 10)
    before = clients[CHAIR].audio_frames
    await clients[HALL1].wait_frames(10)
    assert clients[CHAIR].audio_frames == before  # the chair is the main: nothing comes back


async def test_stats_are_gathered_from_both_workers(meeting) -> None:
    room, _, clients = meeting
    room.mute(HALL2, "audio", True)
    await clients[HALL1].wait_colour(RED)
    async with asyncio.timeout(10):
        while True:
            figures = {f["user_id"]: f for f in await room.stats()}
            # the chair, on the main stream, is sent nothing back: its RTT is unknown
            if len(figures) == 3 and all(
                f["bitrate_kbps"] > 0 and (f["rtt_ms"] is not None or u == CHAIR)
                for u, f in figures.items()
            ):
                break
            await clients[HALL1].wait_frames(5)
    assert {u: f["state"] for u, f in figures.items()} == dict.fromkeys(PLACES, "connected")
    assert figures[HALL2]["muted"] == ["audio"] and figures[HALL1]["muted"] == []


async def test_muted_main_video_resumes_on_the_other_worker(meeting) -> None:
    room, _, clients = meeting
    room.set_main(HALL1)
    await clients[HALL2].wait_colour(GREEN)
    room.mute(HALL1, "video", True)
    audio = clients[HALL2].audio_frames
    await eventually(lambda: clients[HALL2].audio_frames >= audio + 25)  # ~0.5 s, audio flows
    frames = clients[HALL2].frames
    await eventually(lambda: clients[HALL2].audio_frames >= audio + 50)
    assert clients[HALL2].frames - frames <= 2  # video stopped (a frame may have been in flight)
    room.mute(HALL1, "video", False)
    await clients[HALL2].wait_frames(5, within=2.0)


async def test_bad_offer_is_invalid_across_the_process_boundary(pool: WorkerPool) -> None:
    room = WorkerRoom("m3", CHAIR, SETTINGS, pool)
    with pytest.raises(InvalidOffer):
        await room.join(HALL1, "garbage")
    assert room.peers == {} and pool.sessions == {}
    await room.close()


async def test_a_dead_worker_drops_its_halls_and_is_replaced(meeting, pool: WorkerPool) -> None:
    room, _, clients = meeting
    states = room.states
    await clients[HALL2].wait_colour(RED)
    victim = pool.workers[1].pid
    assert victim is not None
    os.kill(victim, signal.SIGKILL)  # hall 1's worker
    await eventually(lambda: HALL1 not in room.peers, within=5)
    assert room.lost == {HALL1: "failed"} and (HALL1, "failed") in states
    assert room.main == CHAIR
    await eventually(lambda: pool.is_ready(1) and pool.workers[1].pid != victim, within=30)
    # hall 1 rejoins (on the new worker 1) and takes the floor again
    await clients[HALL1].close()
    clients[HALL1] = await connect(room, HALL1, GREEN)
    assert room.peers[HALL1].worker == 1
    room.set_main(HALL1)
    await clients[HALL2].wait_colour(GREEN, within=2.0)


async def test_media_starts_and_stops_the_workers_with_the_server() -> None:
    server = SimpleNamespace(settings=make_settings(rtc_hosts=["127.0.0.1"], rtc_workers=1))
    media = Media(server)  # type: ignore[arg-type]
    await media.start()
    assert media.pool is not None
    (pid,) = media.pool.pids()
    processes = list(media.pool.workers.values())
    await media.close()
    assert media.pool is None and not any(w.process.is_alive() for w in processes)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def build_with_workers(settings: Any, **kw: Any) -> Any:
    """The real server, its media set to 2 workers (meeting.config has no rtc_workers field)."""
    from run import build_server

    server = build_server(settings, **kw)
    media = media_of(server)
    media.settings = replace(media.settings, rtc_workers=2)
    return server


async def test_the_server_in_worker_mode_switches_with_the_floor() -> None:
    async with running(make_settings(rtc_hosts=["127.0.0.1"]), build=build_with_workers) as live:
        m = await meeting_with(live, start=True, points=2)
        m["peers"] = []
        try:
            await server_flow(live, m)
        finally:
            for peer in m["peers"]:
                await peer.close()


async def server_flow(live: Live, m: dict[str, Any]) -> None:
    mid, (p1, p2) = m["meeting_id"], m["points"]
    chair_socket, _ = await hall(live, m, m["chair"], RED)
    _, hall1 = await hall(live, m, p1, GREEN)
    hall2_socket, hall2 = await hall(live, m, p2, BLUE)
    room = media_of(live.server).rooms[mid]
    assert isinstance(room, WorkerRoom)
    assert {p.worker for p in room.peers.values()} == {0, 1}  # least loaded: spread over both
    await hall2.wait_colour(RED)
    await hall1.wait_colour(RED)

    await live.server.fire(FloorChanged(meeting_id=mid, speaker_id=p1.id))
    await hall2.wait_colour(GREEN, within=1.0)
    await hall2_socket.push(
        "rtc:main", lambda d: d == {"meeting_id": mid, "user_id": p1.id, "source_id": p1.id}
    )
    await live.server.fire(FloorChanged(meeting_id=mid, speaker_id=None))
    await hall2.wait_colour(RED, within=1.0)

    points = await chair_socket.push("rtc:points", lambda d: len(d["points"]) == 3, timeout=10)
    assert {p["state"] for p in points["points"]} == {"connected"}
