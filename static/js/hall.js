// A connection point's kiosk (điểm cầu): the main stream full-screen with the speaker's name,
// the presented document beside it, the request-to-speak button, camera/microphone choice,
// mute, and automatic reconnection (/api §3 rtc:*, §4).
//
// Open as /static/hall.html?meeting=ID once signed in as the point's user.
import { call, liveMeeting, onConnection } from "/static/js/api.js";
import { createViewer } from "/static/js/documents/viewer.js";
import { pushes as documentPushes } from "/static/js/documents/pushes.js";
import { alerts as floorAlerts, renderFloor } from "/static/js/floor/kiosk.js";
import { pushes as floorPushes } from "/static/js/floor/pushes.js";
import { renderVote } from "/static/js/polls/kiosk.js";
import { pushes as pollPushes } from "/static/js/polls/pushes.js";
import { renderCaption, showPicture } from "/static/js/rtc/picture.js";
import { hallAlerts } from "/static/js/parts/hall-alerts.js";

// The pushes the kiosk follows (the floor, the votes, the documents and the presented page),
// each declared by its subject and handed to liveMeeting.
const PUSHES = { ...floorPushes, ...pollPushes, ...documentPushes };
// What needs the hall's operator at once (a banner, a beep), each declared by its subject.
const tellHall = hallAlerts([floorAlerts]);

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const meetingId = Number(params.get("meeting") || location.hash.slice(1));

let live = null;
let pc = null;
let local = null; // the MediaStream we send
let lightTrack = null; // the camera's light layer (/api §4), a clone of local's video
let generation = 0; // bumps on every (re)connection; stale ones stop themselves
let retryMs = 1000;
let retryTimer = null;
const muted = { audio: false, video: false };
let over = false; // the meeting ended (or was cancelled): no media, no reconnecting

function status(text) {
  $("status").textContent = text;
}


// The presented page, drawn by the documents panel's pdf.js viewer (documents/viewer.js) from
// /api/documents/{id}/file with this kiosk's session cookie; hidden when nothing is presented.
let viewer = null;
let shownKey = null;

function showPresented(state) {
  const presented = state.presented && state.presented.document_id ? state.presented : null;
  const box = $("document");
  const key = presented ? `${presented.document_id}:${presented.page}` : null;
  if (presented) {
    const d = (state.documents || []).find((x) => x.id === presented.document_id);
    $("doc-caption").textContent = `${d ? d.title : "Tài liệu"} — trang ${presented.page}${d?.pages ? `/${d.pages}` : ""}`;
  }
  if (key === shownKey) return;
  shownKey = key;
  if (!presented) {
    box.hidden = true;
    delete box.dataset.documentId;
    viewer?.close();
    return;
  }
  box.hidden = false; // before drawing: the page is fitted to the box's width
  box.dataset.documentId = String(presented.document_id);
  if (!viewer) viewer = createViewer($("doc-page"));
  const d = (state.documents || []).find((x) => x.id === presented.document_id);
  const url = d?.url || `/api/documents/${presented.document_id}/file`;
  viewer.open(url, presented.page).catch((err) => {
    if (shownKey !== key) return; // a later page replaced this one while it loaded
    console.error("document", err);
    $("doc-caption").textContent = "Không mở được tài liệu đang trình chiếu";
  });
}

function render(state) {
  if (!state) return;
  $("title").textContent = state.title || "";
  if (["ended", "cancelled"].includes(state.status)) {
    end(state);
    return;
  }
  renderCaption(state);
  showPresented(state);
  renderFloor(state, (e) => status(e.message));
  renderVote(state, (e) => status(e.message));
  tellHall(state);
}

// The end of the meeting: say so, release the camera and stop; nothing reconnects after it.
function end(state) {
  $("ended").hidden = false;
  $("ended-title").textContent = state.title || "";
  if (over) return;
  over = true;
  clearTimeout(retryTimer);
  retryTimer = null;
  generation++;
  closePeer();
  for (const track of local?.getTracks() || []) track.stop();
  lightTrack?.stop();
  $("vote").hidden = true;
  status(state.status === "cancelled" ? "Cuộc họp đã bị huỷ" : "Cuộc họp đã kết thúc");
}

async function devices() {
  const all = await navigator.mediaDevices.enumerateDevices();
  for (const [kind, select] of [["videoinput", $("camera")], ["audioinput", $("microphone")]]) {
    const chosen = select.value;
    select.replaceChildren(
      ...all.filter((d) => d.kind === kind).map((d, i) => {
        const o = document.createElement("option");
        o.value = d.deviceId;
        o.textContent = d.label || `${kind === "videoinput" ? "Camera" : "Micro"} ${i + 1}`;
        return o;
      }),
    );
    if (chosen) select.value = chosen;
  }
}

async function openMedia() {
  const cam = $("camera").value;
  const mic = $("microphone").value;
  const stream = await navigator.mediaDevices.getUserMedia({
    video: cam ? { deviceId: { exact: cam } } : { width: 1280, height: 720 },
    audio: mic ? { deviceId: { exact: mic } } : true,
  });
  for (const t of stream.getTracks()) t.enabled = !muted[t.kind];
  return stream;
}

// Two layers (/api §4): the camera as it is on the first video m-line, and beside it a light
// copy (320x180 at 15 fps, at most 200 kbit/s) on the second. The server sends each hall the
// layer its link carries.
const LIGHT = { width: 320, height: 180, frameRate: 15 };
const LIGHT_MAX_BITRATE = 200_000;

async function addLayers(conn, stream) {
  for (const track of stream.getTracks()) conn.addTrack(track, stream);
  const [camera] = stream.getVideoTracks();
  if (!camera) return;
  if (!lightTrack || lightTrack.readyState === "ended") {
    lightTrack = camera.clone();
    lightTrack.enabled = !muted.video;
    await lightTrack.applyConstraints(LIGHT).catch((err) => console.warn("light layer", err));
  }
  const { sender } = conn.addTransceiver(lightTrack, {
    direction: "sendonly",
    streams: [stream],
    sendEncodings: [{ maxBitrate: LIGHT_MAX_BITRATE, maxFramerate: LIGHT.frameRate }],
  });
  // Some browsers ignore sendEncodings on a plain transceiver: cap it once more.
  const params = sender.getParameters();
  if (params.encodings?.length) {
    params.encodings[0].maxBitrate = LIGHT_MAX_BITRATE;
    await sender.setParameters(params).catch((err) => console.warn("light layer cap", err));
  }
}

// What this kiosk is sent (full, light, audio only: /api §4), read from what arrives: the
// layer shows in the size of the frames, and "audio only" as frames stopping while sound goes on.
let layer = "full";
let lastVideo = { frames: 0, at: 0 };
const LAYER_TEXT = {
  light: "Đường truyền yếu: đang nhận hình ảnh chất lượng thấp",
  audio: "Đường truyền yếu: chỉ nhận âm thanh — tài liệu trình chiếu vẫn được cập nhật",
};

async function receivedLayer() {
  if (!pc || pc.connectionState !== "connected") return null;
  let frames = 0, height = 0, audio = 0;
  for (const r of (await pc.getStats()).values()) {
    if (r.type !== "inbound-rtp") continue;
    if (r.kind === "video") { frames += r.framesDecoded || 0; height = Math.max(height, r.frameHeight || 0); }
    else if (r.kind === "audio") audio += r.packetsReceived || 0;
  }
  const now = performance.now();
  if (frames !== lastVideo.frames) lastVideo = { frames, at: now };
  if (now - lastVideo.at > 3000) return audio > 0 ? "audio" : null;
  if (!frames) return null;
  return height && height <= 240 ? "light" : "full";
}

async function watchLayer() {
  const seen = await receivedLayer().catch(() => null);
  if (live?.state() && !over) showPicture(live.state(), seen === "full" || seen === "light");
  if (seen && seen !== layer) {
    layer = seen;
    document.body.dataset.layer = layer;
    $("layer").textContent = LAYER_TEXT[layer] || "";
    $("layer").hidden = layer === "full";
    // the presented page's box changed size (audio only: the whole screen): draw it anew
    if (viewer?.page()) viewer.show(viewer.page());
  }
}

function waitGathering(conn) {
  // aiortc does not trickle: the offer must carry the candidates.
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => conn.iceGatheringState === "complete" && resolve();
    conn.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000);
  });
}

function closePeer() {
  if (pc) pc.close();
  pc = null;
}

function scheduleReconnect() {
  if (retryTimer || over) return;
  status(`Mất kết nối, thử lại sau ${Math.round(retryMs / 1000)} giây…`);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connectMedia();
  }, retryMs);
  retryMs = Math.min(retryMs * 2, 10000);
}

async function connectMedia() {
  if (over) return;
  const mine = ++generation;
  closePeer();
  status("Đang kết nối hình ảnh…");
  try {
    if (!local) {
      local = await openMedia();
      await devices();
    }
    const conn = new RTCPeerConnection({ iceServers: [] });
    pc = conn;
    await addLayers(conn, local);
    const remote = new MediaStream();
    conn.ontrack = (e) => {
      remote.addTrack(e.track);
      $("video").srcObject = remote;
    };
    let lostTimer = null;
    conn.onconnectionstatechange = () => {
      if (mine !== generation) return;
      const s = conn.connectionState;
      if (s === "connected") {
        clearTimeout(lostTimer);
        retryMs = 1000;
        status("Đã kết nối");
      } else if (s === "failed") {
        scheduleReconnect();
      } else if (s === "disconnected") {
        status("Đường truyền yếu…");
        lostTimer = setTimeout(() => mine === generation && scheduleReconnect(), 5000);
      }
    };
    await conn.setLocalDescription(await conn.createOffer());
    await waitGathering(conn);
    const answer = await call("rtc:join", {
      meeting_id: meetingId, type: "offer", sdp: conn.localDescription.sdp,
    });
    if (mine !== generation) return;
    await conn.setRemoteDescription(answer);
  } catch (err) {
    console.error("media", err);
    if (mine === generation) scheduleReconnect();
  }
}

function toggle(kind, button, onText, offText) {
  muted[kind] = !muted[kind];
  for (const t of local?.getTracks() || []) if (t.kind === kind) t.enabled = !muted[kind];
  if (kind === "video" && lightTrack) lightTrack.enabled = !muted.video;
  button.classList.toggle("on", muted[kind]);
  button.textContent = muted[kind] ? onText : offText;
}

async function changeDevice() {
  if (local) for (const t of local.getTracks()) t.stop();
  lightTrack?.stop();
  local = null;
  lightTrack = null;
  await connectMedia();
}

// For tests and the operator's console: what this kiosk is receiving.
window.hallStats = async () => {
  const out = { framesDecoded: 0, connectionState: pc?.connectionState ?? "none", layer };
  if (!pc) return out;
  for (const r of (await pc.getStats()).values()) {
    if (r.type === "inbound-rtp" && r.kind === "video") out.framesDecoded += r.framesDecoded || 0;
    if (r.type === "outbound-rtp" && r.kind === "video") {
      // what each of the two layers sends (by m-line: the first is full, the second light)
      (out.sent ||= []).push({ mid: r.mid, frames: r.framesEncoded || 0, width: r.frameWidth, height: r.frameHeight });
    }
  }
  return out;
};

async function main() {
  if (!meetingId) {
    status("Thiếu mã cuộc họp: mở trang với ?meeting=ID");
    return;
  }
  const me = await call("user:me").catch(() => null);
  live = liveMeeting(meetingId, { userId: me ? me.id ?? me.user?.id : null, pushes: PUSHES });
  live.onState((s) => {
    if (me) s.me_id = me.id ?? me.user?.id;
    render(s);
  });
  await live.ready;
  render(live.state());
  if (over) return;
  $("mute-audio").onclick = (e) => toggle("audio", e.currentTarget, "Bật micro", "Tắt micro");
  $("mute-video").onclick = (e) => toggle("video", e.currentTarget, "Bật camera", "Tắt camera");
  $("camera").onchange = changeDevice;
  $("microphone").onchange = changeDevice;
  // The server ends the media session when the socket drops: rejoin when it is back.
  let socketDown = false;
  onConnection((s) => {
    if (s === "connected" && socketDown) connectMedia();
    socketDown = s !== "connected";
    if (socketDown && !over) status("Mất kết nối máy chủ…");
  });
  setInterval(watchLayer, 1000);
  await connectMedia();
}

main();
