// The service worker (issue 13), rendered by meeting/offline.py with this release's version
// and the list of the app shell's files.
//  - install: every shell file goes into the cache of THIS version ("shell-<version>");
//  - it waits (no skipWaiting of its own): the open pages keep the old release until the user
//    reloads into the new one (static/js/offline/install.js asks for "skip-waiting");
//  - activate: the caches of other versions are deleted;
//  - fetch: the shell from the cache; the rendered pages ("/", the kiosk's hall.html and
//    wall.html) from the network first (a signed-out user must meet the login page; they carry
//    the server's settings, e.g. the time zone), from the cache offline; everything else (the
//    API, Socket.IO, documents) is not touched here: documents kept on the device live in
//    their own cache, read by the viewer (static/js/offline/documents.js).
const VERSION = "{{ version }}";
const SHELL = `shell-${VERSION}`;
const URLS = {{ urls | safe }};
const PAGES = {{ pages | safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(URLS)));
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (PAGES.includes(url.pathname) && event.request.mode === "navigate") {
    event.respondWith((async () => {
      try {
        const fresh = await fetch(event.request);
        // A redirect to the login page is not the shell: keep the cached one.
        if (fresh.ok && !fresh.redirected) (await caches.open(SHELL)).put(url.pathname, fresh.clone());
        return fresh;
      } catch {
        return (await caches.match(url.pathname, { cacheName: SHELL })) || Response.error();
      }
    })());
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith((async () => {
      const hit = await caches.match(url.pathname, { cacheName: SHELL });
      return hit || fetch(event.request);
    })());
  }
});
