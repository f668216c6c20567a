"""A hall whose link stalls never slows the others, and the server does not queue without end
for it: its state pushes are dropped once its outbox is full, and when the link comes back the
gap in `seq` makes it resume (/api §3.4; meeting/outbox.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any
from urllib.parse import urlparse

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

from meeting.outbox import SOFT_LIMIT
from tests.live import Live, meeting_with


class StalledHall:
    """A Socket.IO client over a raw websocket with a tiny receive buffer, that stops reading
    when told: what a hall on a stalled commune link looks like to the server."""

    def __init__(self, url: str, token: str) -> None:
        u = urlparse(url)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect((u.hostname, u.port))
        self.proto = ClientProtocol(
            parse_uri(f"ws://{u.netloc}/socket.io/?EIO=4&transport=websocket")
        )
        self.proto.send_request(self.proto.connect())
        self._flush()
        self.token = token
        self.received: list[str] = []

    def _flush(self) -> None:
        for chunk in self.proto.data_to_send():
            self.sock.sendall(chunk)

    def send(self, text: str) -> None:
        self.proto.send_text(text.encode())
        self._flush()

    def read_until(self, found: Any, timeout: float = 20) -> str:
        """Read (blocking) until a text message satisfies found(); answer pings meanwhile."""
        self.sock.settimeout(timeout)
        while True:
            for event in self.proto.events_received():
                if isinstance(event, Frame) and event.opcode == Opcode.TEXT:
                    text = event.data.decode()
                    if text == "2":  # engine.io ping
                        self.send("3")
                        continue
                    self.received.append(text)
                    if found(text):
                        return text
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.proto.receive_data(data)
            self._flush()

    def open(self) -> None:
        self.read_until(lambda t: t.startswith("0{"))
        self.send("40" + json.dumps({"token": self.token}))
        self.read_until(lambda t: t.startswith("40"))

    def call(self, ack_id: int, event: str, data: dict[str, Any]) -> dict[str, Any]:
        self.send(f"42{ack_id}" + json.dumps([event, data]))
        text = self.read_until(lambda t: t.startswith(f"43{ack_id}["))
        return json.loads(text[len(f"43{ack_id}") :])[0]


def seqs(messages: list[str]) -> list[int]:
    out = []
    for text in messages:
        if text.startswith("42["):
            event, data = json.loads(text[2:])
            if isinstance(data, dict) and "seq" in data:
                out.append(data["seq"])
    return out


async def test_a_stalled_hall_neither_slows_the_others_nor_queues_without_end(
    clients: Live,
) -> None:
    m = await meeting_with(clients, delegates=1, points=1)
    mid = m["meeting_id"]
    fast = await clients.client(m["delegates"][0])
    await fast.ok("meeting:join", {"meeting_id": mid})
    hall = await asyncio.to_thread(StalledHall, clients.url, m["points"][0].token)
    try:
        await _stall_and_resume(clients, m, fast, hall)
    finally:
        hall.sock.close()  # else the server would wait for it at shutdown


async def _stall_and_resume(clients: Live, m: dict[str, Any], fast: Any, hall: StalledHall) -> None:
    mid, sec = m["meeting_id"], m["secretary_client"]
    await asyncio.to_thread(hall.open)
    joined = await asyncio.to_thread(hall.call, 1, "meeting:join", {"meeting_id": mid})
    assert joined["ok"]
    start_seq = joined["data"]["seq"]
    server = clients.server.sio
    dropped_before = server.dropped

    # The hall stops reading. Big changes pile up (30 KB each) until the kernel's and uvicorn's
    # buffers are full and its outbox fills; the secretary's four tablets take turns (each
    # connection has its own rate limit).
    eio_sid = next(eio for _, eio in server.manager.get_participants("/", f"u:{m['points'][0].id}"))
    outbox = server.eio.sockets[eio_sid].queue
    tablets = [sec] + [await clients.client(m["secretary"]) for _ in range(3)]
    text = "Nội dung cuộc họp được cập nhật. " * 600
    late: list[float] = []
    fast.mark()
    i = 0
    while server.dropped < dropped_before + 20:
        assert i < 600, f"the outbox never filled ({outbox.qsize()} packets)"
        t0 = time.perf_counter()
        staff = tablets[i % len(tablets)]
        await staff.ok("meeting:update", {"meeting_id": mid, "description": f"{i} {text}"})
        pushed = await fast.push(
            "meeting:updated", lambda d, i=i: d["description"].startswith(f"{i} ")
        )
        late.append(time.perf_counter() - t0)
        assert pushed["seq"] == start_seq + i + 1  # the others get every change, in order
        assert outbox.qsize() <= SOFT_LIMIT + 1  # the server holds at most its limit for the hall
        i += 1
    late.sort()
    print(
        f"{i} updates; update → the other client: p50 {late[len(late) // 2] * 1000:.0f} ms, max {late[-1] * 1000:.0f} ms"
    )
    assert late[int(len(late) * 0.95)] < 1.0

    # The link comes back: the hall reads what was kept (an ack is never dropped: its answer
    # comes after all of it), then the next change reaches it; it sees the gap and resumes.
    last = start_seq + i
    me = await asyncio.to_thread(hall.call, 9, "user:me", {})
    assert me["ok"] and outbox.qsize() == 0
    await sec.ok(
        "agenda:add", {"meeting_id": mid, "title": "Nội dung mới sau khi đường truyền trở lại"}
    )
    await asyncio.to_thread(hall.read_until, lambda t: t.startswith('42["agenda:updated"'))
    got = seqs(hall.received)
    assert got[-1] == last + 1
    gaps = [b for a, b in zip(got, got[1:], strict=False) if b > a + 1]
    assert gaps, f"no gap in {got}"
    answer = await asyncio.to_thread(
        hall.call, 2, "meeting:join", {"meeting_id": mid, "since_seq": got[-1]}
    )
    assert answer["ok"] and answer["data"]["resumed"] is True and answer["data"]["seq"] == last + 1
    first_gap = next(a for a, b in zip(got, got[1:], strict=False) if b > a + 1)
    answer = await asyncio.to_thread(
        hall.call, 3, "meeting:join", {"meeting_id": mid, "since_seq": first_gap}
    )
    data = answer["data"]
    # What it missed weighs more than the snapshot (30 KB each): the snapshot is the answer.
    assert data["resumed"] is False and data["seq"] == last + 1
    assert data["description"] == (await fast.ok("meeting:get", {"meeting_id": mid}))["description"]
