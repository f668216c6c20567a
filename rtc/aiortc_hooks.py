"""Every place the relay reaches into aiortc's internals, and why.

aiortc has no public API for forwarding encoded media, so the relay needs four small hooks.
They live here, and only here, so that an aiortc upgrade breaks one module and the tests in
``tests/rtc/test_aiortc_hooks.py`` (which exercise each hook on a real loopback connection) say
which hook broke. Written against aiortc 1.16 / aioice 0.13.

1. Encoded frames in (``tap_encoded_frames``). ``RTCRtpReceiver._handle_rtp_packet`` runs on the
   event loop, re-assembles a complete frame in its jitter buffer and ``put``s
   ``(codec, JitterFrame)`` on a private ``queue.Queue`` read by a decoder thread. We swap that
   queue, per receiver, for a sink that hands the frame to the relay on the event loop. This is
   the point after the jitter buffer and before the decoder; compared with patching the
   module-level ``get_decoder`` (the probe's hook) it is per receiver (peers that really decode,
   like test clients, are untouched), costs no thread hop per frame, and nothing ever reaches the
   receiver's unbounded ``RemoteStreamTrack`` queue, so no latency can pile up there.
2. Key frame requests out (``on_keyframe_request``). ``RTCRtpSender._handle_rtcp_packet`` answers
   a PLI/FIR by calling ``self._send_keyframe()``, which only sets a flag for its encoder; with
   pre-encoded frames there is no encoder, so the request would be dropped. We replace that
   method on our senders' instances.
3. Key frame requests upstream (``send_pli``): ``RTCRtpReceiver._send_rtcp_pli`` sends a PLI to the
   publisher for its media SSRC.
4. A fast way out (``open_wire``, ``account``, ``on_nack``). aiortc's ``RTCRtpSender`` spends
   ~35 µs of Python per packet (RtpPacket objects, header extensions, four awaited layers down
   to ``sendto``). For forwarded media we build the RTP header ourselves and call the DTLS
   transport's SRTP session and the nominated ICE pair's UDP transport directly; the sender
   object stays for negotiation, RTCP (its SR reads the counters ``account`` keeps up to date)
   and NACKs (``on_nack`` routes them to our history).
5. Receiver reports in (``on_rtcp_report``): ``RTCRtpSender._handle_rtcp_packet`` reads each RR/SR
   block about its SSRC (and works out the RTT from it) and each REMB naming it, then keeps only
   stats. The layer chooser (rtc/layers.py) needs each one as it comes: we wrap that method on
   our senders' instances and hand it a Report after aiortc has done its part.
6. Opus in-band FEC (``ask_opus_fec``): a browser adds FEC to its Opus only when the answer's
   fmtp says ``useinbandfec=1``; aiortc's answer carries no Opus fmtp, and its codec list has no
   public setter, so we add the parameter to the transceiver's negotiated codecs before
   ``createAnswer`` writes them out.
7. ICE host candidates (``use_host_addresses``). aioice gathers from every interface except
   127.0.0.1; ``Connection.gather_candidates`` passes the addresses to
   ``get_component_candidates``, which we wrap per connection to use the configured list.
"""

from __future__ import annotations

import queue
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver, clock
from aiortc.codecs import is_rtx
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcdtlstransport import State
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import (
    RTCP_PSFB_APP,
    HeaderExtensions,
    HeaderExtensionsMap,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpSrPacket,
    unpack_remb_fci,
)

from .layers import Report

FrameHandler = Callable[[RTCRtpCodecParameters, JitterFrame], None]

_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"


class _FrameSink:
    """Stands in for the receiver's decoder queue.

    ``put`` is called by the receiver on the event loop: frames go straight to the relay, the
    ``None`` that stops the decoder goes to ``get`` so the (idle) decoder thread exits as before.
    """

    def __init__(self, on_frame: FrameHandler, on_end: Callable[[], None]) -> None:
        self._on_frame = on_frame
        self._on_end = on_end
        self._control: queue.Queue[None] = queue.Queue()

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is None:
            self._control.put(None)
            self._on_end()
        else:
            self._on_frame(*item)

    def get(self) -> None:
        return self._control.get()


def tap_encoded_frames(
    receiver: RTCRtpReceiver, on_frame: FrameHandler, on_end: Callable[[], None]
) -> None:
    """Route the receiver's complete encoded frames to ``on_frame`` instead of its decoder.

    Must be called before the receiver starts (i.e. before the connection is established:
    right after ``setRemoteDescription``).
    """
    if not isinstance(getattr(receiver, _DECODER_QUEUE, None), queue.Queue):
        raise RuntimeError("aiortc changed: RTCRtpReceiver has no decoder queue to tap")
    if getattr(receiver, _DECODER_THREAD, None) is not None:
        raise RuntimeError("tap_encoded_frames called after the receiver started")
    setattr(receiver, _DECODER_QUEUE, _FrameSink(on_frame, on_end))


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` when the remote end of ``sender`` sends a PLI or FIR."""
    if not callable(getattr(sender, "_send_keyframe", None)):
        raise RuntimeError("aiortc changed: RTCRtpSender has no _send_keyframe")
    sender._send_keyframe = callback  # type: ignore[method-assign]


def on_rtcp_report(
    sender: RTCRtpSender, clock_rate: int, callback: Callable[[Report], None]
) -> None:
    """Call ``callback`` with what each receiver report block and REMB about ``sender`` says."""
    original = getattr(sender, "_handle_rtcp_packet", None)
    if not callable(original) or not hasattr(sender, "_RTCRtpSender__lsr"):
        raise RuntimeError("aiortc changed: RTCRtpSender has no _handle_rtcp_packet / __lsr")

    async def handle(packet: Any) -> None:
        # the last sender report's NTP middle bits and when it left, read before aiortc's own
        # handling. The RTT is worked out per report, not aiortc's (an average with 0.85 weight
        # on the past, updated only by this stream's reports): a browser reports on video every
        # few seconds, so after a link healed that average stayed at the bad day's for a minute
        # and failed every probe as a queue building.
        lsr = getattr(sender, "_RTCRtpSender__lsr", None)
        lsr_time = getattr(sender, "_RTCRtpSender__lsr_time", None)
        await original(packet)
        ssrc = sender._ssrc
        if isinstance(packet, RtcpRrPacket | RtcpSrPacket):
            for block in packet.reports:
                if block.ssrc == ssrc:
                    rtt = None
                    if lsr is not None and lsr_time is not None and block.lsr == lsr and block.dlsr:
                        rtt = time.time() - lsr_time - block.dlsr / 65536
                    callback(
                        Report(
                            loss=block.fraction_lost / 256,
                            rtt_s=rtt,
                            jitter_s=block.jitter / clock_rate,
                            ssrc=block.ssrc,
                            highest_seq=block.highest_sequence,
                            lost_total=block.packets_lost,
                        )
                    )
        elif isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                return  # not a REMB (or a garbled one): nothing to learn
            if ssrc in ssrcs:
                callback(Report(remb_bps=float(bitrate)))

    sender._handle_rtcp_packet = handle  # type: ignore[method-assign]


async def send_pli(receiver: RTCRtpReceiver) -> bool:
    """Ask the publisher behind ``receiver`` for a key frame. False when it has sent nothing yet."""
    sources = receiver.getSynchronizationSources()
    if not sources:
        return False
    ssrc = max(sources, key=lambda s: s.timestamp).source
    await receiver._send_rtcp_pli(ssrc)
    return True


def ask_opus_fec(transceiver: RTCRtpTransceiver) -> bool:
    """Make the answer ask for Opus in-band FEC. Call between ``setRemoteDescription`` and
    ``createAnswer``. False when the transceiver negotiated no Opus."""
    codecs = getattr(transceiver, "_codecs", None)
    if not isinstance(codecs, list):
        raise RuntimeError("aiortc changed: RTCRtpTransceiver has no negotiated codec list")
    found = False
    for codec in codecs:
        if codec.mimeType.lower() == "audio/opus":
            codec.parameters["useinbandfec"] = 1
            found = True
    return found


def use_host_addresses(pc: RTCPeerConnection, hosts: list[str]) -> None:
    """Offer exactly ``hosts`` as ICE host candidates (127.0.0.1 included, unlike aioice).

    Call after the transceivers exist and before ``setLocalDescription`` (which gathers).
    """
    for connection in _ice_connections(pc):
        original = connection.get_component_candidates

        async def restricted(
            component: int, addresses: list[str], _original: Any = original, **kw: Any
        ) -> Any:
            return await _original(component=component, addresses=list(hosts), **kw)

        connection.get_component_candidates = restricted


def _ice_connections(pc: RTCPeerConnection) -> list[Any]:
    seen: dict[int, Any] = {}
    for transceiver in pc.getTransceivers():
        connection = transceiver.receiver.transport.transport.iceGatherer._connection
        seen[id(connection)] = connection
    return list(seen.values())


@dataclass
class Wire:
    """Everything needed to send RTP for one sender without going through it."""

    ssrc: int
    payload_type: int
    rtx_ssrc: int
    rtx_payload_type: int | None
    extension: bytes  # the header extension block (profile, length, mid), or b""
    protect: Callable[[bytes], bytes]  # SRTP
    _dtls: Any
    _connection: Any

    def route(self) -> tuple[Any, Any] | None:
        """(UDP transport, remote address) of the nominated ICE pair, None when not connected."""
        if self._dtls._state != State.CONNECTED:
            return None
        pair = self._connection._nominated.get(1)
        if pair is None or pair.protocol.transport is None:
            return None
        return pair.protocol.transport, pair.remote_addr


def open_wire(transceiver: RTCRtpTransceiver) -> Wire | None:
    """Call once the sender has started (its DTLS transport is connected); None if not usable."""
    sender = transceiver.sender
    dtls = sender.transport
    codecs = transceiver._codecs
    if dtls._state != State.CONNECTED or dtls._tx_srtp is None or not codecs:
        return None
    mid = getattr(sender, "_RTCRtpSender__mid", None)
    ids = getattr(sender, "_RTCRtpSender__rtp_header_extensions_map", None)
    if not isinstance(ids, HeaderExtensionsMap):
        raise RuntimeError("aiortc changed: RTCRtpSender has no header extensions map")
    profile, value = ids.set(HeaderExtensions(mid=mid))
    extension = struct.pack("!HH", profile, len(value) >> 2) + value if value else b""
    rtx = next(
        (c for c in codecs if is_rtx(c) and c.parameters.get("apt") == codecs[0].payloadType),
        None,
    )
    return Wire(
        ssrc=sender._ssrc,
        payload_type=codecs[0].payloadType,
        rtx_ssrc=sender._rtx_ssrc,
        rtx_payload_type=rtx.payloadType if rtx is not None else None,
        extension=extension,
        protect=dtls._tx_srtp.protect,
        _dtls=dtls,
        _connection=dtls.transport._connection,
    )


def account(sender: RTCRtpSender, packets: int, octets: int, rtp_timestamp: int) -> None:
    """Keep the sender's counters true, so its RTCP sender reports (and getStats) are right."""
    sender._RTCRtpSender__packet_count += packets  # type: ignore[attr-defined]
    sender._RTCRtpSender__octet_count += octets  # type: ignore[attr-defined]
    sender._RTCRtpSender__rtp_timestamp = rtp_timestamp  # type: ignore[attr-defined]
    sender._RTCRtpSender__ntp_timestamp = clock.current_ntp_time()  # type: ignore[attr-defined]


def on_nack(sender: RTCRtpSender, retransmit: Callable[[int], Awaitable[None]]) -> None:
    """NACKed sequence numbers go to ``retransmit`` (the sender's own history stays empty)."""
    if not callable(getattr(sender, "_retransmit", None)):
        raise RuntimeError("aiortc changed: RTCRtpSender has no _retransmit")
    sender._retransmit = retransmit  # type: ignore[method-assign]


def vp8_payloads(frame: bytes, picture_id: int) -> list[bytes]:
    """RTP payloads of one VP8 frame (RFC 7741 descriptor with a 15-bit picture ID), as aiortc's
    own encoder makes them."""
    return Vp8Encoder._packetize(frame, picture_id)
