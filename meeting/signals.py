"""Signals: what happened, announced after the transaction that did it committed.

A signal is a frozen dataclass; a feature subscribes with `on(SignalClass, handler)` in its
Feature (meeting/feature.py) and the handler receives `(server, signal)`. The core's own signals
are here; a feature declares its own beside its actions (FloorChanged, AgendaActivated).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Signal:
    @property
    def name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, kw_only=True)
class MeetingChanged(Signal):
    """Published, edited or cancelled."""

    meeting_id: int


@dataclass(frozen=True, kw_only=True)
class MeetingStarted(Signal):
    meeting_id: int


@dataclass(frozen=True, kw_only=True)
class MeetingEnded(Signal):
    meeting_id: int


@dataclass(frozen=True, kw_only=True)
class MeetingJoined(Signal):
    """A socket joined the meeting's pushes."""

    meeting_id: int
    user_id: int
    sid: str | None


@dataclass(frozen=True, kw_only=True)
class MeetingLeft(Signal):
    meeting_id: int
    user_id: int
    sid: str | None


@dataclass(frozen=True, kw_only=True)
class SocketDisconnected(Signal):
    sid: str
    user_id: int | None


@dataclass(frozen=True, kw_only=True)
class SeatsChanged(Signal):
    """A seat, or the meeting's connection points, changed."""

    meeting_id: int
