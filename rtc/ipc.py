"""Wire formats between the main process and its media workers (rtc/workers.py, rtc/worker.py).

Two kinds of channel:

- control (main <-> one worker): length-prefixed pickles, a few per join / switch / stats round;
  low rate, so convenience wins;
- media links (worker <-> worker, unix sockets): the main stream's encoded frames, at frame rate
  to every other worker, so a fixed binary header and no pickling. The same header carries the
  two small messages that flow the other way (key frame requests) and the greeting that tells
  the accepting side which worker connected.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# --- control channel ---------------------------------------------------------------------------

_LENGTH = struct.Struct("!I")


def write_message(writer: asyncio.StreamWriter, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_LENGTH.pack(len(data)) + data)


async def read_message(reader: asyncio.StreamReader) -> Any:
    """The next message; asyncio.IncompleteReadError when the other side is gone."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return pickle.loads(await reader.readexactly(length))


@dataclass(frozen=True)
class Route:
    """A meeting's main stream, as the main process sends it."""

    session: int  # the publishing peer's session
    user_id: Any
    worker: int  # where that peer lives
    streams: dict[str, int]  # kind -> stream id, for its live sources
    feed: tuple[int, ...]  # every worker with a peer of this meeting


# --- media links -------------------------------------------------------------------------------

# type, kind, flags, stream, timestamp, payload length
HEADER = struct.Struct("!BBBIQI")
FRAME, KEYFRAME_REQUEST, HELLO = 1, 2, 3
KINDS = ("video", "audio")
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
KEY = 0x01
# the RTP clock of each forwardable codec (VP8, Opus): fixed by their RTP payload formats
CLOCK_RATE = {"video": 90000, "audio": 48000}

MediaHandler = Callable[
    [int, str, bool, int, int, bytes], None
]  # type, kind, key, stream, ts, data


def pack_frame(stream: int, kind: str, key: bool, timestamp: int, data: bytes) -> bytes:
    return (
        HEADER.pack(FRAME, KIND_CODE[kind], KEY if key else 0, stream, timestamp, len(data)) + data
    )


def pack_keyframe_request(stream: int) -> bytes:
    return HEADER.pack(KEYFRAME_REQUEST, 0, 0, stream, 0, 0)


def pack_hello(worker: int) -> bytes:
    return HEADER.pack(HELLO, 0, 0, worker, 0, 0)


class MediaReader:
    """Splits a link's byte stream into messages (a frame may arrive in many reads)."""

    def __init__(self, on_message: MediaHandler) -> None:
        self._buffer = bytearray()
        self._on_message = on_message

    def feed(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        size, end_of_data, pos = HEADER.size, len(buffer), 0
        while end_of_data - pos >= size:
            kind_type, kind, flags, stream, timestamp, length = HEADER.unpack_from(buffer, pos)
            end = pos + size + length
            if end > end_of_data:
                break
            payload = bytes(buffer[pos + size : end])
            pos = end
            self._on_message(kind_type, KINDS[kind], bool(flags & KEY), stream, timestamp, payload)
        if pos:
            del buffer[:pos]
