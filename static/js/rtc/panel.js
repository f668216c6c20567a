// "Điểm cầu": the staff's view of every invited connection point (participants with role
// `point`) with a health dot from the rtc:points pushes (/api §3.2; every 2 s while anyone
// is connected), the link figures, which hall holds the main stream (rtc:main, or the
// snapshot's rtc.main), and for the chair mute audio / mute video (rtc:mute).
//
// Health:
//   connected (green)  the entry's state is "connected" and the link is good;
//   weak (amber)       connected but loss_pct ≥ 5, rtt_ms ≥ 400 or almost no bitrate coming in,
//                      or ICE "disconnected" (it may come back);
//   lost (red)         state failed/closed; or no entry (or no rtc:points at all for > 6 s)
//                      for a hall that was connected;
//   none (grey)        never connected here (or still connecting).
// Rows are keyed by user and updated in place, so a button is never replaced under a finger.
import { h, fill, useStyle } from "../dom.js";
import { busy } from "../ui.js";
import { STAFF } from "../roles.js";
import { chairCamera } from "./camera.js";

const STALE_MS = 6000;
const WEAK_LOSS_PCT = 5;
const WEAK_RTT_MS = 400;
// Less than this is next to nothing arriving (a stalled upstream while ICE still holds; even a
// hall whose camera and microphone are both off sends more). Not judged on a hall's first
// connected report, whose bitrate has no earlier sample yet (0).
const LOW_KBPS = 3;
const LIVE = ["scheduled", "in_progress"];

/** Whose camera the main stream is (a hall when the speaker speaks from it: source_id, v2):
 * the latest rtc:main push, else the snapshot's rtc. */
export function mainUserOf(state) {
  if (!state) return null;
  const push = state["rtc:main"];
  if (push && "user_id" in push) return ("source_id" in push ? push.source_id : push.user_id) ?? null;
  return (state.rtc && "source_id" in state.rtc ? state.rtc.source_id : state.rtc?.main) ?? null;
}

/** health(entry, wasConnected, settled) → "connected" | "weak" | "lost" | "none"
 * (settled: this is not the hall's first connected report, so its bitrate means something) */
export function health(entry, wasConnected, settled = true) {
  if (!entry) return wasConnected ? "lost" : "none";
  const s = entry.state;
  if (s === "failed" || s === "closed") return "lost";
  if (s === "disconnected") return "weak";
  if (s !== "connected") return wasConnected ? "weak" : "none"; // new / connecting
  const loss = Number(entry.loss_pct) || 0;
  const rtt = entry.rtt_ms == null ? 0 : Number(entry.rtt_ms);
  const kbps = entry.bitrate_kbps == null ? null : Number(entry.bitrate_kbps);
  if (loss >= WEAK_LOSS_PCT || rtt >= WEAK_RTT_MS || (settled && kbps !== null && kbps < LOW_KBPS)) return "weak";
  return "connected";
}

const fmt = (n, digits = 0) => (n == null || Number.isNaN(Number(n)) ? "–"
  : Number(n).toLocaleString("vi-VN", { maximumFractionDigits: digits }));

export default {
  id: "halls",
  label: { vi: "Điểm cầu", en: "Connection points" },
  roles: STAFF,
  mount(el, ctx) {
    useStyle("/static/js/rtc/halls.css");
    const { t } = ctx;
    const isChair = ctx.role === "chair";
    const rows = new Map(); // user_id -> row parts
    const wasConnected = new Set(); // halls seen connected since this panel opened
    const reports = new Map(); // user_id -> connected reports in a row (rtc:points pushes)
    const mutedHere = new Map(); // user_id -> Set(kind): what this chair last set (until points say)
    let lastPointsAt = 0;

    // The layer of the main stream a hall is sent (/api §4), when not the full one.
    const LAYER = {
      light: t("nhận hình chất lượng thấp", "getting the light picture"),
      audio: t("chỉ nhận âm thanh", "audio only"),
    };
    const LABEL = {
      connected: t("Đã kết nối", "Connected"),
      weak: t("Đường truyền yếu", "Weak link"),
      lost: t("Mất kết nối", "Lost"),
      none: t("Chưa kết nối", "Not connected"),
    };

    const counts = h("div.halls-counts", { "aria-live": "polite" });
    const mainLine = h("p.halls-main", { "data-testid": "halls-main" });
    const list = h("ul.halls-list", { "data-testid": "halls-list" });
    const emptyNote = h("p.empty", { hidden: true },
      t("Cuộc họp chưa mời điểm cầu nào.", "No connection points are invited to this meeting."));
    fill(el, h("div.halls-panel",
      h("div.halls-head", counts, mainLine,
        // the wall: the halls' pictures, 16 a page (static/wall.html, rtc:watch)
        h("a.button", { href: `/static/wall.html?meeting=${ctx.meetingId}`, target: "_blank", rel: "noopener" },
          t("Xem hình các điểm cầu", "See the halls")),
        isChair ? chairCamera(ctx).el : null),
      emptyNote,
      list,
      h("p.muted.halls-legend",
        t("Chấm xanh: đã kết nối · vàng: yếu (mất gói ≥ 5 %, trễ ≥ 400 ms hoặc gần như không có dữ liệu) · đỏ: mất kết nối · xám: chưa kết nối.",
          "Green: connected · amber: weak (loss ≥ 5 %, RTT ≥ 400 ms or almost no data) · red: lost · grey: not connected."))));

    function nameOf(state, userId) {
      const p = (state.participants || []).find((x) => x.user_id === userId);
      return p ? p.full_name : `#${userId}`;
    }

    function mutedOf(userId, entry) {
      if (entry && Array.isArray(entry.muted)) return new Set(entry.muted);
      if (entry && typeof entry.muted === "boolean") return new Set(entry.muted ? ["audio", "video"] : []);
      return mutedHere.get(userId) || new Set();
    }

    function setMuted(userId, kind, on) {
      const set = new Set(mutedOf(userId, currentEntry(userId)));
      if (on) set.add(kind); else set.delete(kind);
      mutedHere.set(userId, set);
    }

    function entries(state) {
      const fresh = Date.now() - lastPointsAt <= STALE_MS;
      const list = fresh ? state["rtc:points"]?.points || [] : [];
      return new Map(list.map((e) => [e.user_id, e]));
    }
    let byUser = new Map();
    const currentEntry = (userId) => byUser.get(userId);

    function makeRow(p) {
      const dot = h("span.halls-dot", { "aria-hidden": "true" });
      const name = h("strong.halls-name");
      const sub = h("span.muted.halls-sub");
      const stateText = h("span.halls-state");
      const mainBadge = h("span.badge.halls-main-badge", { hidden: true }, t("Hình chính", "Main stream"));
      const figures = h("span.halls-figures");
      const muteAudio = h("button.halls-mute", { type: "button", "data-kind": "audio" });
      const muteVideo = h("button.halls-mute", { type: "button", "data-kind": "video" });
      const toggle = (button, kind) => button.addEventListener("click", async () => {
        button.dataset.busy = "1";
        await busy(button, async () => {
          const on = button.getAttribute("aria-pressed") !== "true";
          await ctx.call("rtc:mute", { meeting_id: ctx.meetingId, user_id: p.user_id, kind, muted: on });
          setMuted(p.user_id, kind, on);
          // Until the next rtc:points confirms it, show what was asked for.
          const e = currentEntry(p.user_id);
          if (e) e.muted = [...mutedHere.get(p.user_id)];
        });
        delete button.dataset.busy;
        draw(ctx.state());
      });
      toggle(muteAudio, "audio");
      toggle(muteVideo, "video");
      const li = h("li.halls-row", { "data-user-id": p.user_id },
        dot,
        h("div.halls-text", h("div.halls-title", name, mainBadge), sub, h("div", stateText, figures)),
        isChair ? h("div.halls-tools", muteAudio, muteVideo) : null);
      return { li, dot, name, sub, stateText, mainBadge, figures, muteAudio, muteVideo };
    }

    function updateRow(r, p, entry, main, live) {
      if (entry && entry.state === "connected") wasConnected.add(p.user_id);
      const hv = health(entry, wasConnected.has(p.user_id), (reports.get(p.user_id) || 0) > 1);
      r.li.dataset.health = hv;
      r.li.className = `halls-row health-${hv}${main === p.user_id ? " is-main" : ""}`;
      r.li.dataset.main = String(main === p.user_id);
      r.dot.title = LABEL[hv];
      r.name.textContent = p.full_name;
      r.sub.textContent = [p.title, p.present ? t("có mặt", "present") : null].filter(Boolean).join(" · ");
      let stateText = LABEL[hv];
      if (entry && hv === "none") stateText = t("Đang kết nối…", "Connecting…");
      if (hv === "lost" && !entry) stateText = t("Mất kết nối (không còn tín hiệu)", "Lost (no signal)");
      r.stateText.textContent = stateText;
      r.mainBadge.hidden = main !== p.user_id;
      r.figures.textContent = entry && !["failed", "closed"].includes(entry.state)
        ? ` · ${fmt(entry.bitrate_kbps)} kbit/s · ${t("mất gói", "loss")} ${fmt(entry.loss_pct, 1)} % · RTT ${entry.rtt_ms == null ? "–" : fmt(entry.rtt_ms)} ms${LAYER[entry.layer] ? ` · ${LAYER[entry.layer]}` : ""}`
        : "";
      const muted = mutedOf(p.user_id, entry);
      for (const [button, kind, onText, offText] of [
        [r.muteAudio, "audio", t("Bật tiếng", "Unmute audio"), t("Tắt tiếng", "Mute audio")],
        [r.muteVideo, "video", t("Bật hình", "Show video"), t("Tắt hình", "Mute video")],
      ]) {
        const on = muted.has(kind);
        button.setAttribute("aria-pressed", String(on));
        button.classList.toggle("on", on);
        if (button.textContent !== (on ? onText : offText)) button.textContent = on ? onText : offText;
        button.setAttribute("aria-label", `${on ? onText : offText}: ${p.full_name}`);
        if (!button.dataset.busy) button.disabled = !live;
      }
      return hv;
    }

    function draw(state) {
      if (!state) return;
      byUser = entries(state);
      const points = (state.participants || []).filter((p) => p.role === "point")
        .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"));
      const main = mainUserOf(state);
      const live = LIVE.includes(state.status);
      const tally = { connected: 0, weak: 0, lost: 0, none: 0 };
      const keep = new Set();
      let prev = null;
      for (const p of points) {
        keep.add(p.user_id);
        let r = rows.get(p.user_id);
        if (!r) { r = makeRow(p); rows.set(p.user_id, r); }
        tally[updateRow(r, p, byUser.get(p.user_id), main, live)] += 1;
        // Keep the order without moving rows that are already in place.
        const want = prev ? prev.nextSibling : list.firstChild;
        if (want !== r.li) list.insertBefore(r.li, want);
        prev = r.li;
      }
      for (const [id, r] of rows) if (!keep.has(id)) { r.li.remove(); rows.delete(id); }
      emptyNote.hidden = points.length > 0;
      fill(counts,
        h("span.halls-count.health-connected", h("span.halls-dot"), t(`${tally.connected} đã kết nối`, `${tally.connected} connected`)),
        h("span.halls-count.health-weak", h("span.halls-dot"), t(`${tally.weak} yếu`, `${tally.weak} weak`)),
        h("span.halls-count.health-lost", h("span.halls-dot"), t(`${tally.lost} mất kết nối`, `${tally.lost} lost`)),
        h("span.halls-count.health-none", h("span.halls-dot"), t(`${tally.none} chưa kết nối`, `${tally.none} not connected`)));
      mainLine.textContent = main == null
        ? t("Hình chính: chưa có ai kết nối", "Main stream: nobody connected yet")
        : t(`Hình chính: ${nameOf(state, main)}`, `Main stream: ${nameOf(state, main)}`);
    }

    ctx.on("rtc:points", (data) => {
      lastPointsAt = Date.now();
      const now = new Map((data.points || []).map((e) => [e.user_id, e]));
      for (const id of new Set([...reports.keys(), ...now.keys()])) {
        if (now.get(id)?.state === "connected") reports.set(id, (reports.get(id) || 0) + 1);
        else reports.delete(id);
      }
    });
    ctx.onState(draw);
    draw(ctx.state());
    // Staleness has no push of its own: look again every second.
    const tick = setInterval(() => draw(ctx.state()), 1000);

    return { destroy() { clearInterval(tick); } };
  },
};
