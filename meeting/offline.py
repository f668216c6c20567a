"""The installable app (issue 13): the service worker and the web app manifest.

The service worker keeps the app shell on the device so the app opens without a link. Its cache
is named after a version the server computes once, at start, over every file of the shell: a
new release is a new version, hence a new worker that fills a new cache beside the old one; the
page switches only when the user reloads into it (static/js/offline/install.js), and the new
worker deletes the old cache then — a page never mixes old and new modules.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.http import server_of
from meeting.pages import KIOSK_PAGES, STATIC, templates

NODE = STATIC / "node_modules"
# Third-party files the shell needs. pdf.js's cmaps (~1.5 MB, for PDFs with unembedded CJK
# fonts) are left out: the province's documents embed their fonts.
THIRD_PARTY = [
    "socket.io-client/dist/socket.io.esm.min.js",
    "pdfjs-dist/build/pdf.min.mjs",
    "pdfjs-dist/build/pdf.worker.min.mjs",
]


def _shell_files() -> list[Path]:
    own = [
        p
        for p in sorted(STATIC.rglob("*"))
        if p.is_file()
        and NODE not in p.parents
        and p.suffix in {".js", ".css", ".html", ".svg", ".webmanifest"}
    ]
    fonts = sorted((NODE / "pdfjs-dist/standard_fonts").glob("*"))
    return own + [NODE / f for f in THIRD_PARTY] + [p for p in fonts if p.is_file()]


@cache
def shell() -> tuple[str, list[str]]:
    """(version, the URLs to keep): the version hashes every file the shell is made of,
    and the page templates, so any change to them is a new release. The rendered pages ("/"
    and the kiosk's) are kept too, but the worker asks the network for them first: what they
    are rendered with (the province's time zone) may change without a release."""
    digest = hashlib.sha256()
    urls = ["/", *KIOSK_PAGES]
    for path in _shell_files():
        if not path.exists():
            continue  # npm modules not installed: the worker keeps what there is
        digest.update(str(path.relative_to(STATIC)).encode())
        digest.update(path.read_bytes())
        urls.append("/static/" + path.relative_to(STATIC).as_posix())
    for name in ("app.html", "hall.html", "wall.html", "sw.js"):
        digest.update((Path(__file__).parent / "templates" / name).read_bytes())
    return digest.hexdigest()[:16], urls


async def service_worker(request: Request) -> Response:
    version, urls = shell()
    body = templates.get_template("sw.js").render(
        version=version, urls=json.dumps(urls), pages=json.dumps(["/", *KIOSK_PAGES])
    )
    # Always asked for again (browsers also cap a worker's HTTP cache at 24 h): a new release
    # is found at the next visit.
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


async def manifest(request: Request) -> Response:
    body = {
        "name": "Họp không giấy tờ",
        "short_name": "Họp KGT",
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/manifest+json")


async def offline_config(request: Request) -> Response:
    """What the client needs to keep things on the device: how long, and this release."""
    settings = server_of(request).settings
    body = {"keep_days": settings.offline_keep_days, "version": shell()[0]}
    return Response(json.dumps(body), media_type="application/json")


def routes() -> list[Route]:
    return [
        Route("/api/offline", offline_config, methods=["GET"]),
        Route("/sw.js", service_worker, methods=["GET"]),
        Route("/manifest.webmanifest", manifest, methods=["GET"]),
    ]
