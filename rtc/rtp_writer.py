"""Sends a receiver's RTP straight to its SRTP session and UDP socket (see aiortc_hooks, hook 4).

Per packet: one struct.pack for the header, SRTP, sendto. The payloads are packetized once per
source frame and shared by every receiver; the history keeps references to them for NACKs.
"""

from __future__ import annotations

import logging
import random
import struct
import time
from collections.abc import Callable

from aiortc import RTCRtpSender
from aiortc.utils import uint16_gt

from . import aiortc_hooks as hooks

log = logging.getLogger(__name__)

HEADER = struct.Struct("!BBHII")
SEQ = struct.Struct("!H")
HISTORY = 128  # packets kept per receiver for retransmission (as aiortc)
# A NACKed packet is resent at most RTX_TRIES times, RTX_GAP_S apart. Receivers NACK every gap
# they still have with each new packet: answering each of those (as at first) fed the very
# overflow that lost them, ~900 packets/s into a 300 kbit/s link. A few tries a round trip
# apart still fill the holes a 5 % loss leaves (a lost retransmission is asked for again).
RTX_TRIES = 3
RTX_GAP_S = 0.15
# A hole no resend can fill any more (the packet has left the history, or every try was NACKed
# again a round trip later) leaves the receiver's picture stuck until a key frame: ask for one
# at once, as a receiver would after its own timeout (libwebrtc: seconds), at most this often
# per receiver. Holes before the last key frame sent do not count: it already restarted them.
KEY_AFTER_LOSS_S = 1.0
# A receiver whose socket has this much unsent data is lagging: it drops to the next key frame.
MAX_BUFFERED = 256 * 1024
# Audio first (/api §4): audio goes out until twice that, so on a short link the video of a
# hall is dropped before its audio (both share the hall's one bundled socket).
MAX_BUFFERED_AUDIO = 2 * MAX_BUFFERED


class RtpWriter:
    def __init__(self, wire: hooks.Wire, sender: RTCRtpSender, kind: str = "video") -> None:
        self.wire = wire
        self.max_buffered = MAX_BUFFERED_AUDIO if kind == "audio" else MAX_BUFFERED
        self.sender = sender
        self._seq = random.getrandbits(15)  # lower half: no early wrap (see aiortc)
        self._rtx_seq = random.getrandbits(15)
        self._origin = random.getrandbits(32)
        self._first = 0x90 if wire.extension else 0x80  # version 2, extension bit
        self._history: list[tuple[int, int, int, bytes] | None] = [None] * HISTORY
        self._resent: dict[int, tuple[float, int]] = {}  # seq -> (last resent, tries)
        # Audio first: for a hall on a short link (set by the room), each audio packet is sent
        # twice, the copy one packet later. No RTX for audio, and a receiver's jitter buffer
        # may lose more than the packet it never got (aiortc's: up to 4 frames per hole).
        self.redundant = False
        self._previous: bytes | None = None
        # called when the receiver has a hole that cannot be filled (the track asks its source
        # for a key frame); rate-limited by KEY_AFTER_LOSS_S
        self.on_unrecoverable: Callable[[], None] | None = None
        self.unrecoverable = 0
        self._asked_key = -1e9
        self._key_seq: int | None = None  # first packet of the last key frame sent
        hooks.on_nack(sender, self.retransmit)

    def write(self, payloads: list[bytes], pts: int, key: bool = False) -> bool:
        """Send one frame. False when the receiver cannot take it (not connected, lagging)."""
        route = self.wire.route()
        if route is None:
            return False
        transport, addr = route
        if transport.get_write_buffer_size() > self.max_buffered:
            return False
        wire, history, pack, first = self.wire, self._history, HEADER.pack, self._first
        protect, sendto, ext = wire.protect, transport.sendto, wire.extension
        pt, ssrc = wire.payload_type, wire.ssrc
        timestamp = (self._origin + pts) & 0xFFFFFFFF
        seq = self._seq
        if key:
            self._key_seq = seq
        last = len(payloads) - 1
        octets = 0
        for i, payload in enumerate(payloads):
            second = pt | 0x80 if i == last else pt  # marker: the frame's last packet
            history[seq % HISTORY] = (seq, timestamp, second, payload)
            data = protect(pack(first, second, seq, timestamp, ssrc) + ext + payload)
            sendto(data, addr)
            octets += len(payload)
            seq = (seq + 1) & 0xFFFF
        self._seq = seq
        if self.redundant:
            # the previous packet again, one packet later: a loss must take both copies (the
            # same SRTP bytes: the receiver's replay check drops the copy it does not need)
            if self._previous is not None:
                sendto(self._previous, addr)
            self._previous = data
        hooks.account(self.sender, len(payloads), octets, timestamp)
        return True

    async def retransmit(self, seq: int) -> None:
        entry = self._history[seq % HISTORY]
        route = self.wire.route()
        if route is None:
            return
        now = time.monotonic()
        key = self._key_seq
        if key is not None and uint16_gt(key, seq):
            # Before the last key frame sent: the receiver's picture restarts there, and after a
            # layer switch (made on the new layer's key frame) it is the layer left. Resent, it
            # only fills a short link just stepped down (a kiosk lost its picture, then went to
            # audio, with the full layer's holes resent onto its 300 kbit/s).
            return
        if entry is None or entry[0] != seq:
            self._lost(seq, now)  # gone from the history
            return
        wire = self.wire
        if wire.rtx_payload_type is None:
            return  # resending the same SRTP index is refused by libsrtp: RTX is the way
        last, tries = self._resent.get(seq, (-1e9, 0))
        if tries >= RTX_TRIES:
            if now - last >= 2 * RTX_GAP_S:  # still missing after the last try's round trip
                self._lost(seq, now)
            return
        if now - last < RTX_GAP_S:
            return
        if len(self._resent) > HISTORY:
            self._resent = {k: v for k, v in self._resent.items() if now - v[0] < 1.0}
        self._resent[seq] = (now, tries + 1)
        _, timestamp, second, payload = entry
        rtx_second = (second & 0x80) | wire.rtx_payload_type
        header = HEADER.pack(self._first, rtx_second, self._rtx_seq, timestamp, wire.rtx_ssrc)
        self._rtx_seq = (self._rtx_seq + 1) & 0xFFFF
        transport, addr = route
        transport.sendto(wire.protect(header + wire.extension + SEQ.pack(seq) + payload), addr)

    def _lost(self, seq: int, now: float) -> None:
        key = self._key_seq
        if key is not None and uint16_gt(key, seq):
            return  # before the last key frame: that frame restarted the receiver's picture
        self.unrecoverable += 1
        if self.on_unrecoverable is not None and now - self._asked_key >= KEY_AFTER_LOSS_S:
            self._asked_key = now
            self.on_unrecoverable()
