"""A demo province to try the system with (/api §1): `python run.py demo`, or seeded by the
server on the first start of an empty database when the DEMO setting is on (config.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time, timedelta

from meeting.identity import Identity
from meeting.jsonable import zone
from meeting.models import (
    Meeting,
    MeetingStatus,
    Participant,
    Response,
    Role,
    Unit,
    UnitKind,
    User,
)
from meeting.users import NewUser, create_user

# A feature's part of the demo (Feature.demo, e.g. the agenda, then the documents under its
# items): fn(identity, meeting, users), in the order of the server's features.
DemoStep = Callable[[Identity, Meeting, dict[str, User]], Awaitable[None]]

log = logging.getLogger("hop.demo")

PASSWORD = "demo12345"
CHAIR = "chutich"
# The accounts the login page of a demo install offers: (username, who in vi, who in en).
SHOWN_LOGINS = [
    (CHAIR, "Chủ trì cuộc họp", "Chair"),
    ("thuky1", "Thư ký", "Secretary"),
    ("daibieu1", "Đại biểu", "Delegate"),
    ("diemcau-tinh", "Điểm cầu (hội trường)", "Connection point (hall)"),
    ("admin", "Quản trị hệ thống", "Administrator"),
]
DISTRICTS = {
    "Huyện Đông Sơn": ["Xã Đông Hòa", "Xã Đông Tiến", "Xã Đông Thanh"],
    "Huyện Tây Sơn": ["Xã Tây Bình", "Xã Tây Giang", "Thị trấn Phú Phong"],
}


class _People:
    """The demo's accounts as they are made: by username, with their logins, and who sits as a
    delegate."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.users: dict[str, User] = {}
        self.logins: list[tuple[str, str, str]] = []
        self.delegates: list[User] = []

    async def add(self, username: str, name: str, unit: Unit, who: str, **flags: bool) -> User:
        new = NewUser(username, name, unit_id=unit.id, **flags)
        user = await create_user(self.identity.passwords, new, PASSWORD)
        self.users[username] = user
        self.logins.append((username, PASSWORD, who))
        return user

    async def delegate(self, username: str, name: str, unit: Unit) -> None:
        self.delegates.append(await self.add(username, name, unit, "đại biểu / delegate"))


async def fill(identity: Identity, steps: Sequence[DemoStep]) -> list[tuple[str, str, str]]:
    """Fill an empty database; returns (username, password, who) logins."""
    if await User.exists():
        raise RuntimeError("the database is not empty: the demo fills an empty one only")
    people = _People(identity)
    province = await _province(people)
    await _districts(people, province)
    meeting = await _meeting(people)
    await _seats(meeting, people)
    for step in steps:
        await step(identity, meeting, people.users)
    return people.logins


async def _province(people: _People) -> Unit:
    """The province, its office, and the people of the provincial hall."""
    province = await Unit.create(name="Tỉnh Hòa Bình Xanh", kind=UnitKind.PROVINCE)
    office = await Unit.create(
        name="Văn phòng UBND tỉnh", kind=UnitKind.DEPARTMENT, parent=province
    )
    await people.add("admin", "Quản trị hệ thống", office, "quản trị / admin", admin=True)
    await people.add(CHAIR, "Nguyễn Văn An", province, "chủ trì / chair")
    await people.add("thuky1", "Trần Thị Bình", office, "thư ký / secretary", organizer=True)
    await people.add("thuky2", "Lê Thị Cúc", office, "thư ký / secretary", organizer=True)
    await people.add(
        "diemcau-tinh", "Điểm cầu Hội trường tỉnh", province, "điểm cầu / point", point=True
    )
    await people.delegate("daibieu1", "Phạm Văn Dũng", province)
    await people.delegate("daibieu2", "Hoàng Thị Hoa", province)
    return province


async def _districts(people: _People, province: Unit) -> None:
    """Each district with its chair (a delegate), each commune with its connection point."""
    for i, (district_name, communes) in enumerate(DISTRICTS.items(), start=1):
        district = await Unit.create(name=district_name, kind=UnitKind.DISTRICT, parent=province)
        await people.delegate(f"huyen{i}", f"Chủ tịch {district_name}", district)
        for j, commune_name in enumerate(communes, start=1):
            commune = await Unit.create(name=commune_name, kind=UnitKind.COMMUNE, parent=district)
            await people.add(
                f"diemcau-{i}{j}",
                f"Điểm cầu {commune_name}",
                commune,
                "điểm cầu / point",
                point=True,
            )


async def _meeting(people: _People) -> Meeting:
    """Tomorrow at 08:00 in the province, published."""
    tomorrow = datetime.now(zone()).date() + timedelta(days=1)
    starts = datetime.combine(tomorrow, time(8, 0), tzinfo=zone())
    return await Meeting.create(
        title="Họp UBND tỉnh thường kỳ tháng",
        description="Đánh giá tình hình kinh tế - xã hội; triển khai nhiệm vụ tháng tới.",
        location="Hội trường UBND tỉnh",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3, minutes=30),
        status=MeetingStatus.SCHEDULED,
        chair=people.users[CHAIR],
        created_by=people.users["thuky1"],
    )


async def _seats(meeting: Meeting, people: _People) -> None:
    """The chair, the two secretaries (accepted), the delegates and every connection point."""
    now = datetime.now(zone())
    users = people.users
    await Participant.create(meeting=meeting, user=users[CHAIR], role=Role.CHAIR, invited_at=now)
    for sec in ("thuky1", "thuky2"):
        await Participant.create(
            meeting=meeting,
            user=users[sec],
            role=Role.SECRETARY,
            invited_at=now,
            response=Response.ACCEPTED,
            responded_at=now,
        )
    for d in people.delegates:
        await Participant.create(meeting=meeting, user=d, role=Role.DELEGATE, invited_at=now)
    for user in users.values():
        if user.is_point:
            await Participant.create(meeting=meeting, user=user, role=Role.POINT, invited_at=now)


async def seed_if_empty(identity: Identity, steps: Sequence[DemoStep]) -> bool:
    """The server's first start on an empty database with DEMO on: fill it, log the logins."""
    if await User.exists():
        return False
    logins = await fill(identity, steps)
    log.info(
        "demo province created; logins (password %s): %s",
        PASSWORD,
        ", ".join(f"{u} ({who})" for u, _, who in logins),
    )
    return True


async def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, who vi, who en) to show on /login of a demo install (DEMO on and
    the demo's accounts present; a hash check per page view would cost ~0.1 s of CPU)."""
    if not await User.exists(username=CHAIR):
        return []
    return [(u, PASSWORD, vi, en) for u, vi, en in SHOWN_LOGINS]
