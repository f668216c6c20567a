"""Make an aiortc test hall's video receiver recover from loss the way a browser's does.

aiortc's video jitter buffer (aiortc/jitterbuffer.py, capacity 512) hands frames on strictly in
sequence order: ``_remove_frame`` stops at the first packet it never got. A hole that no
retransmission fills (its NACK, or every resend, lost; or the packet is older than the 128 its
NackGenerator keeps asking for) holds back every later frame, key frames included, until 512
more packets have arrived: ~20 s of the light layer. The sender can do nothing about it.

libwebrtc (every browser) does not wait on old holes: its packet buffer assembles each frame on
its own, a complete key frame is decodable whatever came before it, and once it is decoded the
older packets and their NACKs are dropped (PacketBuffer::ClearTo, NackRequester::ClearUpTo). So
a key frame (which the server sends when asked: rtc/forward.py, rtc/rtp_writer.py) restarts the
picture. ``browser_like`` gives a test client that one behaviour, nothing else: it still gets
frames only through aiortc's receiver, NACKs and PLIs as aiortc does.
"""

from __future__ import annotations

from aiortc import RTCPeerConnection
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add, uint16_gt

from rtc.frames import is_vp8_keyframe

_JITTER = "_RTCRtpReceiver__jitter_buffer"
_NACKS = "_RTCRtpReceiver__nack_generator"


def starts_keyframe(packet: RtpPacket) -> bool:
    """The first packet of a VP8 key frame (RFC 7741: S bit, partition 0; RFC 6386 frame tag)."""
    try:
        descriptor, data = VpxPayloadDescriptor.parse(packet.payload)
    except ValueError:
        return False
    return (
        bool(descriptor.partition_start)
        and descriptor.partition_id == 0
        and (is_vp8_keyframe(data))
    )


class KeyframeRestartingBuffer(JitterBuffer):
    """aiortc's video jitter buffer, except that a key frame behind a hole drops the hole."""

    def __init__(self, nacks: object) -> None:
        super().__init__(capacity=512, is_video=True)
        self._nacks = nacks
        self.restarts = 0

    def add(self, packet: RtpPacket):  # type: ignore[no-untyped-def]
        origin = self._origin
        if origin is not None and starts_keyframe(packet):
            delta = uint16_add(packet.sequence_number, -origin)
            if 0 < delta < self.capacity and self._hole_before(delta):
                self.remove(delta)  # the origin is now the key frame's first packet
                self.restarts += 1
                missing = getattr(self._nacks, "missing", None)
                if isinstance(missing, set):
                    seq = packet.sequence_number
                    missing.intersection_update({s for s in missing if uint16_gt(s, seq)})
        return super().add(packet)

    def _hole_before(self, delta: int) -> bool:
        origin = self._origin
        assert origin is not None
        return any(self._packets[(origin + i) % self.capacity] is None for i in range(delta))


def browser_like(pc: RTCPeerConnection) -> list[KeyframeRestartingBuffer]:
    """Give every video receiver of ``pc`` a key frame restarting buffer. Call before media flows
    (after createOffer / setRemoteDescription, when the transceivers exist)."""
    buffers = []
    for transceiver in pc.getTransceivers():
        receiver = transceiver.receiver
        if transceiver.kind != "video":
            continue
        if not isinstance(getattr(receiver, _JITTER, None), JitterBuffer):
            raise RuntimeError("aiortc changed: RTCRtpReceiver has no jitter buffer to replace")
        buffer = KeyframeRestartingBuffer(getattr(receiver, _NACKS, None))
        setattr(receiver, _JITTER, buffer)
        buffers.append(buffer)
    return buffers
