"""Pages: the jinja2 login form (works without JavaScript), the single-page app's shell, the
connection point's kiosk and the wall, the API page for client authors, and the static files
(the browser client in static/). Every page hands the client the province's time zone
(<meta name="province-timezone">, read by static/js/format.js)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from meeting.api_reference import reference
from meeting.demo import demo_logins
from meeting.errors import ActionError
from meeting.http import current_user, request_token, server_of, set_session_cookie, sign_in
from meeting.identity import COOKIE_NAME

# Pages of the browser client that are rendered (the rest of static/ is served as is).
KIOSK_PAGES = ["/static/hall.html", "/static/wall.html"]
ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
    return "en" if lang == "en" else "vi"


def render(name: str, request: Request, status: int = 200, **context: object) -> HTMLResponse:
    timezone = server_of(request).settings.province_timezone
    html = templates.get_template(name).render(lang=_lang(request), timezone=timezone, **context)
    return HTMLResponse(html, status_code=status)


async def _login_form(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    """The login page; a demo install also lists its accounts, so a newcomer gets in at once."""
    demo = await demo_logins() if server_of(request).settings.demo_enabled else []
    return render("login.html", request, status=status, demo=demo, **context)


async def login_page(request: Request) -> Response:
    if request.method == "GET":
        return await _login_form(request, next=request.query_params.get("next", "/"))
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = str(form.get("next", "/"))
    if not target.startswith("/") or target.startswith("//"):
        target = "/"  # never redirect off the site
    try:
        token, _, device = await sign_in(request, username, password)
    except ActionError as exc:
        page = await _login_form(
            request,
            status=exc.status,
            error=exc.code,
            retry_after_s=exc.details.get("retry_after_s"),
            username=username[:100],
            next=target,
        )
        if "retry_after_s" in exc.details:
            page.headers["Retry-After"] = str(exc.details["retry_after_s"])
        return page
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token, device)
    return response


async def logout_page(request: Request) -> Response:
    """POST only: a link or an image on another site must not sign anyone out."""
    token = request_token(request)
    user = await server_of(request).identity.user_for_token(token)
    if token and user:
        await server_of(request).identity.revoke(token)
        await server_of(request).fanout.drop_sessions(user.id, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME)
    return response


async def app_shell(request: Request) -> Response:
    try:
        await current_user(request, before_password_change=True)
    except ActionError:
        return RedirectResponse("/login", status_code=303)
    return render("app.html", request)


async def kiosk_page(request: Request) -> Response:
    """The connection point's kiosk (hall.html) or the wall (wall.html): served where they
    always were, under /static/, but rendered, for the time zone; they sign in by the session
    cookie their scripts send."""
    return render(request.url.path.removeprefix("/static/"), request)


async def api_page(request: Request) -> Response:
    """The whole client contract (meeting/templates/api.html); its last section is generated
    from the actions this server declares."""
    return render(
        "api.html", request, reference=reference(server_of(request).composition.actions.values())
    )


def routes() -> list[Route | Mount]:
    return [
        Route("/login", login_page, methods=["GET", "POST"]),
        Route("/logout", logout_page, methods=["POST"]),
        Route("/api", api_page, methods=["GET"]),
        Route("/", app_shell, methods=["GET"]),
        *[Route(url, kiosk_page, methods=["GET"]) for url in KIOSK_PAGES],
        Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
