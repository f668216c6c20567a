"""Creating people: the one set of rules every way in follows — the `user:create` action, the CSV
import (meeting/http.py), `run.py user add` and the demo. A username is trimmed and must match
USERNAME_RE and be free; a full name is required; a unit must exist; a password has 8 to 200
characters and is hashed with argon2 off the event loop (identity.Passwords)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from meeting.errors import ActionError, conflict, invalid
from meeting.identity import Passwords
from meeting.models import Unit, User

USERNAME_PATTERN = r"^[a-zA-Z0-9_.\-@]{2,100}$"
USERNAME_RE = re.compile(USERNAME_PATTERN)
PASSWORD_MIN, PASSWORD_MAX = 8, 200
NAME_MAX = 200


@dataclass(frozen=True)
class NewUser:
    """Who to create (the password travels apart: it is never stored as given)."""

    username: str
    full_name: str
    unit_id: int | None = None
    title: str = ""
    email: str = ""
    admin: bool = False
    organizer: bool = False
    point: bool = False
    must_change_password: bool = False

    def normalised(self) -> NewUser:
        return replace(
            self,
            username=self.username.strip(),
            full_name=self.full_name.strip(),
            title=self.title.strip(),
            email=self.email.strip(),
        )


def check_password(password: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise invalid(
            f"Mật khẩu cần từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự", password="bad length"
        )


def form_problem(new: NewUser, taken: Collection[str] = ()) -> ActionError | None:
    """What is wrong with `new` (normalised) that needs no database: the username's form or
    its being in `taken` (e.g. earlier rows of the same import), the full name."""
    if not USERNAME_RE.match(new.username):
        return invalid(
            "Tên đăng nhập không hợp lệ (2–100 ký tự: chữ, số, . _ - @)", username="bad form"
        )
    if new.username in taken:
        return conflict(f"Tên đăng nhập {new.username} đã có")
    if not new.full_name:
        return invalid("Thiếu họ tên", full_name="required")
    for name in ("full_name", "title", "email"):
        if len(getattr(new, name)) > NAME_MAX:
            return invalid(f"Quá dài (tối đa {NAME_MAX} ký tự): {name}", **{name: "too long"})
    return None


async def check_unit(unit_id: int | None) -> None:
    """A person's unit, when named, exists (also when an administrator changes it)."""
    if unit_id is not None and not await Unit.exists(id=unit_id):
        raise invalid("Không có đơn vị này", unit_id="unknown unit")


async def check_new_user(new: NewUser) -> None:
    """Every rule, against the database too: the username is free, the unit exists."""
    if problem := form_problem(new):
        raise problem
    await check_unit(new.unit_id)
    if await User.exists(username=new.username):
        raise conflict(f"Tên đăng nhập {new.username} đã có")


async def hash_passwords(
    passwords: Passwords, people: Sequence[tuple[NewUser, str]]
) -> list[tuple[NewUser, str]]:
    """(person, password) -> (person, password hash), each password first checked. The hashes
    run concurrently in the hash pool: argon2 is slow on purpose and an import has hundreds of
    rows (and a batch hashes before its transaction opens)."""
    for _, password in people:
        check_password(password)
    hashes = await asyncio.gather(*(passwords.hash(pw) for _, pw in people))
    return [(new, h) for (new, _), h in zip(people, hashes, strict=True)]


async def store_users(hashed: Sequence[tuple[NewUser, str]]) -> list[User]:
    """Store people already checked (check_new_user; or, for a batch, form_problem against
    every taken username and check_unit) with their password hashes (hash_passwords)."""
    return [await _insert(new, password_hash) for new, password_hash in hashed]


async def create_user(passwords: Passwords, new: NewUser, password: str) -> User:
    """The one way to create one person: every rule checked, then stored."""
    new = new.normalised()
    check_password(password)
    await check_new_user(new)
    [user] = await store_users(await hash_passwords(passwords, [(new, password)]))
    return user


async def _insert(new: NewUser, password_hash: str) -> User:
    return await User.create(
        username=new.username,
        full_name=new.full_name,
        password_hash=password_hash,
        unit_id=new.unit_id,
        title=new.title,
        email=new.email,
        is_admin=new.admin,
        is_organizer=new.organizer,
        is_point=new.point,
        must_change_password=new.must_change_password,
    )
