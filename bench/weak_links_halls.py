"""The halls of bench/weak_links.py (the chair too), in a process of their own.

They are real aiortc peers that decode everything they get, and they cost far more CPU than the
server does: in the server's process, on this 2-core machine shared with other work, its one
event loop could not read its sockets as fast as packets came (one datagram per socket per loop
pass), so the kernel dropped them (UDP RcvbufErrors in the thousands per run) and healthy halls
reported loss that no link had: they stepped down, and the weak ones failed their probes. The
halls are elsewhere in the field, so here too.

Requests over a pipe, as bench/relay.py's children: ``("offer", (user, kind))`` with kind
chair|healthy|weak|stock -> SDP; ``("accept", (user, answer))``; ``("logs", None)`` -> each
hall's decoded frames (monotonic time, width, height, pts), audio frame times and picture
restarts on a key frame; ``("quit", None)``. CLOCK_MONOTONIC is the machine's, so the times
compare with the server process's.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from multiprocessing.connection import Connection
from typing import Any

from bench.relay_media import audio_track, light_track, video_track
from tests.rtc.browser_jitter import KeyframeRestartingBuffer, browser_like
from tests.rtc.rtc_peers import BLUE, GREEN, RED, Client

FULL_CLIP = (640, 360, 30, 800_000)


async def _run(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    clients: dict[int, Client] = {}
    buffers: dict[int, list[KeyframeRestartingBuffer]] = {}
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        reply: Any = None
        if command == "offer":
            user, kind = argument
            if kind == "chair":
                tracks = [video_track(*FULL_CLIP), light_track(), audio_track()]
                client = Client(RED, tracks=tracks)
            else:
                client = Client(GREEN if kind == "healthy" else BLUE)
            clients[user] = client
            reply = await client.offer()
            # weak halls recover from loss as a browser does, unless "stock" (aiortc's buffer)
            buffers[user] = browser_like(client.pc) if kind == "weak" else []
        elif command == "accept":
            user, answer = argument
            await clients[user].accept(answer)
        elif command == "logs":
            reply = {
                user: (c.frame_log, c.audio_log, sum(b.restarts for b in buffers[user]))
                for user, c in clients.items()
            }
        elif command == "quit":
            for client in clients.values():
                await client.close()
            conn.send(None)
            return
        conn.send(reply)


class Child:
    """The halls' process, answering (command, argument) requests over a pipe (as bench/relay.py's
    children do)."""

    def __init__(self, target: Any) -> None:
        self.conn, theirs = mp.Pipe()
        self.process = mp.get_context("spawn").Process(target=target, args=(theirs,))
        self.process.start()

    async def call(self, command: str, argument: Any = None) -> Any:
        self.conn.send((command, argument))
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.call("quit"), 20)
        except (TimeoutError, EOFError, OSError):
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()


def run(conn: Connection) -> None:
    asyncio.run(_run(conn))
