"""HTTP API of the core (/api §2): login, logout, health, user import; and the helpers
every HTTP endpoint uses to find the caller, refuse cross-site requests, and answer errors in
the one shape."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise.connection import connections
from tortoise.transactions import in_transaction

from meeting.errors import ActionError
from meeting.identity import COOKIE_NAME, DEVICE_COOKIE, new_password, user_view
from meeting.jsonable import jsonable
from meeting.models import Audit, Unit, User
from meeting.unit_lookup import UnitLookup
from meeting.users import NewUser, form_problem, hash_passwords, store_users

if TYPE_CHECKING:
    from meeting.server import Server

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


async def current_user(request: Request, *, before_password_change: bool = False) -> User:
    """The caller. A user who must still change the initial password may only sign out and load
    the app (which shows the change form) — over HTTP as over Socket.IO."""
    user = await server_of(request).identity.user_for_token(request_token(request))
    if user is None:
        raise ActionError("unauthenticated", "Cần đăng nhập")
    if user.must_change_password and not before_password_change:
        raise ActionError(
            "forbidden", "Hãy đổi mật khẩu ban đầu trước", {"must_change_password": True}
        )
    return user


def client_address(request: Request) -> str:
    """The client's address as uvicorn gives it (behind a proxy: run uvicorn with
    --proxy-headers and --forwarded-allow-ips so this is the real client)."""
    return request.client.host if request.client else ""


def error_response(exc: ActionError) -> JSONResponse:
    headers = {}
    if exc.code == "rate_limited" and "retry_after_s" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after_s"])
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


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


def set_session_cookie(
    response: Response, request: Request, token: str, device: str | None = None
) -> None:
    """The session cookie, and the device mark that lets this browser sign in to the same
    account while strangers' failures throttle others (identity.py)."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=server_of(request).settings.token_ttl_days * 86400,
    )
    if device is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=365 * 86400,
        )


async def sign_in(request: Request, username: str, password: str) -> tuple[str, User, str]:
    """Login with the throttle's view of the client: its address and its device mark."""
    return await server_of(request).identity.login(
        username,
        password,
        address=client_address(request),
        device=request.cookies.get(DEVICE_COOKIE),
    )


async def api_login(request: Request) -> Response:
    body = await json_body(request)
    username, password = body.get("username"), body.get("password")
    bad = {
        k: "required string" for k in ("username", "password") if not isinstance(body.get(k), str)
    }
    if bad:
        raise ActionError("invalid", "username and password are required", bad)
    token, user, device = await sign_in(request, username, password)  # type: ignore[arg-type]
    response = JSONResponse({"token": token, "user": jsonable(user_view(user))})
    # The web client lives on the HttpOnly cookie; other clients use the bearer token.
    set_session_cookie(response, request, token, device)
    return response


async def api_logout(request: Request) -> Response:
    user = await current_user(request, before_password_change=True)
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
    """CSV import (/api §2). Rows are numbered as a spreadsheet shows them (header = 1).
    A refused row stores nothing; the others are created, by the rules of meeting/users.py,
    each with an initial password to change at the first login."""
    server = server_of(request)
    admin = await current_user(request)
    if not admin.is_admin:
        raise ActionError("forbidden", "Chỉ quản trị viên được nhập người dùng")
    rows = await _import_rows(request)
    accepted, refused = await _sort_rows(rows)
    people = [(person, new_password()) for person in accepted]
    hashed = await hash_passwords(server.identity.passwords, people)
    async with in_transaction():
        users = await store_users(hashed)
        detail = {"created": len(users), "refused": len(refused)}
        await Audit.create(actor=admin, action="user:import", at=server.clock.now(), detail=detail)
    created = [{"username": new.username, "initial_password": pw} for new, pw in people]
    return JSONResponse({"created": created, "refused": refused})


async def _import_rows(request: Request) -> Iterator[tuple[int, list[str]]]:
    """The uploaded CSV's rows after its header, numbered as a spreadsheet shows them."""
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
    return enumerate(reader, start=2)


async def _sort_rows(
    rows: Iterable[tuple[int, list[str]]],
) -> tuple[list[NewUser], list[dict[str, Any]]]:
    """(people to create, refused rows as {"row", "reason"}); blank rows are skipped."""
    find_unit = UnitLookup(await Unit.all().values_list("id", "name", "code"))
    taken = set(await User.all().values_list("username", flat=True))
    accepted: list[NewUser] = []
    refused: list[dict[str, Any]] = []
    for line_no, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        person = _import_row(row, find_unit, taken)
        if isinstance(person, str):
            refused.append({"row": line_no, "reason": person})
            continue
        taken.add(person.username)  # a username twice in the file: the second is refused
        accepted.append(person)
    return accepted, refused


def _import_row(row: list[str], find_unit: UnitLookup, taken: set[str]) -> NewUser | str:
    """One CSV row as the person to create, or why it is refused."""
    if len(row) != len(IMPORT_HEADER):
        return f"cần {len(IMPORT_HEADER)} cột, có {len(row)}"
    username, full_name, unit, title, point, organizer = (c.strip() for c in row)
    person = NewUser(username, full_name, title=title, must_change_password=True)
    if problem := form_problem(person, taken):
        return problem.message[0].lower() + problem.message[1:]
    unit_id = find_unit(unit) if unit else None
    if isinstance(unit_id, str):
        return unit_id
    p_flag, o_flag = _flag(point), _flag(organizer)
    if p_flag is None or o_flag is None:
        return "cột point/organizer phải là 0 hoặc 1"
    return replace(person, unit_id=unit_id, point=p_flag, organizer=o_flag)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATHS = frozenset({"/api/login", "/login"})


def _origin_of(url: str) -> tuple[str, str] | None:
    """(scheme, host:port) with the default port written out, or None for "null"/garbage."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname or port is None:
        return None
    return parts.scheme, f"{parts.hostname.lower()}:{port}"


class SameOrigin:
    """Cross-site request refusal for every state-changing HTTP request (POST, PUT, PATCH,
    DELETE): a browser sends the session cookie along with a form or fetch from ANY site (and
    SameSite=Lax treats another port of the same host as the same site), so:

    - a request whose `Origin` (else `Referer`) names another origin is refused (403);
    - a request the session cookie authenticates (no `Authorization: Bearer`; every endpoint
      but the two logins, which do not read it) must name our origin in `Origin` or `Referer` —
      browsers always send one on a POST; other clients use the bearer token, which no other
      site can make a browser send.

    Our origin: the scheme and host the request was sent to (the `Host` header), or PUBLIC_URL
    (a TLS-terminating proxy makes the first `http`). Socket.IO is not behind this: its
    long-polling POSTs are tied to a session id and Engine.IO checks Origin itself."""

    def __init__(self, app: ASGIApp, public_url: str) -> None:
        self.app = app
        self.public = _origin_of(public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            refusal = self._refusal(scope)
            if refusal is not None:
                err = ActionError("forbidden", refusal, {"origin": "cross-site request refused"})
                await error_response(err)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> str | None:
        headers = Headers(scope=scope)
        claimed = headers.get("origin") or headers.get("referer")
        by_cookie = (
            COOKIE_NAME in headers.get("cookie", "")
            and not headers.get("authorization", "").lower().startswith("bearer ")
            and scope["path"] not in LOGIN_PATHS
        )
        if claimed is None:
            return "Yêu cầu thiếu Origin" if by_cookie else None
        origin = _origin_of(claimed)
        host = headers.get("host", "").lower()
        if host and ":" not in host.rsplit("]", 1)[-1]:
            host = f"{host}:{443 if scope.get('scheme') == 'https' else 80}"
        if origin is None or (origin != self.public and origin[1] != host):
            return "Yêu cầu từ trang khác bị từ chối"
        return None


class DbId(Convertor[int]):
    """`{name:int}` in a path: every such number in this API is a database id, a 32-bit INT. A
    longer number matches no route (404) instead of failing deep in the database driver (500).
    Registered over Starlette's own "int" (before any route is built: routes compile their
    pattern when made), so the feature packages' routes get it without naming it."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        number = int(value)
        # Out of range: 0 is never an id, so the handler answers its own not_found.
        return number if number <= 2**31 - 1 else 0

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("int", DbId())


def routes() -> list[Route]:
    return [
        Route("/api/login", api_login, methods=["POST"]),
        Route("/api/logout", api_logout, methods=["POST"]),
        Route("/api/users/import", api_users_import, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
