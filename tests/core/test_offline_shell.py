"""The installable app (issue 13): the service worker names every file of the app shell under
a version, each of those files is served (one missing file would fail the worker's install),
the manifest makes the app installable, and /api/offline tells devices how long to keep."""

from __future__ import annotations

import json
import re

from tests.live import Live


async def test_the_worker_lists_a_shell_that_is_all_served(clients: Live) -> None:
    person = await clients.person("offline")
    async with clients.http(person.token) as http:
        r = await http.get("/sw.js")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
        assert r.headers["cache-control"] == "no-cache"
        version = re.search(r'const VERSION = "([0-9a-f]{16})"', r.text)
        assert version
        urls = json.loads(re.search(r"const URLS = (\[.*?\]);", r.text).group(1))
        for needed in [
            "/",
            "/static/js/app.js",
            "/static/js/api.js",
            "/static/js/offline/outbox.js",
            "/static/css/app.css",
            "/static/node_modules/socket.io-client/dist/socket.io.esm.min.js",
            "/static/node_modules/pdfjs-dist/build/pdf.worker.min.mjs",
        ]:
            assert needed in urls
        assert any(u.startswith("/static/node_modules/pdfjs-dist/standard_fonts/") for u in urls)
        for url in urls:
            got = await http.get(url)
            assert got.status_code == 200, url
        manifest = (await http.get("/manifest.webmanifest")).json()
        assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
        assert (await http.get(manifest["icons"][0]["src"])).status_code == 200
        config = (await http.get("/api/offline")).json()
        assert config == {
            "keep_days": clients.server.settings.offline_keep_days,
            "version": version.group(1),
        }
