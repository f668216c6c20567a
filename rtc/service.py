"""The server's media: one Room per meeting with anyone connected, the sockets that own the
sessions, the rtc:main / rtc:points pushes. One per Server: the rtc Feature's state."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from meeting.floor.models import SpeakingRequest
from meeting.hub import meeting_room, staff_room
from meeting.models import Meeting
from meeting.seats import meeting_halls

from .config import RtcSettings
from .room import Room
from .room_base import Mutes
from .source import UserId
from .worker_room import WorkerRoom
from .workers import START_TIMEOUT_S, WorkerPool

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.rtc")

POINTS_INTERVAL_S = 2.0


class WallUnavailable(Exception):
    """rtc:watch where media runs in worker processes (not built there yet)."""


def media_of(server: Server) -> Media:
    """The server's media (rtc's per-server state, built with the server)."""
    return server.state(Media)


def settings_for(server: Server) -> RtcSettings:
    s = server.settings
    return RtcSettings(
        rtc_hosts=list(s.rtc_hosts) or None,  # empty: every non-loopback interface
        rtc_ice_servers=list(s.rtc_ice_servers),
        ice_timeout_s=s.rtc_ice_timeout_s,
        rtc_workers=s.rtc_workers,
    )


class Media:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.settings = settings_for(server)
        self.rooms: dict[int, Room | WorkerRoom] = {}
        self.pool: WorkerPool | None = None  # rtc_workers > 0: started with the server
        self.owners: dict[tuple[int, UserId], str | None] = {}  # (meeting, user) -> socket id
        self.wall_owners: dict[tuple[int, UserId], str | None] = {}  # the same, for walls
        # per meeting, kept while its room comes and goes (until the meeting ends)
        self.mutes: dict[int, Mutes] = {}
        self.points: dict[int, list[dict[str, Any]]] = {}  # the last rtc:points, until the end
        self._lock = asyncio.Lock()
        self._started = asyncio.Event()

    async def start(self) -> None:
        if self.settings.rtc_workers > 0 and self.pool is None:
            pool = WorkerPool(self.settings.rtc_workers, self.settings)
            await pool.start()
            self.pool = pool
            self._started.set()

    async def room(self, meeting_id: int) -> Room | WorkerRoom:
        room = self.rooms.get(meeting_id)
        if room is None:
            meeting = await Meeting.get(id=meeting_id)
            chair_id = meeting.chair_id

            muted = self.mutes.setdefault(meeting_id, {})

            def on_main(user_id: UserId | None) -> None:
                self._main_changed(meeting_id, user_id)

            if self.settings.rtc_workers > 0:
                # a join that comes while the workers are still starting waits for them
                await asyncio.wait_for(self._started.wait(), START_TIMEOUT_S)
                assert self.pool is not None
                room = WorkerRoom(
                    meeting_id, chair_id, self.settings, self.pool, on_main=on_main, muted=muted
                )
            else:
                room = Room(meeting_id, chair_id, self.settings, on_main=on_main, muted=muted)
            self.rooms[meeting_id] = room
            room.seats = await meeting_halls(meeting_id)
            room.set_main(await current_speaker(meeting_id))
        return room

    async def join(self, meeting_id: int, user_id: UserId, sid: str | None, sdp: str) -> str:
        # one join at a time per server: replacing a session must not interleave with another
        async with self._lock:
            room = await self.room(meeting_id)
            answer = await room.join(user_id, sdp)
            self.owners[(meeting_id, user_id)] = sid
            return answer

    async def watch(
        self,
        meeting_id: int,
        user_id: UserId,
        sid: str | None,
        halls: list[UserId],
        sdp: str | None,
    ) -> dict[str, Any]:
        """``user_id``'s wall (rtc:watch); no halls: it ends. The answer and each tile's layer."""
        async with self._lock:
            key = (meeting_id, user_id)
            room = self.rooms.get(meeting_id)
            if not halls:
                self.wall_owners.pop(key, None)
                if isinstance(room, Room):
                    await room.watch(user_id, [], None)
                    await self._forget_if_empty(room)
                return {"type": "answer", "sdp": None, "tiles": []}
            room = await self.room(meeting_id)
            if not isinstance(room, Room):
                raise WallUnavailable()
            answer = await room.watch(user_id, halls, sdp)
            self.wall_owners[key] = sid
            return {"type": "answer", "sdp": answer, "tiles": room.tiles(user_id)}

    async def unwatch(self, meeting_id: int, user_id: UserId, sid: str | None = None) -> None:
        key = (meeting_id, user_id)
        if key not in self.wall_owners or (sid is not None and self.wall_owners[key] != sid):
            return
        del self.wall_owners[key]
        room = self.rooms.get(meeting_id)
        if isinstance(room, Room):
            await room.watch(user_id, [], None)
            await self._forget_if_empty(room)

    async def leave(self, meeting_id: int, user_id: UserId, sid: str | None = None) -> None:
        """End the session; with ``sid``, only if that socket owns it (a newer one may)."""
        key = (meeting_id, user_id)
        if key not in self.owners or (sid is not None and self.owners[key] != sid):
            return
        del self.owners[key]
        room = self.rooms.get(meeting_id)
        if room is not None:
            await room.leave(user_id)
            await self._forget_if_empty(room)

    async def socket_gone(self, sid: str) -> None:
        for meeting_id, user_id in [k for k, owner in self.owners.items() if owner == sid]:
            await self.leave(meeting_id, user_id, sid)
        for meeting_id, user_id in [k for k, owner in self.wall_owners.items() if owner == sid]:
            await self.unwatch(meeting_id, user_id, sid)

    def floor_changed(self, meeting_id: int, speaker_id: UserId | None) -> None:
        room = self.rooms.get(meeting_id)
        if room is not None:
            room.set_main(speaker_id)

    async def seats_changed(self, meeting_id: int) -> None:
        """Someone was seated elsewhere, or a hall invited or removed: the main stream follows."""
        room = self.rooms.get(meeting_id)
        if room is not None:
            halls = await meeting_halls(meeting_id)
            if self.rooms.get(meeting_id) is room:
                room.set_seats(halls)

    async def meeting_changed(self, meeting_id: int) -> None:
        """The chair may have been replaced: the main stream follows."""
        room = self.rooms.get(meeting_id)
        if room is not None:
            meeting = await Meeting.get(id=meeting_id)
            room.set_chair(meeting.chair_id)

    async def close_room(self, meeting_id: int, *, push: bool = True) -> None:
        """The meeting ended (or the server stops: ``push`` False): every session ends, and
        with ``push`` the staff get a last rtc:points that shows each as left."""
        room = self.rooms.pop(meeting_id, None)
        self.mutes.pop(meeting_id, None)
        for key in [k for k in self.owners if k[0] == meeting_id]:
            del self.owners[key]
        for key in [k for k in self.wall_owners if k[0] == meeting_id]:
            del self.wall_owners[key]
        if room is not None:
            await room.close()
            if push:
                self._push_last(room)
        self.points.pop(meeting_id, None)  # no media after the end: nothing to show

    async def _forget_if_empty(self, room: Room | WorkerRoom) -> None:
        if (
            not room.peers
            and not room.lost
            and not room.walls
            and self.rooms.get(room.meeting_id) is room
        ):
            del self.rooms[room.meeting_id]
            await room.close()
            # no more rtc:points for this room: one now, so that the staff see who left
            self._push_last(room)

    def _push_last(self, room: Room | WorkerRoom) -> None:
        """What a room no longer in ``rooms`` has left to report (push_points no longer takes
        it, so each departure is pushed once)."""
        points = room.points([])
        if points:
            self.points[room.meeting_id] = points
            data = {"meeting_id": room.meeting_id, "points": points}
            self.server.spawn(
                self.server.emit("rtc:points", data, staff_room(room.meeting_id)), "rtc:points"
            )

    def _main_changed(self, meeting_id: int, source_id: UserId | None) -> None:
        room = self.rooms.get(meeting_id)
        speaker = room.speaker if room is not None else None
        data = {"meeting_id": meeting_id, "user_id": speaker, "source_id": source_id}
        self.server.spawn(self.server.emit("rtc:main", data, meeting_room(meeting_id)), "rtc:main")

    async def push_points(self) -> None:
        for meeting_id, room in list(self.rooms.items()):
            if room.peers or room.lost or room.departed:
                figures = await room.peer_stats()
                if self.rooms.get(meeting_id) is not room:
                    continue  # emptied or closed meanwhile: _push_last reports it
                points = room.points(figures)
                self.points[meeting_id] = points
                data = {"meeting_id": meeting_id, "points": points}
                await self.server.emit("rtc:points", data, staff_room(meeting_id))

    def snapshot(self, meeting_id: int, staff: bool) -> dict[str, Any]:
        """The snapshot's ``rtc`` part. The staff, who get rtc:points and may mute, also get
        who is muted (connected or not) and the last rtc:points entries, so that a console
        shows them at once."""
        room = self.rooms.get(meeting_id)
        part: dict[str, Any] = {
            "main": room.speaker if room is not None else None,
            "source_id": room.main if room is not None else None,
        }
        if staff:
            mutes = self.mutes.get(meeting_id, {})
            part["muted"] = {user_id: sorted(kinds) for user_id, kinds in mutes.items() if kinds}
            part["points"] = self.points.get(meeting_id, [])
        return part

    async def close(self) -> None:
        for meeting_id in list(self.rooms):
            await self.close_room(meeting_id, push=False)
        if self.pool is not None:
            pool, self.pool = self.pool, None
            self._started.clear()
            await pool.stop()


async def current_speaker(meeting_id: int) -> int | None:
    request = await SpeakingRequest.filter(
        meeting_id=meeting_id, started_at__isnull=False, ended_at__isnull=True
    ).first()
    return request.user_id if request is not None else None


async def points_service(server: Server) -> None:
    """Starts the media workers (if any); rtc:points to each meeting's staff every 2 s while
    anyone is connected; ends the media sessions, and the workers, when the server stops."""
    media = media_of(server)
    try:
        await media.start()
        while True:
            await asyncio.sleep(POINTS_INTERVAL_S)
            try:
                await media.push_points()
            except Exception:
                log.exception("rtc:points failed")
    finally:
        await media.close()
