"""What clients see of a written opinion: one shape for `opinion:added`, the acks of
`opinion:submit` and `opinion:list` (/api §3.2). Opinions are not in the snapshot: staff
list them with `opinion:list`, an author sees their own."""

from __future__ import annotations

from typing import Any

from meeting.opinions.models import Opinion


def opinion_view(o: Opinion, full_name: str) -> dict[str, Any]:
    return {
        "id": o.id,
        "meeting_id": o.meeting_id,
        "user_id": o.user_id,
        "full_name": full_name,
        "agenda_item_id": o.agenda_item_id,
        "document_id": o.document_id,
        "text": o.text,
        "created_at": o.created_at,
    }
