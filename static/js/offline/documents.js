// Documents on the device before the meeting (issue 13). For every published meeting the user
// takes part in (coming in the next 60 days, or open in the app), the user's stamped copy of each of its documents is fetched in the background and kept in Cache
// Storage, so opening it later — offline included — draws the pages from the device.
//  - Politely, over a weak link: one document at a time, in Range chunks of CHUNK bytes; a drop
//    stops it and the next connect resumes from the last byte kept. The server makes every
//    chunk after the first continue the copy the first began (docs/download.py `_copy_time`),
//    so the kept copy carries one stamp time.
//  - A new version is a new document (its `replaces` names the old): the old one leaves the
//    meeting's list, so it is deleted here like a removed one.
//  - Everything of a meeting is deleted `keep_days` after it ends (GET /api/offline).
// What is kept is listed in localStorage (`hop:docs`, small, read synchronously by the panel);
// the bytes are in the cache `hop-docs`: the whole copy under the document's file URL, a partial
// one under /offline/partial/<id>.
import { call, connected, on, onConnection } from "../api.js";

const CACHE = "hop-docs";
const META = "hop:docs";
const CHUNK = 256 * 1024;

const partialKey = (id) => `/offline/partial/${id}`;
const fileKey = (id) => `/api/documents/${id}/file`;

function meta() {
  try {
    return JSON.parse(localStorage.getItem(META) || "{}");
  } catch {
    return {};
  }
}

function saveMeta(all) {
  localStorage.setItem(META, JSON.stringify(all));
  window.dispatchEvent(new CustomEvent("hop:docs", { detail: all }));
}

function update(id, fn) {
  const all = meta();
  if (!all[id]) return;
  fn(all[id]);
  saveMeta(all);
}

/** How a document stands on the device: null | { done: boolean, got, total }. */
export function onDevice(documentId) {
  return meta()[documentId] || null;
}

/** The kept copy's bytes, or null (not kept, or not whole yet). */
export async function keptCopy(documentId) {
  if (!onDevice(documentId)?.done || !("caches" in window)) return null;
  const hit = await (await caches.open(CACHE)).match(fileKey(documentId));
  return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
}

async function forget(ids) {
  if (!ids.length) return;
  const cache = await caches.open(CACHE);
  const all = meta();
  for (const id of ids) {
    delete all[id];
    await cache.delete(fileKey(id));
    await cache.delete(partialKey(id));
  }
  saveMeta(all);
}

let keepDays = null;
async function daysToKeep() {
  if (keepDays === null) {
    const answer = await fetch("/api/offline", { credentials: "same-origin" }).then((r) => r.json()).catch(() => null);
    if (answer) keepDays = answer.keep_days;
  }
  return keepDays;
}

/**
 * The meeting's state as the app has it: keep its documents on the device, forget those it no
 * longer has, and forget every meeting that ended more than keep_days ago.
 */
export async function keepMeetingDocuments(mid, state) {
  if (!("caches" in window) || !state || !Array.isArray(state.documents)) return;
  const all = meta();
  const listed = new Set(state.documents.map((d) => String(d.id)));
  await forget(Object.keys(all).filter((id) => all[id].meeting_id === mid && !listed.has(id)));
  const now = meta();
  const before = JSON.stringify(now);
  for (const d of state.documents) {
    const had = now[d.id];
    if (had && had.sha256 === d.sha256) { had.ends_at = state.ends_at; continue; }
    now[d.id] = { meeting_id: mid, title: d.title, sha256: d.sha256, ends_at: state.ends_at, got: 0, total: null, done: false };
  }
  if (JSON.stringify(now) !== before) saveMeta(now); // most state changes are not about documents
  await expire();
  pump();
}

async function expire() {
  const days = await daysToKeep();
  if (days === null) return;
  const all = meta();
  const cutoff = Date.now() - days * 86400_000;
  await forget(Object.keys(all).filter((id) => all[id].ends_at && Date.parse(all[id].ends_at) < cutoff));
}

// ---- the fetcher: one document at a time, resumable ------------------------------------------

let running = false;

async function pump() {
  if (running) return;
  running = true;
  try {
    for (;;) {
      if (!connected() && !navigator.onLine) return;
      const next = Object.entries(meta()).find(([, m]) => !m.done);
      if (!next) return;
      const ok = await fetchOne(Number(next[0]));
      if (!ok) return; // no link (or refused): the next connect tries again
    }
  } finally {
    running = false;
  }
}

async function fetchOne(id) {
  const cache = await caches.open(CACHE);
  const part = await cache.match(partialKey(id));
  let kept = part ? await part.blob() : new Blob([]);
  let total = onDevice(id)?.total ?? null;
  for (;;) {
    if (!onDevice(id)) return true; // forgotten meanwhile (removed)
    if (total !== null && kept.size >= total) break;
    const first = kept.size;
    let res;
    try {
      res = await fetch(fileKey(id), {
        credentials: "same-origin",
        headers: { Range: `bytes=${first}-${first + CHUNK - 1}` },
        cache: "no-store",
      });
    } catch {
      return false; // the link dropped: what is kept stays, the next try resumes from it
    }
    if (res.status === 404) { await forget([String(id)]); return true; }
    if (res.status !== 206 && res.status !== 200) return false;
    const body = await res.blob().catch(() => null);
    if (!body) return false;
    if (res.status === 200) {
      kept = body; // the whole file at once (no Range)
      total = body.size;
    } else {
      total = Number((res.headers.get("Content-Range") || "").split("/")[1]) || total;
      kept = new Blob([kept, body]);
    }
    if (!onDevice(id)) return true;
    await cache.put(partialKey(id), new Response(kept));
    update(id, (m) => { m.got = kept.size; m.total = total; });
  }
  await cache.put(fileKey(id), new Response(kept, { headers: { "Content-Type": "application/pdf" } }));
  await cache.delete(partialKey(id));
  update(id, (m) => { m.done = true; m.kept_at = new Date().toISOString(); });
  return true;
}

// ---- the user's coming meetings: their documents, without opening them -----------------------

const SYNC_EVERY_MS = 60_000; // at most once a minute: 240 halls reconnect at once after a drop
const LIVE = new Set(["scheduled", "in_progress"]);
let lastSync = 0;

/** Keep the documents of every coming meeting the user takes part in (document:list each). */
export async function syncComingMeetings(force = false) {
  if (!("caches" in window) || !connected()) return;
  if (!force && Date.now() - lastSync < SYNC_EVERY_MS) return;
  lastSync = Date.now();
  try {
    const meetings = await call("meeting:list", {});
    for (const m of meetings.filter((x) => x.my_role && LIVE.has(x.status))) {
      const documents = await call("document:list", { meeting_id: m.id });
      await keepMeetingDocuments(m.id, { documents, ends_at: m.ends_at });
    }
  } catch (err) {
    console.warn("documents of coming meetings", err); // the next connect tries again
  }
}

/** Start keeping: now, at every reconnect, and when a notification (an invitation, a change) comes. */
export function startKeepingDocuments() {
  onConnection((status) => { if (status === "connected") syncComingMeetings(); });
  on("notification", () => syncComingMeetings(true));
  syncComingMeetings(true);
}

/** Everything kept (on sign-out). */
export async function forgetAllDocuments() {
  if ("caches" in window) await caches.delete(CACHE);
  localStorage.removeItem(META);
}

// Bytes nobody lists any more (the list was cleared at sign-out) are deleted at start.
async function prune() {
  if (!("caches" in window)) return;
  const cache = await caches.open(CACHE);
  const listed = meta();
  for (const req of await cache.keys()) {
    const id = new URL(req.url).pathname.match(/\/(\d+)(?:\/file)?$/)?.[1];
    if (!id || !listed[id]) await cache.delete(req);
  }
}

prune().then(pump, (err) => console.warn("documents on the device", err));
onConnection((status) => { if (status === "connected") pump(); });
