"""The media link framing between workers: frames survive any split of the byte stream."""

from __future__ import annotations

from rtc import ipc


def test_messages_survive_any_split() -> None:
    key = b"\x10\x02\x00\x9d\x01\x2a" + bytes(range(256)) * 40  # ~10 kB, a key frame
    stream = (
        ipc.pack_hello(3)
        + ipc.pack_frame(7, "video", True, 2**33 + 5, key)
        + ipc.pack_keyframe_request(7)
        + ipc.pack_frame(9, "audio", True, 960, b"opus")
        + ipc.pack_frame(7, "video", False, 2**33 + 3005, b"")
    )
    expected = [
        (ipc.HELLO, "video", False, 3, 0, b""),
        (ipc.FRAME, "video", True, 7, 2**33 + 5, key),
        (ipc.KEYFRAME_REQUEST, "video", False, 7, 0, b""),
        (ipc.FRAME, "audio", True, 9, 960, b"opus"),
        (ipc.FRAME, "video", False, 7, 2**33 + 3005, b""),
    ]
    for chunk in (1, 7, ipc.HEADER.size, 1000, len(stream)):
        got: list[tuple[object, ...]] = []
        reader = ipc.MediaReader(lambda *m, got=got: got.append(m))
        for i in range(0, len(stream), chunk):
            reader.feed(stream[i : i + chunk])
        assert got == expected, chunk
