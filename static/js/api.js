// The one connection to the server (/api §3): requests with acks, pushes, and the live
// state of a meeting kept in step with the server's `seq`.
//
// Seq rule, as the hub emits it: one action bumps a meeting's seq once, and every push it sends
// carries that seq (an action may send several: meeting:updated and participants:updated);
// staff-only pushes carry the current seq without bumping it. So a push with
//   seq <  known     is stale: ignored;
//   seq == known     belongs to the action already applied (or is staff-only): applied again —
//                    every push is applied idempotently (replace, merge, or add-by-id);
//   seq == known + 1 is the next change: applied, known := seq;
//   seq >  known + 1 means pushes were missed: `meeting:join {since_seq: known}` again; the
//                    server answers the missed changes (resumed) or the snapshot, which then
//                    replaces the state. After a reconnect every open meeting resumes too.
import { io } from "/static/node_modules/socket.io-client/dist/socket.io.esm.min.js";

export class ApiError extends Error {
  constructor({ code = "internal", message = "", details = {} } = {}) {
    super(message || code);
    this.code = code;
    this.details = details || {};
  }
}

const TIMEOUT_MS = 20000;
const connectionListeners = new Set();

export const socket = io({
  transports: ["websocket", "polling"], // the browser sends its HttpOnly session cookie
  withCredentials: true,
  reconnection: true,
  reconnectionDelay: 500,
  reconnectionDelayMax: 5000,
});

socket.on("connect", () => emitConnection("connected"));
socket.on("disconnect", (reason) => {
  emitConnection("disconnected");
  // The client reconnects by itself after a network loss, but not when the server closed the
  // connection (a restart, a revoked session): try again; a refused session goes to /login.
  if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
});
socket.on("connect_error", (err) => {
  if (err?.message === "unauthenticated") {
    // The session is gone (logged out elsewhere, revoked, disabled): back to the login page.
    socket.disconnect();
    location.assign(`/login?next=${encodeURIComponent("/" + location.hash)}`);
    return;
  }
  emitConnection("disconnected");
});

function emitConnection(status) {
  for (const fn of connectionListeners) fn(status);
}

/** Follow the connection: fn("connected" | "disconnected"). */
export function onConnection(fn) {
  connectionListeners.add(fn);
  return () => connectionListeners.delete(fn);
}

export function connected() {
  return socket.connected;
}

/** call("meeting:list", {...}) → Promise of the ack's data; rejects with an ApiError. */
export function call(event, payload = {}) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT_MS).emit(event, payload, (err, ack) => {
      if (err) {
        reject(new ApiError({ code: "timeout", message: "Máy chủ không trả lời, hãy thử lại" }));
      } else if (ack && ack.ok) {
        resolve(ack.data);
      } else {
        reject(new ApiError(ack?.error || {}));
      }
    });
  });
}

/** Subscribe to a push by name; returns the unsubscribe function. */
export function on(event, handler) {
  socket.on(event, handler);
  return () => socket.off(event, handler);
}

/** Plain HTTP with the session cookie; JSON answers; errors as ApiError. */
export async function http(method, url, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError({ code: "network", message: "Không kết nối được máy chủ" });
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(data?.error || { code: String(res.status), message: res.statusText });
  return data;
}

// ---- live meeting state -------------------------------------------------------------------

// Replace the item with the same id (in place) or add it at the end.
export function upsert(list, item, idOf = (x) => x.id) {
  const old = list || [];
  const at = old.findIndex((x) => idOf(x) === idOf(item));
  if (at < 0) return [...old, item];
  return old.map((x, i) => (i === at ? { ...x, ...item } : x));
}

function strip(data) {
  const { meeting_id, seq, ...rest } = data;
  return rest;
}

// How each push changes the live state. The core knows only its own pushes (the meeting and
// its participants); every subject declares its own in its pushes.js (floor/pushes.js,
// documents/pushes.js…), and the page that opens a meeting hands them to liveMeeting({pushes}),
// so this file never needs to know a feature's events. A push nobody declared is kept under its
// name (state["rtc:main"]).
const CORE_PUSHES = {
  "meeting:updated": (state, body) => Object.assign(state, body),
  "participants:updated": (state, body) => {
    // Only the rows that changed (/api §3.2): upsert by user_id, drop the removed.
    const gone = new Set(body.removed || []);
    let rows = (state.participants || []).filter((p) => !gone.has(p.user_id));
    for (const row of body.participants) rows = upsert(rows, row, (p) => p.user_id);
    state.participants = rows;
    state.summary = body.summary;
  },
};

/** Apply one push to a snapshot (idempotently), with the reducers `pushes` (event → fn). */
export function applyPush(pushes, state, event, data) {
  const body = strip(data);
  const fn = pushes[event];
  if (fn) fn(state, body);
  else state[event] = body;
}

// What a resumed meeting:join carries besides its changes: parts that are not seq'd state
// (e.g. `rtc`), whole. Pushes kept under their name for such a part ("rtc:main") are dropped
// with it, being older.
function takeLiveParts(state, answer) {
  for (const [key, value] of Object.entries(answer)) {
    if (["meeting_id", "seq", "resumed", "changes"].includes(key)) continue;
    for (const old of Object.keys(state)) if (old.startsWith(`${key}:`)) delete state[old];
    state[key] = value;
  }
}

// Where each meeting's last state is kept on the device (offline/store.js registers it): saved
// on every change, shown when the page opens with the link down, then resumed by seq.
let stateStore = null;

/** registerStateStore({ load(meetingId) → state | null, save(meetingId, state) }) */
export function registerStateStore(store) {
  stateStore = store;
}

/**
 * Join a meeting and keep its live state: snapshot + pushes, resumed on a seq gap or a
 * reconnect, joined again when the user's own role changes (pass { userId }). live.state()
 * is the current state (null until joined); live.ready is a Promise of the first snapshot;
 * live.onState(fn) / live.on(event, fn) subscribe; live.close() leaves. `pushes` maps the
 * features' push events to their reducers, (state, body) => void (each subject's pushes.js);
 * the core's own (meeting, participants) are always applied.
 */
export function liveMeeting(meetingId, { userId = null, pushes = {} } = {}) {
  const reducers = { ...pushes, ...CORE_PUSHES };
  let state = null;
  let closed = false;
  let joining = null;
  let buffered = [];
  let resumes = 0; // how the state was brought up to date (shown to tests and diagnostics)
  let snapshots = 0;
  const stateHandlers = new Set();
  const pushHandlers = new Map();

  const notifyState = () => {
    if (state) stateStore?.save(meetingId, state);
    for (const fn of [...stateHandlers]) {
      try { fn(state); } catch (e) { console.error(e); }
    }
  };
  const notifyPush = (event, data) => {
    for (const fn of [...(pushHandlers.get(event) || [])]) {
      try { fn(data); } catch (e) { console.error(e); }
    }
  };

  // Join, or after a reconnect or a seq gap resume from the last seq applied (/api §3.4):
  // the server answers the missed changes (`resumed: true`) or the snapshot.
  function join() {
    if (joining) return joining;
    buffered = [];
    const since = state ? state.seq : null;
    const ask = (payload) => call("meeting:join", payload);
    const request = since === null
      ? ask({ meeting_id: meetingId })
      : ask({ meeting_id: meetingId, since_seq: since }).catch((err) => {
        if (err.code === "invalid") return ask({ meeting_id: meetingId }); // e.g. a restored database
        throw err;
      });
    joining = request.then(
      (answer) => {
        joining = null;
        if (closed) return state;
        if (answer.resumed) {
          for (const { event, data } of answer.changes) apply(event, data);
          takeLiveParts(state, answer);
          state.seq = Math.max(state.seq, answer.seq);
          resumes += 1;
        } else {
          const { resumed, ...snap } = answer;
          state = snap;
          snapshots += 1;
        }
        const later = buffered;
        buffered = [];
        for (const [event, data] of later) handle(event, data, false);
        notifyState();
        return state;
      },
      (err) => {
        joining = null;
        throw err;
      },
    );
    return joining;
  }

  // Apply a push (or a resumed change) unless the state already holds it.
  function apply(event, data) {
    if (typeof data?.seq === "number" && data.seq < state.seq) return;
    applyPush(reducers, state, event, data);
    if (typeof data?.seq === "number") state.seq = Math.max(state.seq, data.seq);
  }

  function handle(event, data, notify = true) {
    if (typeof data?.seq === "number") {
      if (data.seq < state.seq) return;
      if (data.seq > state.seq + 1) {
        join().catch((e) => console.error("rejoin failed", e));
        return;
      }
      const wasLive = state.status === "in_progress";
      const myRole = state.my_role;
      apply(event, data);
      if (!wasLive && state.status === "in_progress") {
        // The meeting started while open here: joining a live meeting checks the user in.
        join().catch((e) => console.error("rejoin failed", e));
      } else if (event === "participants:updated"
        && data.participants.some((p) => p.user_id === userId && p.role !== myRole)) {
        // My own role changed: what I may see changed with it; the server answers a snapshot.
        join().catch((e) => console.error("rejoin failed", e));
      }
    } else {
      applyPush(reducers, state, event, data);
    }
    notifyPush(event, data);
    if (notify) notifyState();
  }

  function onAny(event, data) {
    if (closed || !data || typeof data !== "object" || data.meeting_id !== meetingId) return;
    if (joining || !state) {
      buffered.push([event, data]);
      return;
    }
    handle(event, data);
  }

  let wasConnected = socket.connected;
  function onConnect() {
    // A reconnect loses the server's rooms: join again, resuming from the last seq applied.
    if (wasConnected || state) join().catch((e) => console.error("rejoin failed", e));
    wasConnected = true;
  }

  // The first state: the server's; with the link down (the browser says so, or the connection
  // fails) the one kept on the device, until the reconnect resumes from its seq.
  function start() {
    const first = join();
    const kept = socket.connected ? null : stateStore?.load(meetingId);
    if (!kept) return first;
    return new Promise((resolve, reject) => {
      const useKept = () => {
        if (state === null) state = kept;
        resolve(state);
      };
      first.then(resolve, (err) => (state ? resolve(state) : reject(err)));
      if (!navigator.onLine) useKept();
      else {
        const off = onConnection((status) => {
          off();
          if (status === "disconnected") useKept();
        });
      }
    });
  }

  socket.onAny(onAny);
  socket.on("connect", onConnect);
  const ready = start();

  return {
    meetingId,
    ready,
    state: () => state,
    refresh: join,
    stats: () => ({ resumes, snapshots }),
    onState(fn) {
      stateHandlers.add(fn);
      return () => stateHandlers.delete(fn);
    },
    on(event, fn) {
      if (!pushHandlers.has(event)) pushHandlers.set(event, new Set());
      pushHandlers.get(event).add(fn);
      return () => pushHandlers.get(event)?.delete(fn);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.offAny(onAny);
      socket.off("connect", onConnect);
      stateHandlers.clear();
      pushHandlers.clear();
      if (socket.connected) call("meeting:leave", { meeting_id: meetingId }).catch(() => {});
    },
  };
}
