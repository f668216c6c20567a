"""rtc:* over the real server (Socket.IO), with real aiortc peers over loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from meeting.floor.actions import FloorChanged
from meeting.signals import SocketDisconnected
from rtc.service import media_of
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import BLUE, GREEN, RED, Client, eventually


@pytest.fixture
async def live(rtc_live: Live) -> Live:
    return rtc_live


@pytest.fixture
async def meeting(live: Live) -> AsyncIterator[dict[str, Any]]:
    m = await meeting_with(live, start=True, points=2)
    m["peers"] = []
    yield m
    for peer in m["peers"]:
        await peer.close()
    await live.close_clients()


async def hall(
    live: Live, m: dict[str, Any], who: Any, colour: tuple[int, int, int]
) -> tuple[Any, Client]:
    """Sign in, follow the meeting, send and receive media."""
    socket = await live.client(who)
    await socket.ok("meeting:join", {"meeting_id": m["meeting_id"]})
    peer = Client(colour)
    m["peers"].append(peer)
    ack = await socket.ok(
        "rtc:join", {"meeting_id": m["meeting_id"], "type": "offer", "sdp": await peer.offer()}
    )
    assert ack["type"] == "answer"
    await peer.accept(ack["sdp"])
    return socket, peer


async def test_halls_see_the_chair_then_the_floor(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, p2) = meeting["meeting_id"], meeting["points"]
    chair_socket, _ = await hall(live, meeting, meeting["chair"], RED)
    await chair_socket.push("rtc:main", lambda d: d["user_id"] == meeting["chair"].id)
    _, hall1 = await hall(live, meeting, p1, GREEN)
    hall2_socket, hall2 = await hall(live, meeting, p2, BLUE)
    await hall2.wait_colour(RED)
    await hall1.wait_colour(RED)

    snapshot = await hall2_socket.ok("meeting:get", {"meeting_id": mid})
    assert snapshot["rtc"] == {"main": meeting["chair"].id, "source_id": meeting["chair"].id}

    started = time.monotonic()
    await live.server.fire(FloorChanged(meeting_id=mid, speaker_id=p1.id))
    await hall2.wait_colour(GREEN, within=1.0)
    print(f"floor to hall 1 -> hall 2 sees it after {(time.monotonic() - started) * 1000:.0f} ms")
    await hall2_socket.push(
        "rtc:main", lambda d: d == {"meeting_id": mid, "user_id": p1.id, "source_id": p1.id}
    )

    await live.server.fire(FloorChanged(meeting_id=mid, speaker_id=None))
    await hall2.wait_colour(RED, within=1.0)
    await hall2_socket.push("rtc:main", lambda d: d["user_id"] == meeting["chair"].id)

    points = await chair_socket.push("rtc:points", lambda d: len(d["points"]) == 3, timeout=10)
    assert points["meeting_id"] == mid
    for point in points["points"]:
        assert set(point) >= {"user_id", "state", "bitrate_kbps", "loss_pct", "rtt_ms"}
    assert not hall2_socket.seen("rtc:points")  # staff only


async def test_leave_and_disconnect_end_the_session(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, p2) = meeting["meeting_id"], meeting["points"]
    await hall(live, meeting, meeting["chair"], RED)
    socket1, _ = await hall(live, meeting, p1, GREEN)
    socket2, _ = await hall(live, meeting, p2, BLUE)
    room = media_of(live.server).rooms[mid]
    assert set(room.peers) == {meeting["chair"].id, p1.id, p2.id}

    await socket1.ok("rtc:leave", {"meeting_id": mid})
    assert p1.id not in room.peers
    await socket2.close()  # the socket drops: its media session ends with it
    await eventually(lambda: p2.id not in room.peers)


async def test_second_join_replaces_the_first(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, _) = meeting["meeting_id"], meeting["points"]
    await hall(live, meeting, meeting["chair"], RED)
    old_socket, _ = await hall(live, meeting, p1, GREEN)
    first = media_of(live.server).rooms[mid].peers[p1.id]
    _, again = await hall(live, meeting, p1, GREEN)  # e.g. the kiosk reloaded
    assert first.closed and media_of(live.server).rooms[mid].peers[p1.id] is not first
    await again.wait_colour(RED)
    await old_socket.close()  # the old socket going away does not end the new session
    await live.server.fire(SocketDisconnected(sid="not-a-socket", user_id=p1.id))
    assert p1.id in media_of(live.server).rooms[mid].peers


async def test_chair_mutes_a_hall(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, _) = meeting["meeting_id"], meeting["points"]
    chair_socket, _ = await hall(live, meeting, meeting["chair"], RED)
    socket1, _ = await hall(live, meeting, p1, GREEN)
    mute = {"meeting_id": mid, "user_id": p1.id, "kind": "audio", "muted": True}
    await socket1.error("rtc:mute", mute, "forbidden")
    assert (await chair_socket.ok("rtc:mute", mute))["muted"] is True
    assert media_of(live.server).rooms[mid].peers[p1.id].sources["audio"].muted
    await chair_socket.push(
        "rtc:points",
        lambda d: any(p["user_id"] == p1.id and p["muted"] == ["audio"] for p in d["points"]),
    )
    await chair_socket.error("rtc:mute", {**mute, "kind": "screen"}, "invalid")


async def test_bad_joins(live: Live, meeting: dict[str, Any]) -> None:
    mid = meeting["meeting_id"]
    stranger = await live.client(await live.person("la"))
    peer = Client(RED)
    meeting["peers"].append(peer)
    offer = await peer.offer()
    await stranger.error(
        "rtc:join", {"meeting_id": mid, "type": "offer", "sdp": offer}, "not_found"
    )

    socket = await live.client(meeting["points"][0])
    for payload in [
        {"meeting_id": mid, "type": "offer", "sdp": "garbage"},
        {"meeting_id": mid, "type": "answer", "sdp": offer},
        {
            "meeting_id": mid,
            "type": "offer",
            "sdp": offer.replace("a=setup:actpass", "a=setup:active"),
        },
        {
            "meeting_id": mid,
            "type": "offer",
            "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
        },
        {"meeting_id": mid, "type": "offer"},
        {"meeting_id": mid, "type": "offer", "sdp": 5},
        "not an object",
    ]:
        await socket.error("rtc:join", payload, "invalid")
    assert mid not in media_of(live.server).rooms or not media_of(live.server).rooms[mid].peers


def states(points: dict[str, Any]) -> dict[int, str]:
    return {e["user_id"]: e["state"] for e in points["points"]}


def entry(points: dict[str, Any], user_id: int) -> dict[str, Any] | None:
    return next((e for e in points["points"] if e["user_id"] == user_id), None)


async def test_points_tell_left_from_lost(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, p2), chair = meeting["meeting_id"], meeting["points"], meeting["chair"].id
    console = await live.client(meeting["secretary"])
    await console.ok("meeting:join", {"meeting_id": mid})
    chair_socket, _ = await hall(live, meeting, meeting["chair"], RED)
    socket1, _ = await hall(live, meeting, p1, GREEN)
    socket2, hall2 = await hall(live, meeting, p2, BLUE)
    every = {chair: "connected", p1.id: "connected", p2.id: "connected"}
    await console.push("rtc:points", lambda d: states(d) == every, timeout=10)

    # rtc:leave: the next push says so, once
    await socket1.ok("rtc:leave", {"meeting_id": mid})
    await console.push("rtc:points", lambda d: states(d).get(p1.id) == "left")
    after = await console.push("rtc:points")
    assert p1.id not in states(after)

    # the hall's peer connection goes (its socket stays): lost, shown while it is
    await hall2.close()
    lost = await console.push("rtc:points", lambda d: states(d).get(p2.id) in ("failed", "closed"))
    again = await console.push("rtc:points")
    assert states(again)[p2.id] == states(lost)[p2.id]
    assert entry(again, p2.id)["bitrate_kbps"] == 0.0  # type: ignore[index]
    # then its socket drops: left
    await socket2.close()
    await console.push("rtc:points", lambda d: states(d).get(p2.id) == "left")

    # the last one leaves: the room is gone, and the staff are told at once (no more pushes)
    await chair_socket.ok("rtc:leave", {"meeting_id": mid})
    last = await console.push("rtc:points", lambda d: chair in states(d))
    assert states(last) == {chair: "left"}
    assert mid not in media_of(live.server).rooms
    snapshot = await console.ok("meeting:get", {"meeting_id": mid})
    assert snapshot["rtc"]["points"] == last["points"]


async def test_snapshot_has_mutes_and_the_last_points(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, _), chair = meeting["meeting_id"], meeting["points"], meeting["chair"].id
    chair_socket, _ = await hall(live, meeting, meeting["chair"], RED)
    console = await live.client(meeting["secretary"])
    snapshot = await console.ok("meeting:join", {"meeting_id": mid})
    assert snapshot["rtc"]["muted"] == {}

    # muted before hall 1 connects
    mute = {"meeting_id": mid, "user_id": p1.id, "kind": "video", "muted": True}
    await chair_socket.ok("rtc:mute", mute)
    snapshot = await console.ok("meeting:get", {"meeting_id": mid})
    assert snapshot["rtc"]["muted"] == {str(p1.id): ["video"]}  # JSON keys are strings

    socket1, _ = await hall(live, meeting, p1, GREEN)
    both = {chair: "connected", p1.id: "connected"}
    pushed = await console.push("rtc:points", lambda d: states(d) == both, timeout=10)
    assert entry(pushed, p1.id)["muted"] == ["video"]  # type: ignore[index]

    # a console that reloads: the dots at once, as last pushed
    reloaded = await live.client(meeting["secretary"])
    snapshot = await reloaded.ok("meeting:join", {"meeting_id": mid})
    points = snapshot["rtc"]["points"]
    assert {e["user_id"] for e in points} == {chair, p1.id}
    assert snapshot["rtc"]["muted"] == {str(p1.id): ["video"]}
    # the last push the server made, which may still be on its way to the first console
    await eventually(lambda: points in [d["points"] for d in console.seen("rtc:points")])

    # not for the halls (rtc:points are the staff's)
    snapshot = await socket1.ok("meeting:get", {"meeting_id": mid})
    assert snapshot["rtc"] == {"main": chair, "source_id": chair}

    # mutes outlive the room: everyone leaves, the room goes, the mute stays
    await socket1.ok("rtc:leave", {"meeting_id": mid})
    await chair_socket.ok("rtc:leave", {"meeting_id": mid})
    assert mid not in media_of(live.server).rooms
    snapshot = await console.ok("meeting:get", {"meeting_id": mid})
    assert snapshot["rtc"]["muted"] == {str(p1.id): ["video"]}
    _, again = await hall(live, meeting, p1, GREEN)
    assert media_of(live.server).rooms[mid].peers[p1.id].sources["video"].muted
    await chair_socket.ok("rtc:mute", {**mute, "muted": False})
    snapshot = await console.ok("meeting:get", {"meeting_id": mid})
    assert snapshot["rtc"]["muted"] == {}


async def test_first_report_of_a_hall_has_its_bitrate(live: Live, meeting: dict[str, Any]) -> None:
    mid, (p1, _), chair = meeting["meeting_id"], meeting["points"], meeting["chair"].id
    chair_socket, _ = await hall(live, meeting, meeting["chair"], RED)
    # just after a push, so that hall 1 connects before the next one: its first report
    await chair_socket.push("rtc:points", lambda d: states(d) == {chair: "connected"}, timeout=10)
    await hall(live, meeting, p1, GREEN)
    first = await chair_socket.push("rtc:points", lambda d: p1.id in states(d), timeout=10)
    if states(first)[p1.id] != "connected":  # a slow machine: still connecting then
        first = await chair_socket.push(
            "rtc:points", lambda d: states(d).get(p1.id) == "connected", timeout=10
        )
    assert entry(first, p1.id)["bitrate_kbps"] > 0  # type: ignore[index]
    assert mid in media_of(live.server).rooms
