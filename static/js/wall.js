// The wall (staff): the halls' light layers, 16 a page, on a second peer connection
// (rtc:watch, /api §4). Each tile: the hall's name, a health dot (rtc:points), the layer it
// shows, a raised hand when the hall asked for the floor; tap a tile to see it large; the chair
// grants the floor from the tile of a hall that asked.
//
// Open as /static/wall.html?meeting=ID (add &full=1 for the provincial hall's big display).
import { call, liveMeeting, onConnection } from "/static/js/api.js";
// The pushes the wall follows (raised hands and the speaker), declared by the floor and handed
// to liveMeeting.
import { pushes } from "/static/js/floor/pushes.js";

const PAGE = 16;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const meetingId = Number(params.get("meeting"));
if (params.get("full") === "1") document.body.classList.add("full");

let live = null;
let page = 0;
let pc = null;
let watching = []; // the user ids of this page, in tile order
let tiles = new Map(); // user id -> {el, video, none, ...}
let tileInfo = new Map(); // user id -> {publishing, layer} from rtc:watch's answer
let generation = 0;

function el(tag, cls, ...children) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const halls = (state) => (state.participants || []).filter((p) => p.role === "point")
  .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"));

function health(state, userId) {
  const points = state["rtc:points"]?.points || state.rtc?.points || [];
  const p = points.find((x) => x.user_id === userId);
  if (!p || p.state === "left") return ["", "chưa kết nối"];
  if (p.state !== "connected") return ["bad", "mất kết nối"];
  if (p.loss_pct >= 10 || p.layer === "audio") return ["bad", `mất gói ${p.loss_pct}%`];
  if (p.loss_pct >= 3 || p.layer === "light") return ["weak", `mất gói ${p.loss_pct}%`];
  return ["good", "tốt"];
}

// The layer a tile shows: from the frames when they arrive (a hall may start or stop sending
// after the wall opened; the server re-points the tile), else rtc:watch's answer.
function layerText(info, t) {
  if (t.frames && t.video.videoHeight) return t.video.videoHeight <= 240 ? "lớp nhẹ" : "lớp đầy đủ";
  if (t.frames) return "";
  return info && info.publishing ? "đang chờ hình" : "không phát hình";
}

function makeTile(hall) {
  const video = el("video");
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  const none = el("div", "none", "Điểm cầu chưa phát hình");
  const dot = el("span", "dot");
  const name = el("span", "name", hall.full_name);
  const layer = el("span", "layer");
  const hand = el("span", "hand", "Xin phát biểu");
  const grant = el("button", "grant", "Cho phát biểu");
  grant.type = "button";
  const tile = el("div", "tile", video, none, hand, grant, el("div", "label", dot, name, layer));
  tile.dataset.userId = String(hall.user_id);
  tile.tabIndex = 0;
  tile.setAttribute("role", "button");
  tile.setAttribute("aria-label", hall.full_name);
  tile.onclick = (e) => {
    if (e.target === grant) return;
    const large = !tile.classList.contains("large");
    for (const t of document.querySelectorAll(".tile.large")) t.classList.remove("large");
    tile.classList.toggle("large", large);
  };
  grant.onclick = () => {
    const request = grant.dataset.requestId;
    if (request) call("floor:grant", { request_id: Number(request) }).catch((e) => status(e.message));
  };
  return { el: tile, video, none, dot, layer, hand, grant, frames: false };
}

function status(text) {
  $("status").textContent = text;
}

function draw(state) {
  if (!state) return;
  $("title").textContent = `Màn hình điểm cầu — ${state.title || ""}`;
  const all = halls(state);
  const pages = Math.max(1, Math.ceil(all.length / PAGE));
  page = Math.min(page, pages - 1);
  $("page").textContent = `Trang ${page + 1}/${pages} · ${all.length} điểm cầu`;
  $("prev").disabled = page === 0;
  $("next").disabled = page >= pages - 1;
  const shown = all.slice(page * PAGE, page * PAGE + PAGE);
  const ids = shown.map((h) => h.user_id);
  if (ids.join() !== watching.join()) {
    tiles = new Map(shown.map((h) => [h.user_id, makeTile(h)]));
    $("grid").replaceChildren(...[...tiles.values()].map((t) => t.el));
    watching = ids;
    watch(ids);
  }
  const queue = state.floor?.queue || [];
  const speaker = state.floor?.speaker?.user_id;
  const chair = state.my_role === "chair";
  for (const [userId, t] of tiles) {
    const [cls, text] = health(state, userId);
    t.dot.className = `dot ${cls}`;
    t.dot.title = text;
    const info = tileInfo.get(userId);
    t.layer.textContent = layerText(info, t);
    t.none.hidden = t.frames;
    t.el.classList.toggle("nopicture", !t.frames);
    const asked = queue.find((q) => q.user_id === userId);
    t.hand.hidden = !asked;
    t.el.classList.toggle("asked", Boolean(asked));
    t.el.classList.toggle("speaking", speaker === userId);
    t.grant.hidden = !(chair && asked);
    t.grant.dataset.requestId = asked ? String(asked.request_id) : "";
  }
}

function waitGathering(conn) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    conn.addEventListener("icegatheringstatechange", () => conn.iceGatheringState === "complete" && resolve());
    setTimeout(resolve, 3000);
  });
}

async function watch(ids) {
  const mine = ++generation;
  pc?.close();
  pc = null;
  tileInfo = new Map();
  if (!ids.length) {
    await call("rtc:watch", { meeting_id: meetingId, user_ids: [] }).catch(() => {});
    return;
  }
  const conn = new RTCPeerConnection({ iceServers: [] });
  pc = conn;
  const transceivers = ids.map(() => conn.addTransceiver("video", { direction: "recvonly" }));
  // VP8 only (what the server forwards): keeps the 16 m-lines' offer small
  const vp8 = (RTCRtpReceiver.getCapabilities?.("video")?.codecs || [])
    .filter((c) => /^video\/(vp8|rtx)$/i.test(c.mimeType));
  if (vp8.length) for (const t of transceivers) t.setCodecPreferences?.(vp8);
  conn.ontrack = (e) => {
    const index = transceivers.findIndex((t) => t.receiver.track === e.track);
    const t = tiles.get(ids[index]);
    if (!t) return;
    t.video.srcObject = new MediaStream([e.track]);
  };
  try {
    await conn.setLocalDescription(await conn.createOffer());
    await waitGathering(conn);
    const answer = await call("rtc:watch", { meeting_id: meetingId, user_ids: ids, type: "offer", sdp: conn.localDescription.sdp });
    if (mine !== generation) return;
    for (const tile of answer.tiles || []) tileInfo.set(tile.user_id, tile);
    await conn.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    status("");
  } catch (err) {
    console.error("wall", err);
    status(err.message || String(err));
  }
  draw(live.state());
}

// A tile shows its picture only while frames arrive (else it says the hall sends none).
async function watchFrames() {
  if (!pc) return;
  const stats = await pc.getStats().catch(() => null);
  if (!stats) return;
  const byMid = new Map();
  for (const r of stats.values()) if (r.type === "inbound-rtp" && r.kind === "video") byMid.set(r.mid, r.framesDecoded || 0);
  const transceivers = pc.getTransceivers();
  let changed = false;
  watching.forEach((userId, i) => {
    const t = tiles.get(userId);
    const mid = transceivers[i]?.mid;
    const frames = byMid.get(mid) || 0;
    const now = frames > (t.lastFrames || 0);
    t.lastFrames = frames;
    if (now !== t.frames) { t.frames = now; changed = true; }
  });
  if (changed) draw(live.state());
}

// For tests: what each tile shows.
window.wallStats = () => watching.map((userId) => {
  const t = tiles.get(userId);
  return { user_id: userId, frames: t.frames, width: t.video.videoWidth, height: t.video.videoHeight };
});

async function main() {
  if (!meetingId) {
    status("Thiếu mã cuộc họp: mở trang với ?meeting=ID");
    return;
  }
  live = liveMeeting(meetingId, { pushes });
  live.onState(draw);
  await live.ready;
  $("prev").onclick = () => { page -= 1; draw(live.state()); };
  $("next").onclick = () => { page += 1; draw(live.state()); };
  $("full").onclick = () => document.documentElement.requestFullscreen?.().catch(() => {});
  let down = false;
  onConnection((s) => {
    // the server ends the wall with the socket: open it again when the socket is back
    if (s === "connected" && down) { watching = []; draw(live.state()); }
    down = s !== "connected";
  });
  draw(live.state());
  setInterval(watchFrames, 1000);
}

main();
