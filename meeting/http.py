"""HTTP API of the core (PROTOCOL §2): login, logout, health, user import; and the helpers
every HTTP endpoint uses to find the caller and answer errors in the one shape."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.connection import connections
from tortoise.transactions import in_transaction

from meeting.errors import ActionError
from meeting.identity import COOKIE_NAME, new_password, user_view
from meeting.jsonable import jsonable
from meeting.models import Audit, Unit, User

if TYPE_CHECKING:
    from meeting.server import Server

USERNAME_RE = re.compile(r"^[a-zA-Z0-9_.\-@]{2,100}$")
IMPORT_HEADER = ["username", "full_name", "unit_id", "title", "point", "organizer"]
TRUE_WORDS = {"1", "true", "yes", "x", "có", "co"}
FALSE_WORDS = {"", "0", "false", "no", "không", "khong"}


def server_of(request: Request) -> Server:
    return request.app.state.server


def request_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE_NAME)


async def current_user(request: Request) -> User:
    user = await server_of(request).identity.user_for_token(request_token(request))
    if user is None:
        raise ActionError("unauthenticated", "Cần đăng nhập")
    return user


def error_response(exc: ActionError) -> JSONResponse:
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return JSONResponse(body, status_code=exc.status)


async def action_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ActionError)
    return error_response(exc)


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except Exception:
        raise ActionError("invalid", "Body must be JSON", {"body": "not JSON"}) from None
    if not isinstance(body, dict):
        raise ActionError("invalid", "Body must be a JSON object", {"body": "not an object"})
    return body


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=server_of(request).settings.token_ttl_days * 86400,
    )


async def api_login(request: Request) -> Response:
    body = await json_body(request)
    username, password = body.get("username"), body.get("password")
    bad = {
        k: "required string" for k in ("username", "password") if not isinstance(body.get(k), str)
    }
    if bad:
        raise ActionError("invalid", "username and password are required", bad)
    token, user = await server_of(request).identity.login(username, password)  # type: ignore[arg-type]
    response = JSONResponse({"token": token, "user": jsonable(user_view(user))})
    # The web client lives on the HttpOnly cookie; other clients use the bearer token.
    set_session_cookie(response, request, token)
    return response


async def api_logout(request: Request) -> Response:
    user = await current_user(request)
    token = request_token(request)
    assert token is not None
    await server_of(request).identity.revoke(token)
    await server_of(request).fanout.drop_sessions(user.id, token)
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE_NAME)
    return response


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return JSONResponse({"ok": False}, status_code=503)
    return JSONResponse({"ok": True})


def _flag(value: str) -> bool | None:
    v = value.strip().lower()
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    return None


async def api_users_import(request: Request) -> Response:
    """CSV import (PROTOCOL §2). Rows are numbered as a spreadsheet shows them (header = 1).
    A refused row stores nothing; the others are created."""
    server = server_of(request)
    admin = await current_user(request)
    if not admin.is_admin:
        raise ActionError("forbidden", "Chỉ quản trị viên được nhập người dùng")
    form = await request.form(max_files=1)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ActionError("invalid", "Thiếu tệp CSV (trường file)", {"file": "required"})
    raw = await upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(
            "invalid", "Tệp phải là CSV mã hoá UTF-8", {"file": "not UTF-8"}
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if header != IMPORT_HEADER:
        raise ActionError(
            "invalid",
            "Dòng tiêu đề phải là: " + ",".join(IMPORT_HEADER),
            {"file": "bad header"},
        )
    unit_ids = set(await Unit.all().values_list("id", flat=True))
    existing = set(await User.all().values_list("username", flat=True))
    accepted: list[tuple[int, dict[str, Any]]] = []
    refused: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        reason = None
        if len(row) != len(IMPORT_HEADER):
            reason = f"cần {len(IMPORT_HEADER)} cột, có {len(row)}"
        else:
            username, full_name, unit, title, point, organizer = (c.strip() for c in row)
            p_flag, o_flag = _flag(point), _flag(organizer)
            if not USERNAME_RE.match(username):
                reason = "tên đăng nhập không hợp lệ (2–100 ký tự: chữ, số, . _ - @)"
            elif username in existing or username in seen:
                reason = f"tên đăng nhập {username} đã có"
            elif not full_name:
                reason = "thiếu họ tên"
            elif unit and (not unit.isdigit() or int(unit) not in unit_ids):
                reason = f"không có đơn vị {unit}"
            elif p_flag is None or o_flag is None:
                reason = "cột point/organizer phải là 0 hoặc 1"
        if reason:
            refused.append({"row": line_no, "reason": reason})
            continue
        seen.add(username)
        accepted.append(
            (
                line_no,
                {
                    "username": username,
                    "full_name": full_name,
                    "unit_id": int(unit) if unit else None,
                    "title": title,
                    "point": bool(p_flag),
                    "organizer": bool(o_flag),
                },
            )
        )
    # Hash off the event loop: argon2 is deliberately slow and a province has hundreds of rows.
    passwords = [new_password() for _ in accepted]
    hashes = await asyncio.gather(*(server.identity.passwords.hash(pw) for pw in passwords))
    created = []
    async with in_transaction():
        for (_, row), pw, h in zip(accepted, passwords, hashes, strict=True):
            await User.create(
                username=row["username"],
                full_name=row["full_name"],
                unit_id=row["unit_id"],
                title=row["title"],
                is_point=row["point"],
                is_organizer=row["organizer"],
                password_hash=h,
                must_change_password=True,
            )
            created.append({"username": row["username"], "initial_password": pw})
        await Audit.create(
            actor=admin,
            action="user:import",
            at=server.clock.now(),
            detail={"created": len(created), "refused": len(refused)},
        )
    return JSONResponse({"created": created, "refused": refused})


def routes() -> list[Route]:
    return [
        Route("/api/login", api_login, methods=["POST"]),
        Route("/api/logout", api_logout, methods=["POST"]),
        Route("/api/users/import", api_users_import, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
