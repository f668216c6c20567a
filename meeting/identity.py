"""Who is calling: argon2id passwords, random tokens stored hashed, the login limit."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from meeting.clock import Clock
from meeting.config import Settings
from meeting.errors import ActionError
from meeting.models import LoginFailure, Token, Unit, User

COOKIE_NAME = "hop_session"


class Passwords:
    """argon2id off the event loop: argon2-cffi releases the GIL while it hashes, so a bounded
    pool of threads keeps the loop serving during a login storm, and the bound (one thread per
    core) caps argon2's memory (64 MiB a hash) and leaves the loop its share of the CPU."""

    _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        # Verified against when the username is unknown, so both paths cost the same.
        self._dummy = self._hasher.hash(secrets.token_hex(8))

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self._hasher.hash, password
        )

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self._verify, password_hash or self._dummy, password
        )

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    """An initial password a person can type from a printed list."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Identity:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.passwords = Passwords(settings)

    async def login(self, username: str, password: str) -> tuple[str, User]:
        now = self.clock.now()
        since = now - timedelta(seconds=self.settings.login_window_s)
        failures = await LoginFailure.filter(username=username, at__gte=since).count()
        if failures >= self.settings.login_max_failures:
            raise ActionError("rate_limited", "Đăng nhập sai quá nhiều lần, hãy thử lại sau")
        user = await User.get_or_none(username=username)
        ok = await self.passwords.verify(user.password_hash if user else None, password)
        if not ok or user is None or not user.is_active:
            await LoginFailure.create(username=username, at=now)
            raise ActionError("unauthenticated", "Sai tên đăng nhập hoặc mật khẩu")
        await LoginFailure.filter(username=username).delete()
        return await self.issue_token(user), user

    async def issue_token(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        await Token.create(user=user, hash=token_hash(token), created_at=now, last_seen=now)
        return token

    async def user_for_token(self, token: str | None) -> User | None:
        if not token or len(token) > 200:
            return None
        return await self.user_for_hash(token_hash(token))

    async def user_for_hash(self, hashed: str) -> User | None:
        """The user of a live token (Socket.IO keeps only the hash in its session)."""
        row = await Token.get_or_none(hash=hashed, revoked_at=None).select_related("user")
        if row is None or not row.user.is_active:
            return None
        now = self.clock.now()
        if now - row.created_at > timedelta(days=self.settings.token_ttl_days):
            return None
        # Recorded at most once a minute: a token is used on every request.
        if now - row.last_seen > timedelta(minutes=1):
            await Token.filter(id=row.id).update(last_seen=now)
        return row.user

    async def revoke(self, token: str) -> None:
        await Token.filter(hash=token_hash(token)).update(revoked_at=self.clock.now())

    async def revoke_all(self, user_id: int) -> None:
        await Token.filter(user_id=user_id, revoked_at=None).update(revoked_at=self.clock.now())

    async def create_user(
        self,
        username: str,
        full_name: str,
        password: str,
        *,
        unit_id: int | None = None,
        title: str = "",
        email: str = "",
        admin: bool = False,
        organizer: bool = False,
        point: bool = False,
        must_change_password: bool = False,
    ) -> User:
        return await User.create(
            username=username,
            full_name=full_name,
            password_hash=await self.passwords.hash(password),
            unit_id=unit_id,
            title=title,
            email=email,
            is_admin=admin,
            is_organizer=organizer,
            is_point=point,
            must_change_password=must_change_password,
        )


def user_view(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "unit_id": user.unit_id,  # type: ignore[attr-defined]
        "admin": user.is_admin,
        "organizer": user.is_organizer,
        "point": user.is_point,
        "active": user.is_active,
        "must_change_password": user.must_change_password,
    }


def unit_view(unit: Unit) -> dict:
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,  # type: ignore[attr-defined]
    }


async def unit_and_descendants(unit_ids: list[int]) -> set[int]:
    """The units named and every unit below them (the tree is a few hundred rows at most)."""
    rows = await Unit.all().values_list("id", "parent_id")
    children: dict[int | None, list[int]] = {}
    for uid, parent in rows:
        children.setdefault(parent, []).append(uid)
    found: set[int] = set()
    stack = [u for u in unit_ids if any(u == r[0] for r in rows)]
    while stack:
        u = stack.pop()
        if u in found:
            continue
        found.add(u)
        stack.extend(children.get(u, []))
    return found
