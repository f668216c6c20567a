"""rtc:watch — a staff wall of the halls' light layers (/api §4), over the real server with
real aiortc halls (solid colours, two layers each) and a real aiortc wall."""

from __future__ import annotations

from typing import Any

from rtc.service import media_of
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import BLUE, GREEN, RED, Client, joins_with
from tests.rtc.wall_client import WallClient

LIGHT = (80, 60)


async def _hall(live: Live, mid: int, who: Any, colour: tuple[int, int, int]) -> Client:
    peer = Client(colour, light=LIGHT)
    await joins_with(live, who, mid, peer)
    return peer


async def test_the_wall_shows_each_halls_light_layer_in_order(rtc_live: Live) -> None:
    live = rtc_live
    m = await meeting_with(live, start=True, points=4)
    mid, halls = m["meeting_id"], m["points"]
    chair = await live.client(m["chair"])
    await chair.ok("meeting:join", {"meeting_id": mid})
    colours = [RED, GREEN, BLUE]
    peers = [await _hall(live, mid, who, c) for who, c in zip(halls, colours, strict=False)]
    # the fourth hall is invited but sends nothing: its tile says so
    order = [halls[2].id, halls[3].id, halls[0].id, halls[1].id]
    wall = WallClient(len(order))
    try:
        out = await chair.ok(
            "rtc:watch",
            {"meeting_id": mid, "user_ids": order, "type": "offer", "sdp": await wall.offer()},
        )
        assert out["type"] == "answer"
        assert [(t["user_id"], t["publishing"], t["layer"]) for t in out["tiles"]] == [
            (halls[2].id, True, "light"),
            (halls[3].id, False, None),
            (halls[0].id, True, "light"),
            (halls[1].id, True, "light"),
        ]
        await wall.accept(out["sdp"])
        # the three publishing halls, each its own light layer, in the order asked
        await wall.wait_tiles({0: (BLUE, LIGHT), 2: (RED, LIGHT), 3: (GREEN, LIGHT)})
        assert wall.seen[1] is None  # the silent hall's tile got nothing

        # a new page replaces the last one; an empty one ends the wall
        out = await chair.ok("rtc:watch", {"meeting_id": mid, "user_ids": []})
        assert out["tiles"] == [] and out["sdp"] is None
        room = media_of(live.server).rooms[mid]
        assert not room.walls
    finally:
        await wall.close()
        for p in peers:
            await p.close()
        await live.close_clients()


async def test_watch_refused(rtc_live: Live) -> None:
    live = rtc_live
    m = await meeting_with(live, start=True, points=2, delegates=1)
    mid, halls = m["meeting_id"], m["points"]
    chair = await live.client(m["chair"])
    delegate = await live.client(m["delegates"][0])
    hall = await live.client(halls[0])
    outsider = await live.person("diemcau", point=True)
    wall = WallClient(1)
    sdp = await wall.offer()
    try:
        for who in (delegate, hall):
            await who.error(
                "rtc:watch",
                {"meeting_id": mid, "user_ids": [halls[0].id], "type": "offer", "sdp": sdp},
                "forbidden",
            )
        err = await chair.error(
            "rtc:watch",
            {"meeting_id": mid, "user_ids": list(range(1, 18)), "type": "offer", "sdp": sdp},
            "invalid",
        )
        assert "user_ids" in err["details"]
        for stranger in (outsider.id, m["delegates"][0].id):
            err = await chair.error(
                "rtc:watch",
                {"meeting_id": mid, "user_ids": [stranger], "type": "offer", "sdp": sdp},
                "invalid",
            )
            assert "user_ids" in err["details"]
        # the offer must have one video m-line per hall
        err = await chair.error(
            "rtc:watch",
            {"meeting_id": mid, "user_ids": [h.id for h in halls], "type": "offer", "sdp": sdp},
            "invalid",
        )
        assert "sdp" in err["details"]
        err = await chair.error(
            "rtc:watch", {"meeting_id": mid, "user_ids": [halls[0].id]}, "invalid"
        )
        assert (
            not media_of(live.server).rooms.get(mid) or not media_of(live.server).rooms[mid].walls
        )
    finally:
        await wall.close()
        await live.close_clients()
