"""The main stream follows the person through their hall (/api §4, participant:seat): real
aiortc halls sending solid colours; the chair and a commune delegate send no media."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from rtc import Room, RtcSettings
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import BLUE, GREEN, RED, Client, connect

SETTINGS = RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=5.0)
CHAIR, DELEGATE, PROVINCE, COMMUNE, OTHER = 10, 11, 20, 21, 22


class Listener(Client):
    """A person at a tablet who sends nothing and only receives (recvonly m-lines)."""

    def __init__(self) -> None:
        super().__init__(RED, tracks=[])
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")


@pytest.fixture
async def halls() -> AsyncIterator[tuple[Room, list, dict[int, Client]]]:
    mains: list = []
    room = Room("m1", CHAIR, SETTINGS, on_main=mains.append)
    room.set_seats({CHAIR: PROVINCE, DELEGATE: COMMUNE})
    clients: dict[int, Client] = {}
    try:
        clients[PROVINCE] = await connect(room, PROVINCE, RED)
        clients[COMMUNE] = await connect(room, COMMUNE, GREEN)
        clients[OTHER] = await connect(room, OTHER, BLUE)
        for who in (CHAIR, DELEGATE):
            listener = clients[who] = Listener()
            await listener.accept(await room.join(who, await listener.offer()))
        yield room, mains, clients
    finally:
        for client in clients.values():
            await client.close()
        await room.close()


async def test_no_floor_every_hall_gets_the_chairs_hall(halls) -> None:
    room, _, clients = halls
    assert (room.speaker, room.main) == (CHAIR, PROVINCE)
    await clients[COMMUNE].wait_colour(RED)
    await clients[OTHER].wait_colour(RED)
    await clients[DELEGATE].wait_colour(RED)
    await clients[CHAIR].wait_colour(RED)  # the chair's tablet shows the hall the chair sits in
    # the provincial hall is itself on the main stream, and the chair's hall is itself: nothing
    assert room.peers[PROVINCE].outputs["video"].source is None


async def test_commune_delegate_speaks_from_the_commune_hall(halls) -> None:
    room, mains, clients = halls
    await clients[OTHER].wait_colour(RED)
    assert room.set_main(DELEGATE) == COMMUNE
    assert (room.speaker, room.main) == (DELEGATE, COMMUNE)
    await clients[PROVINCE].wait_colour(GREEN)  # the provincial hall sees the commune hall
    await clients[OTHER].wait_colour(GREEN)
    await clients[COMMUNE].wait_colour(RED)  # the commune hall sees the chair's hall
    assert mains[-1] == COMMUNE

    # Seated elsewhere by staff: the stream follows the person to their new hall.
    room.set_seats({CHAIR: PROVINCE, DELEGATE: OTHER})
    assert (room.speaker, room.main) == (DELEGATE, OTHER)
    await clients[PROVINCE].wait_colour(BLUE)
    await clients[OTHER].wait_colour(RED)

    # The floor ends: back to the chair's hall for everyone.
    assert room.set_main(None) == PROVINCE
    await clients[OTHER].wait_colour(RED)
    await clients[COMMUNE].wait_colour(RED)


async def test_own_media_comes_before_the_hall(halls) -> None:
    room, _, clients = halls
    await clients[DELEGATE].close()
    own = clients[DELEGATE] = await connect(room, DELEGATE, BLUE)
    room.set_main(DELEGATE)
    assert (room.speaker, room.main) == (DELEGATE, DELEGATE)
    await clients[PROVINCE].wait_colour(BLUE)
    await own.wait_colour(RED)  # the speaker gets the chair's hall


async def test_over_the_server_seats_move_the_main_stream(rtc_live: Live) -> None:
    """participant:seat while the halls are connected; the floor to a commune delegate: the
    rtc:main push names the person and the hall, and the halls see what /api §4 says."""
    live = rtc_live
    m = await meeting_with(live, start=True, points=2, delegates=1)
    mid, chair, (province, commune), (delegate,) = (
        m["meeting_id"],
        m["chair"],
        m["points"],
        m["delegates"],
    )
    sc = m["secretary_client"]
    peers: list[Client] = []

    async def join(who: Any, peer: Client) -> Any:
        socket = await live.client(who)
        await socket.ok("meeting:join", {"meeting_id": mid})
        ack = await socket.ok(
            "rtc:join", {"meeting_id": mid, "type": "offer", "sdp": await peer.offer()}
        )
        await peer.accept(ack["sdp"])
        peers.append(peer)
        return socket

    try:
        chair_socket = await join(chair, Listener())
        await join(province, red := Client(RED))
        await join(commune, green := Client(GREEN))
        delegate_socket = await join(delegate, Listener())
        chair_socket.mark()
        for who, hall in ((chair, province), (delegate, commune)):
            await sc.ok(
                "participant:seat", {"meeting_id": mid, "user_id": who.id, "hall_id": hall.id}
            )
        await chair_socket.push(
            "rtc:main", lambda d: d["user_id"] == chair.id and d["source_id"] == province.id
        )
        await green.wait_colour(RED)
        snap = await chair_socket.ok("meeting:get", {"meeting_id": mid})
        assert (snap["rtc"]["main"], snap["rtc"]["source_id"]) == (chair.id, province.id)

        request = await delegate_socket.ok("floor:request", {"meeting_id": mid})
        await chair_socket.ok("floor:grant", {"request_id": request["request_id"]})
        await chair_socket.push(
            "rtc:main", lambda d: d["user_id"] == delegate.id and d["source_id"] == commune.id
        )
        await red.wait_colour(GREEN)  # the provincial hall sees the commune hall
        await green.wait_colour(RED)  # the commune hall sees the chair's hall
    finally:
        for peer in peers:
            await peer.close()
        await live.close_clients()
