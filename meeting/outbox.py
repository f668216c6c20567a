"""Each socket's outbox, bounded for the pushes that can be resumed (/api §3.4).

An emit to a meeting's room puts the encoded push in every socket's own engine.io queue and
never waits on a socket's writes: a hall on a stalled link does not hold up the other 239. Its
queue, though, would grow without end. So once a socket's queue holds SOFT_LIMIT packets,
further pushes that carry `seq` (meeting state) are dropped for that socket: what follows
supersedes them, and the first push that gets through shows the client a gap in `seq`, so it
resumes with `meeting:join {since_seq}`. Acks and pushes without `seq` are never dropped.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from engineio import packet as eio_packet

log = logging.getLogger("hop.outbox")

SOFT_LIMIT = 50  # packets waiting in one socket's queue before its state pushes are dropped


def _carries_seq(data: Any) -> bool:
    # An encoded Socket.IO event: '2["floor:state",{"meeting_id":1,...,"seq":7}]'.
    return isinstance(data, str) and data.startswith("2[") and '"seq":' in data


class OutboxServer(socketio.AsyncServer):
    dropped = 0  # pushes dropped for slow sockets, since start (for tests and diagnostics)

    async def _send_eio_packet(self, eio_sid: str, eio_pkt: eio_packet.Packet) -> None:
        socket = self.eio.sockets.get(eio_sid)
        queue = getattr(socket, "queue", None)
        if (
            queue is not None
            and queue.qsize() >= SOFT_LIMIT
            and eio_pkt.packet_type == eio_packet.MESSAGE
            and _carries_seq(eio_pkt.data)
        ):
            if self.dropped % 100 == 0:
                log.info(
                    "socket %s is %d packets behind: dropping its state pushes",
                    eio_sid,
                    queue.qsize(),
                )
            self.dropped += 1
            return
        await super()._send_eio_packet(eio_sid, eio_pkt)
