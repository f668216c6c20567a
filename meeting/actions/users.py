"""People and connection points: who am I, create, list, edit, disable, passwords."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from meeting.errors import conflict, invalid, not_found
from meeting.hub import Context, Flag, Payload, action
from meeting.identity import new_password, user_view
from meeting.models import Audit, User
from meeting.users import (
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    USERNAME_PATTERN,
    NewUser,
    check_unit,
    create_user,
)

# The payload's types say the rules of meeting/users.py, so a client learns every bad field at once.
Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
Password = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]


class Empty(Payload):
    pass


class UserCreate(Payload):
    username: Username
    password: Password
    full_name: Name
    unit_id: int | None = None
    title: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)
    point: bool = False
    organizer: bool = False
    admin: bool = False


class UserList(Payload):
    unit_id: int | None = None
    point: bool | None = None
    q: str | None = Field(default=None, max_length=100)


class UserUpdate(Payload):
    user_id: int
    full_name: Name | None = None
    unit_id: int | None = None
    title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    point: bool | None = None
    organizer: bool | None = None
    admin: bool | None = None
    active: bool | None = None


class UserId(Payload):
    user_id: int


class PasswordChange(Payload):
    old_password: str = Field(max_length=200)
    new_password: Password


async def _audit(ctx: Context, what: str, target: User, **detail: object) -> None:
    await Audit.create(
        actor=ctx.user, action=what, target=f"user:{target.id}", at=ctx.now, detail=detail
    )


@action("user:me", payload=Empty, roles={Flag.SIGNED_IN}, meeting=False)
async def me(ctx: Context, p: Empty) -> dict:
    return user_view(ctx.user)


@action("user:create", payload=UserCreate, roles={Flag.ADMIN}, meeting=False)
async def create(ctx: Context, p: UserCreate) -> dict:
    new = NewUser(**p.model_dump(exclude={"password"}))
    user = await create_user(ctx.server.identity.passwords, new, p.password)
    await _audit(ctx, "user:create", user)
    return user_view(user)


@action("user:list", payload=UserList, roles={Flag.SIGNED_IN}, meeting=False)
async def list_users(ctx: Context, p: UserList) -> list[dict]:
    query = User.all()
    if not ctx.user.is_admin:
        query = query.filter(is_active=True)
    if p.unit_id is not None:
        query = query.filter(unit_id=p.unit_id)
    if p.point is not None:
        query = query.filter(is_point=p.point)
    if p.q:
        # Vietnamese names: case-insensitive match on the full name or the username.
        matches = await query.filter(full_name__icontains=p.q).values_list("id", flat=True)
        matches += await query.filter(username__icontains=p.q).values_list("id", flat=True)
        query = User.filter(id__in=set(matches))
    users = await query.order_by("full_name", "id")
    return [user_view(u) for u in users]


@action("user:update", payload=UserUpdate, roles={Flag.ADMIN}, meeting=False)
async def update(ctx: Context, p: UserUpdate) -> dict:
    user = await User.get_or_none(id=p.user_id)
    if user is None:
        raise not_found("Không có người dùng này")
    fields = p.model_dump(exclude_unset=True, exclude={"user_id"})
    if "unit_id" in fields:
        await check_unit(p.unit_id)
    if user.id == ctx.user.id and (fields.get("active") is False or fields.get("admin") is False):
        raise conflict("Không thể tự khoá hoặc tự bỏ quyền quản trị của mình")
    renames = {
        "point": "is_point",
        "organizer": "is_organizer",
        "admin": "is_admin",
        "active": "is_active",
    }
    for key, value in fields.items():
        if value is None and key != "unit_id":
            raise invalid("Không được để trống", **{key: "required"})
        setattr(user, renames.get(key, key), value)
    await user.save()
    if fields.get("active") is False:
        await ctx.server.identity.revoke_all(user.id)
        ctx.after_commit(lambda: ctx.server.fanout.drop_sessions(user.id))
    await _audit(ctx, "user:update", user, fields=sorted(fields))
    return user_view(user)


@action("user:reset_password", payload=UserId, roles={Flag.ADMIN}, meeting=False)
async def reset_password(ctx: Context, p: UserId) -> dict:
    user = await User.get_or_none(id=p.user_id)
    if user is None:
        raise not_found("Không có người dùng này")
    password = new_password()
    user.password_hash = await ctx.server.identity.passwords.hash(password)
    user.must_change_password = True
    await user.save()
    await ctx.server.identity.revoke_all(user.id)
    ctx.after_commit(lambda: ctx.server.fanout.drop_sessions(user.id))
    await _audit(ctx, "user:reset_password", user)
    return {"user_id": user.id, "initial_password": password}


@action("user:change_password", payload=PasswordChange, roles={Flag.SIGNED_IN}, meeting=False)
async def change_password(ctx: Context, p: PasswordChange) -> dict:
    """Wrong old passwords count as login failures (a stolen session cannot guess freely); a
    change revokes every other session of the user, on every process."""
    identity = ctx.server.identity
    passwords = identity.passwords
    # The guess is recorded after the rollback (a failed action keeps nothing), so until then
    # it counts as in flight: concurrent events cannot all pass the throttle first.
    ok = await identity.check_old_password(ctx.user, p.old_password)
    uid = ctx.user.id
    if not ok:
        username = ctx.user.username
        ctx.after_failure.append(lambda: identity.record_guess(username, uid))
        raise invalid("Mật khẩu hiện tại không đúng", old_password="wrong password")
    ctx.after.insert(0, lambda: identity.guess_done(uid))
    ctx.after_failure.append(lambda: identity.guess_done(uid))
    if p.new_password == p.old_password:
        raise invalid("Mật khẩu mới phải khác mật khẩu cũ", new_password="same as old")
    ctx.user.password_hash = await passwords.hash(p.new_password)
    ctx.user.must_change_password = False
    await ctx.user.save()
    session = await ctx.server.sio.get_session(ctx.sid) if ctx.sid else {}
    keep = session.get("token_hash")
    await identity.revoke_all(ctx.user.id, keep_hash=keep)
    ctx.after_commit(lambda: ctx.server.fanout.drop_sessions(uid, keep_hash=keep))
    await _audit(ctx, "user:change_password", ctx.user)
    return user_view(ctx.user)
