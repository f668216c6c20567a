"""GET /api/meetings/{id}/minutes.pdf — the minutes (biên bản), made from the database on
request: attendance (present, absent, deputies), agenda, speakers with start and duration, each
vote's result, conclusions (drafts too for staff, marked as such; published ones for others)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from agenda.models import AgendaItem
from docs.conclusions.minutes_pdf import Attendee, Minutes, PollResult, Speech, minutes_pdf
from docs.conclusions.models import Conclusion
from docs.pdfkit import ascii_initials
from meeting.actions.meetings import held_times
from meeting.config import Settings
from meeting.floor.models import SpeakingRequest
from meeting.http import current_user, server_of
from meeting.hub import Flag, MeetingContext
from meeting.jsonable import zone
from meeting.models import (
    EVERY_ROLE,
    VOTERS,
    Meeting,
    Participant,
    Role,
    User,
)
from meeting.models import (
    Response as Answer,
)
from meeting.polls.models import Poll
from meeting.polls.views import poll_view
from meeting.when import local

ROLE_LABEL = {
    Role.CHAIR: "Chủ trì",
    Role.SECRETARY: "Thư ký",
    Role.DELEGATE: "Đại biểu",
    Role.OBSERVER: "Khách mời",
    Role.POINT: "Điểm cầu",
}


def attendance_text(p: Participant, names: dict[int, str], deputy_of: dict[int, str]) -> str:
    if p.response == Answer.DELEGATED:
        sub = deputy_of.get(p.user_id)
        return f"Vắng mặt — cử {sub} dự thay" if sub else "Vắng mặt — cử người dự thay"
    here = "Có mặt" if p.present else "Vắng mặt"
    if p.substitute_for_id:
        return f"{here} (dự thay {names.get(p.substitute_for_id, '')})"
    if not p.present and p.response == Answer.DECLINED:
        return "Vắng mặt (có báo vắng)"
    return here


RANK = {Role.CHAIR: 0, Role.SECRETARY: 1, Role.DELEGATE: 2, Role.POINT: 3, Role.OBSERVER: 4}


def _attendees(parts: list[Participant], names: dict[int, str]) -> list[Attendee]:
    """Everyone invited, chair first, with how they attended. `parts` is sorted here."""
    # who attends for whom: the absent member -> their deputy's name
    deputy_of = {p.substitute_for_id: p.user.full_name for p in parts if p.substitute_for_id}
    parts.sort(key=lambda p: (RANK.get(p.role, 9), p.id))
    return [
        Attendee(
            p.user.full_name,
            p.user.title,
            ROLE_LABEL.get(p.role, str(p.role)),
            attendance_text(p, names, deputy_of),
        )
        for p in parts
    ]


async def _speeches(m: Meeting, names: dict[int, str], titles: dict[int, str]) -> list[Speech]:
    """Who spoke, on what, when and how long, in order."""
    speeches = []
    for r in await SpeakingRequest.filter(meeting=m, started_at__isnull=False).order_by(
        "started_at", "id"
    ):
        uid = r.user_id
        if uid not in names:
            names[uid] = (await User.get(id=uid)).full_name
        dur = int((r.ended_at - r.started_at).total_seconds()) if r.ended_at else None
        speeches.append(
            Speech(names[uid], titles.get(r.agenda_item_id, ""), r.topic, local(r.started_at), dur)
        )
    return speeches


def _majority_base(parts: list[Participant], settings: Settings) -> tuple[int | None, str]:
    """The majority's base (settings.vote_majority_of): every voting member (a deputy stands for
    the one they replace) — (their number, its words) — or those present when the vote closed
    (None: counted per vote)."""
    if settings.vote_majority_of == "members":
        members = sum(1 for p in parts if p.role in VOTERS and p.response != Answer.DELEGATED)
        return members, "tổng số thành viên có quyền biểu quyết"
    return None, "số thành viên có mặt"


async def _poll_results(
    m: Meeting, titles: dict[int, str], members: int | None, base_label: str
) -> list[PollResult]:
    polls = []
    for poll in await Poll.filter(meeting=m).order_by("id"):
        v = await poll_view(poll, staff=False)
        polls.append(
            PollResult(
                poll.question,
                titles.get(poll.agenda_item_id, ""),
                poll.secret,
                poll.status,
                list(poll.options),
                v["counts"],
                v["voted"],
                v["eligible"],
                base=members if members is not None else (v["eligible"] or 0),
                base_label=base_label,
            )
        )
    return polls


async def _conclusions(
    ctx: MeetingContext, items: list[AgendaItem], titles: dict[int, str]
) -> list[tuple[str, str]]:
    """(title, text) per agenda item in agenda order, the overall conclusion last."""
    conclusions = []
    rows = await Conclusion.filter(meeting=ctx.meeting)
    order = {i.id: i.position for i in items}
    rows.sort(key=lambda c: (c.agenda_item_id is None, order.get(c.agenda_item_id, 0), c.id))
    for c in rows:
        # Participants read what was published; staff read the draft, marked when it is not
        # (or no longer) what was published.
        text = (c.text if ctx.is_staff else c.published_text) or ""
        if not text.strip():
            continue
        title = titles.get(c.agenda_item_id, "")
        if ctx.is_staff and c.text != c.published_text:
            title = f"{title or 'Kết luận chung'} (dự thảo)"
        conclusions.append((title, text.strip()))
    return conclusions


def _majority_rule(members: int | None, base_label: str) -> str:
    return (
        f"Nguyên tắc: nội dung được thông qua khi số phiếu tán thành vượt quá một nửa "
        f"{base_label}"
        + (f" ({members} người)." if members is not None else " khi kết thúc biểu quyết.")
    )


async def build_minutes(ctx: MeetingContext) -> Minutes:
    """What the minutes say, read from the meeting as this caller may see it."""
    m = ctx.meeting
    settings = ctx.server.settings
    parts = await Participant.filter(meeting=m).select_related("user").order_by("id")
    names = {p.user_id: p.user.full_name for p in parts}
    chair = await User.get(id=m.chair_id)
    names.setdefault(chair.id, chair.full_name)
    attendees = _attendees(parts, names)
    items = await AgendaItem.filter(meeting=m).order_by("position", "id")
    titles = {i.id: i.title for i in items}
    members, base_label = _majority_base(parts, settings)
    started, ended = await held_times(m)
    return Minutes(
        issuing_body=settings.issuing_body,
        place=settings.issuing_place,
        number=f"Số: {m.id}/BB-{ascii_initials(settings.issuing_body)}",
        made_at=local(ctx.now),
        meeting_title=m.title,
        status=str(m.status),
        starts_at=local(m.starts_at),
        ends_at=local(m.ends_at),
        location=m.location,
        chair_name=chair.full_name,
        secretary_names=[p.user.full_name for p in parts if p.role == Role.SECRETARY],
        attendees=attendees,
        agenda=[i.title for i in items],
        speeches=await _speeches(m, names, titles),
        polls=await _poll_results(m, titles, members, base_label),
        conclusions=await _conclusions(ctx, items, titles),
        started_at=local(started) if started else None,
        ended_at=local(ended) if ended else None,
        majority_rule=_majority_rule(members, base_label),
    )


async def api_minutes(request: Request) -> Response:
    server = server_of(request)
    user = await current_user(request)
    meeting_id = int(request.path_params["meeting_id"])
    ctx = await server.hub.http_context(user, meeting_id, {*EVERY_ROLE, Flag.CREATOR}, "minutes")
    minutes = await build_minutes(ctx)
    pdf = await asyncio.to_thread(minutes_pdf, minutes)
    stamp = datetime.now(zone()).strftime("%Y%m%d")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="bien-ban-{meeting_id}-{stamp}.pdf"',
            "Cache-Control": "no-store",
        },
    )
