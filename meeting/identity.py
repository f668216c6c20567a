"""Who is calling: argon2id passwords, random tokens stored hashed, the login limit.

The login limit is built so that an attacker cannot turn it against the chair (whose username
every participant sees). Failures are counted per account, per client address and per browser:

- A browser that has signed in to the account before carries a device mark (the `hop_device`
  cookie: a random id and an HMAC binding it to the account under SECRET_KEY). It is never
  slowed by other clients' failures: the chair's own tablet signs in whatever strangers try.
  It loses that pass after `login_max_failures` failures of its own in the window.
- Any other client: once the account has `login_max_failures` failures in the window, each
  further try waits a backoff after the last failure (doubling from `login_backoff_s` up to
  `login_backoff_max_s`), answered 429 with `retry_after_s` — slowed, never locked for good.
- One client address with `login_address_max_failures` failures (any usernames) in the window
  gets the same backoff, whichever account it tries next.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from meeting.clock import Clock
from meeting.config import Settings
from meeting.errors import ActionError
from meeting.models import LoginFailure, Token, Unit, User

COOKIE_NAME = "hop_session"
DEVICE_COOKIE = "hop_device"


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
        # Per user: old-password checks in flight in this process (user:change_password).
        self._guessing: dict[int, int] = {}

    async def login(
        self, username: str, password: str, *, address: str = "", device: str | None = None
    ) -> tuple[str, User, str]:
        """(token, user, device mark to keep in the `hop_device` cookie). `address` is the
        client's address, `device` the mark the client sent (or None)."""
        if len(username) > 100 or len(password) > 1000:
            raise ActionError(
                "invalid", "Tên đăng nhập hoặc mật khẩu quá dài", {"username": "too long"}
            )
        now = self.clock.now()
        since = now - timedelta(seconds=self.settings.login_window_s)
        user = await User.get_or_none(username=username)
        device_id = self.known_device(user, device)
        if device_id is not None:
            own = LoginFailure.filter(username=username, device=device_id, at__gte=since)
            if await own.count() >= self.settings.login_max_failures:
                device_id = None  # a known browser that keeps guessing is a stranger again
        # The attempt is written as a failure of the account BEFORE the throttle counts (and
        # forgiven on success): concurrent guesses at one account count one another, so a burst
        # cannot all slip through between one's count and its write. It gets its address only
        # once it has failed: a province's halls may sign in through one NAT address at 07:55,
        # and their many correct logins in flight must not look like one address guessing.
        # A refused attempt is not counted.
        attempt = await LoginFailure.create(
            username=username, address="", device=device_id or "", at=now
        )
        if device_id is None:
            try:
                await self._throttle(username, address, since, now, attempt.id)
            except ActionError:
                await attempt.delete()
                raise
        ok = await self.passwords.verify(user.password_hash if user else None, password)
        if not ok or user is None or not user.is_active:
            await LoginFailure.filter(id=attempt.id).update(address=address[:64])
            # The account's failures older than the window count no more: the table stays small.
            await LoginFailure.filter(username=username, at__lt=since).delete()
            raise ActionError("unauthenticated", "Sai tên đăng nhập hoặc mật khẩu")
        # This attempt and this client's own typos are forgiven; others' failures keep counting.
        await LoginFailure.filter(id=attempt.id).delete()
        await LoginFailure.filter(username=username, address=address[:64]).delete()
        mark = self.device_mark(user.id, device_id or secrets.token_urlsafe(16))
        return await self.issue_token(user), user, mark

    async def _throttle(
        self,
        username: str,
        address: str,
        since: datetime,
        now: datetime,
        attempt: int = 0,
        in_flight: int = 0,
    ) -> None:
        """429 while the account's, or this address's, backoff runs (`attempt`: the caller's
        own row, not counted; `in_flight`: the account's guesses not yet written)."""
        checks = [
            (LoginFailure.filter(username=username), self.settings.login_max_failures, in_flight)
        ]
        if address:
            checks.append(
                (
                    LoginFailure.filter(address=address[:64]),
                    self.settings.login_address_max_failures,
                    0,
                )
            )
        for query, limit, pending in checks:
            recent = query.filter(at__gte=since).exclude(id=attempt)
            times = await recent.order_by("-at").values_list("at", flat=True)
            failures = len(times) + pending
            if failures < limit:
                continue
            wait = min(
                self.settings.login_backoff_s * 2 ** min(failures - limit, 20),
                self.settings.login_backoff_max_s,
            )
            last = now if pending or not times else times[0]
            retry = (last + timedelta(seconds=wait) - now).total_seconds()
            if retry > 0:
                raise ActionError(
                    "rate_limited",
                    "Đăng nhập sai quá nhiều lần, hãy thử lại sau",
                    {"retry_after_s": math.ceil(retry)},
                )

    async def check_old_password(self, user: User, password: str) -> bool:
        """Password change: the old password is a guess at the account's password, so it
        counts in the account's failures and obeys the same backoff (no device pass: a
        stolen session must not guess at full speed). The check stays "in flight" (counted as
        a failure) until `record_guess` (wrong: written after the action's rollback) or
        `guess_done` (right)."""
        now = self.clock.now()
        since = now - timedelta(seconds=self.settings.login_window_s)
        # Counted in flight before the first await, so each concurrent check sees the others.
        others = self._guessing.get(user.id, 0)
        self._guessing[user.id] = others + 1
        try:
            await self._throttle(user.username, "", since, now, in_flight=others)
            ok = await self.passwords.verify(user.password_hash, password)  # in the hash pool
            return ok is True  # never a truthy non-answer
        except BaseException:
            await self.guess_done(user.id)
            raise

    async def record_guess(self, username: str, user_id: int) -> None:
        try:
            await LoginFailure.create(username=username, address="", device="", at=self.clock.now())
        finally:
            await self.guess_done(user_id)

    async def guess_done(self, user_id: int) -> None:
        left = self._guessing.get(user_id, 1) - 1
        if left > 0:
            self._guessing[user_id] = left
        else:
            self._guessing.pop(user_id, None)

    def device_mark(self, user_id: int, device_id: str) -> str:
        return f"{device_id}.{self._device_mac(user_id, device_id)}"

    def known_device(self, user: User | None, mark: str | None) -> str | None:
        """The device id of a mark this server gave on a successful login to `user`."""
        if user is None or not mark or len(mark) > 200 or "." not in mark:
            return None
        device_id, mac = mark.rsplit(".", 1)
        if not device_id or len(device_id) > 40:
            return None
        good = hmac.compare_digest(mac.encode(), self._device_mac(user.id, device_id).encode())
        return device_id if good else None

    def _device_mac(self, user_id: int, device_id: str) -> str:
        msg = f"hop-device:{user_id}:{device_id}".encode()
        return hmac.new(self.settings.secret_key.encode(), msg, hashlib.sha256).hexdigest()[:32]

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

    async def revoke_all(self, user_id: int, *, keep_hash: str | None = None) -> None:
        """Revoke the user's tokens; all but `keep_hash` (the session changing its password)."""
        query = Token.filter(user_id=user_id, revoked_at=None)
        if keep_hash is not None:
            query = query.exclude(hash=keep_hash)
        await query.update(revoked_at=self.clock.now())


def user_view(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "unit_id": user.unit_id,
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
        "code": unit.code,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
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
