"""The main stream leaving its worker: each encoded frame sent once to every other worker that
has receivers for it (rtc/worker.py decides which, rtc/links.py carries it)."""

from __future__ import annotations

from . import ipc
from .frames import EncodedFrame
from .links import Links
from .source import Source


class Export:
    """Sends a local source's frames to other workers, once per frame per worker. A worker whose
    link is closed or behind gets nothing until the next key frame (asked for at once)."""

    def __init__(self, stream: int, source: Source, links: Links) -> None:
        self.stream = stream
        self.source = source
        self.links = links
        self.targets: tuple[int, ...] = ()
        self._waiting: set[int] = set()

    def set_targets(self, targets: tuple[int, ...]) -> None:
        new = set(targets) - set(self.targets)
        self.targets = targets
        if new and self.source.kind == "video":
            self._waiting |= new
            self.source.request_keyframe()

    def frame(self, frame: EncodedFrame) -> None:
        message = ipc.pack_frame(
            self.stream, self.source.kind, frame.keyframe, frame.timestamp, frame.data
        )
        for worker in self.targets:
            if worker in self._waiting:
                if not frame.keyframe:
                    continue
                self._waiting.discard(worker)
            if not self.links.send(worker, message) and self.source.kind == "video":
                self._waiting.add(worker)
                self.source.request_keyframe()

    def restart(self) -> None:
        """The source was unmuted: its receivers everywhere restart on a key frame."""
        if self.source.kind == "video":
            self._waiting |= set(self.targets)
