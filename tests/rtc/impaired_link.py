"""A weak link on loopback: a UDP relay between one hall and the server that holds each direction
to a rate (token bucket with a short drop-tail queue, as a real bottleneck), drops a share of
packets at random and delays the rest. Nothing leaves 127.0.0.1.

The hall's offer and the server's answer are rewritten so that each side's only candidate for
the other is a port of the relay: ``client -> [a] relay [b] -> server`` and back. ICE, DTLS,
SRTP and RTCP all pass through unchanged (the relay never reads a packet).
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field
from typing import Any

CANDIDATE = re.compile(r"^(a=candidate:\S+ \d+ udp \d+ )(127\.0\.0\.1) (\d+)( typ host.*)$", re.M)


@dataclass
class Impairment:
    rate_bps: float | None = None  # None: unlimited
    loss: float = 0.0
    delay_s: float = 0.0
    queue_s: float = 0.25  # the bottleneck's buffer, in seconds at rate_bps


@dataclass
class Direction:
    impairment: Impairment
    rng: random.Random
    busy_until: float = 0.0
    counts: dict[str, int] = field(
        default_factory=lambda: {"in": 0, "out": 0, "lost": 0, "overflow": 0}
    )

    def schedule(self, now: float, size: int) -> float | None:
        """When the packet leaves the far end (loop time), or None if the link drops it."""
        imp = self.impairment
        self.counts["in"] += 1
        if imp.loss and self.rng.random() < imp.loss:
            self.counts["lost"] += 1
            return None
        done = now
        if imp.rate_bps:
            start = max(now, self.busy_until)
            if start - now > imp.queue_s:
                self.counts["overflow"] += 1
                return None
            done = self.busy_until = start + size * 8 / imp.rate_bps
        self.counts["out"] += 1
        return done + imp.delay_s


class _Side(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Any) -> None:
        self.on_datagram = on_datagram
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.on_datagram(data, addr)


class ImpairedLink:
    """``down`` impairs server -> hall, ``up`` hall -> server."""

    def __init__(self, down: Impairment, up: Impairment | None = None, seed: int = 7) -> None:
        self.down = Direction(down, random.Random(seed))
        self.up = Direction(up or Impairment(), random.Random(seed + 1))
        self._client_addr: tuple[str, int] | None = None
        self._server_addr: tuple[str, int] | None = None
        self._a: _Side | None = None  # faces the hall
        self._b: _Side | None = None  # faces the server

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        _, self._a = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_client), local_addr=("127.0.0.1", 0)
        )
        _, self._b = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_server), local_addr=("127.0.0.1", 0)
        )

    def set(self, down: Impairment, up: Impairment | None = None) -> None:
        """Change the link (e.g. heal it) while it carries traffic."""
        self.down.impairment = down
        self.up.impairment = up or Impairment()

    def offer(self, sdp: str) -> str:
        """The hall's offer as the server should see it: the hall is at port b."""
        assert self._b is not None
        self._client_addr = _first_candidate(sdp)
        return _point_at(sdp, self._port(self._b))

    def answer(self, sdp: str) -> str:
        """The server's answer as the hall should see it: the server is at port a."""
        assert self._a is not None
        self._server_addr = _first_candidate(sdp)
        return _point_at(sdp, self._port(self._a))

    def close(self) -> None:
        for side in (self._a, self._b):
            if side is not None and side.transport is not None:
                side.transport.close()

    # --- internals -----------------------------------------------------------------------------

    @staticmethod
    def _port(side: _Side) -> int:
        assert side.transport is not None
        return side.transport.get_extra_info("sockname")[1]

    def _from_client(self, data: bytes, addr: Any) -> None:
        self._forward(self.up, self._b, self._server_addr, data)

    def _from_server(self, data: bytes, addr: Any) -> None:
        self._forward(self.down, self._a, self._client_addr, data)

    def _forward(
        self, direction: Direction, out: _Side | None, to: tuple[str, int] | None, data: bytes
    ) -> None:
        if out is None or out.transport is None or to is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        # 28: the IP and UDP headers, which the bottleneck carries too
        at = direction.schedule(now, len(data) + 28)
        if at is None:
            return
        transport = out.transport
        if at <= now:
            transport.sendto(data, to)
        else:
            loop.call_at(at, _send, transport, data, to)


def _send(transport: asyncio.DatagramTransport, data: bytes, to: tuple[str, int]) -> None:
    if not transport.is_closing():
        transport.sendto(data, to)


def _first_candidate(sdp: str) -> tuple[str, int]:
    match = CANDIDATE.search(sdp)
    if match is None:
        raise ValueError("no 127.0.0.1 host candidate in the SDP")
    return match.group(2), int(match.group(3))


def _point_at(sdp: str, port: int) -> str:
    return CANDIDATE.sub(lambda m: f"{m.group(1)}{m.group(2)} {port}{m.group(4)}", sdp)
