"""Meeting documents: storage, per-viewer stamping, presenting, notes (feature_documents); and the
documents the meeting produces — conclusions, the notice, the minutes (feature_conclusions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meeting.server import Server


def install(server: Server) -> None:
    from docs import feature_conclusions, feature_documents

    feature_documents.install(server)
    feature_conclusions.install(server)
