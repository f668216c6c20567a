"""The halls of bench/weak_links.py (the chair too), each in a process of its own.

They are real aiortc peers that decode everything they get, and they cost far more CPU than the
server does. In the server's process, on this 2-core machine shared with other work, its one
event loop could not read its sockets as fast as packets came (one datagram per socket per loop
pass), so the kernel dropped them (UDP RcvbufErrors in the thousands per run) and healthy halls
reported loss that no link had: they stepped down, and the weak ones failed their probes. All
halls in one other process, its loop fell ~0.5 s behind: aiortc stamps a sender report's
arrival when its loop reads it, so the halls' receiver reports said 0.3-0.6 s RTT on loopback
and healthy halls never looked clean enough to climb. Halls are separate machines in the field.
A process each, the six halls outnumbered the server for the CPU (the kernel shares it by
process) and it fell behind reading the chair: so the halls run at a lower priority (``NICE``),
and the chair, whose stutter every hall would see, at the server's.

Requests over a pipe, as bench/relay.py's children: ``("offer", (user, kind))`` with kind
chair|healthy|weak|stock -> SDP; ``("accept", (user, answer))``; ``("logs", None)`` -> each
hall's decoded frames (monotonic time, width, height, pts), audio frame times and picture
restarts on a key frame; ``("quit", None)``. CLOCK_MONOTONIC is the machine's, so the times
compare with the server process's.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
from multiprocessing.connection import Connection
from typing import Any

from bench.relay_media import audio_track, light_track, video_track
from tests.rtc.browser_jitter import KeyframeRestartingBuffer, browser_like
from tests.rtc.rtc_peers import BLUE, GREEN, RED, Client

FULL_CLIP = (640, 360, 30, 800_000)
NICE = 5  # the halls' priority below the server's and the chair's


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

    def __init__(self, target: Any, nice: int = 0) -> None:
        self.conn, theirs = mp.Pipe()
        self.process = mp.get_context("spawn").Process(target=target, args=(theirs, nice))
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


class Halls:
    """Each user's peer in a child process of its own; ``call`` as a Child's, "logs" of all."""

    def __init__(self) -> None:
        self.children: dict[int, Child] = {}

    async def call(self, command: str, argument: Any = None) -> Any:
        if command == "logs":
            logs: dict[int, Any] = {}
            for child in self.children.values():
                logs.update(await child.call("logs"))
            return logs
        user = argument[0]
        if command == "offer" and user not in self.children:
            self.children[user] = Child(run, 0 if argument[1] == "chair" else NICE)
        return await self.children[user].call(command, argument)

    async def stop(self) -> None:
        await asyncio.gather(*(child.stop() for child in self.children.values()))


def run(conn: Connection, nice: int = 0) -> None:
    os.nice(nice)
    asyncio.run(_run(conn))
