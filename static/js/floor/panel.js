// The floor (phát biểu): asking for it ("Xin phát biểu", place in the queue, "Đang phát biểu"
// with a countdown) and the chair's console (active item, queue with grant / reject, the speaker
// with countdown and end). State comes from ctx.state().floor (floor:state, pushes.js). Shown in
// the "Phát biểu & biểu quyết" tab with the votes and the opinions (features.js).
import { h, fill, useStyle } from "../dom.js";
import { busy } from "../ui.js";
import { STAFF } from "../roles.js";
import { countdown, noteFloor } from "./clock.js";
import { pushes } from "./pushes.js";
import { alerts } from "./alerts.js";
import { pending, sendOrQueue } from "../offline/outbox.js";
import { onOffline } from "../offline/status.js";

const REQUESTERS = ["delegate", "point", "secretary"];
const LIMITS = [0, 60, 120, 180, 300, 600, 900];

function nameOf(state, userId) {
  const p = (state.participants || []).find((x) => x.user_id === userId);
  return p ? p.full_name : `#${userId}`;
}

export default {
  id: "floor",
  label: { vi: "Phát biểu", en: "Floor" },
  roles: null,
  pushes,
  alerts,
  mount(el, ctx) {
    useStyle("/static/js/floor/floor.css");
    const { t } = ctx;
    const role = ctx.role;
    const me = ctx.user.id;
    const isChair = role === "chair";
    const isStaff = STAFF.includes(role);
    const timers = new Set();
    let limit = Number(localStorage.getItem("floor:limit") || 300);

    const speakingBox = h("div.floor-speaking-slot");
    const askBox = h("div.floor-ask-slot");
    const consoleBox = h("div.floor-console-slot");
    fill(el, speakingBox, askBox, consoleBox);

    function stopTimers() {
      for (const c of timers) c.stop();
      timers.clear();
    }
    function timer(speaker) {
      const c = countdown(h, speaker);
      timers.add(c);
      return c;
    }
    const call = (button, event, payload) => busy(button, () => ctx.call(event, payload));
    // Requests to speak made offline wait on the device (offline/outbox.js).
    const sendLater = (button, event, payload, label) =>
      busy(button, () => sendOrQueue(event, payload, { meetingId: ctx.meetingId, label }));
    const waiting = (event) => pending(ctx.meetingId).filter((x) => x.event === event);

    // ---- asking for the floor, and speaking ------------------------------------------------
    const topic = h("input", { type: "text", name: "topic", maxlength: 500,
      placeholder: t("Nội dung muốn phát biểu (không bắt buộc)", "Topic (optional)") });

    function drawSpeaking(state) {
      const sp = state.floor?.speaker;
      if (!sp) return fill(speakingBox);
      const mine = sp.user_id === me;
      if (mine) {
        fill(speakingBox, h("div.floor-speaking", { "data-testid": "speaking" },
          h("div.title", t("Đang phát biểu", "You have the floor")),
          timer(sp),
          sp.time_limit_s ? h("div.muted", t(`Thời gian: ${Math.round(sp.time_limit_s / 60)} phút`, `Time: ${Math.round(sp.time_limit_s / 60)} min`)) : null,
          h("button.big.danger", { type: "button", onclick: (e) => call(e.currentTarget, "floor:end", { meeting_id: ctx.meetingId }) },
            t("Kết thúc phát biểu", "End my turn"))));
      } else if (isStaff) {
        fill(speakingBox); // the console shows the speaker
      } else {
        fill(speakingBox, h("div.card.floor-speaker",
          h("span.muted", t("Đang phát biểu:", "Speaking:")),
          h("span.who", sp.full_name || nameOf(state, sp.user_id)),
          sp.topic ? h("span.muted", sp.topic) : null,
          timer(sp)));
      }
    }

    let askKey = null;
    function drawAsk(state) {
      const floor = state.floor || { queue: [] };
      // Redrawn only when what it shows changes, so typing a topic is not interrupted: it
      // depends on my own request only (someone else's request must not move the topic input).
      const mineAt = floor.queue.findIndex((q) => q.user_id === me);
      const mine = mineAt >= 0 ? floor.queue[mineAt] : null;
      const key = JSON.stringify([state.status, floor.speaker?.user_id === me,
        mine ? [mine.request_id, mineAt, mine.topic] : null]);
      if (key === askKey) return;
      askKey = key;
      if (!REQUESTERS.includes(role) || state.status !== "in_progress") return fill(askBox);
      if (floor.speaker?.user_id === me) return fill(askBox);
      const at = floor.queue.findIndex((q) => q.user_id === me);
      if (at >= 0) {
        const req = floor.queue[at];
        fill(askBox, h("div.card.floor-ask",
          h("div.place", { "data-testid": "queue-place" },
            t(`Bạn đã đăng ký phát biểu — vị trí thứ ${at + 1} trong danh sách chờ`, `Requested — number ${at + 1} in the queue`)),
          req.topic ? h("div.muted", req.topic) : null,
          h("button", { type: "button", onclick: (e) => call(e.currentTarget, "floor:withdraw", { request_id: req.request_id }) },
            t("Rút đăng ký", "Withdraw"))));
        return;
      }
      if (waiting("floor:request").length) {
        fill(askBox, h("div.card.floor-ask", h("div.place", { "data-testid": "queue-place" },
          t("Đăng ký phát biểu đã lưu trên máy, sẽ gửi khi có mạng", "Request kept on this device, sent when the link returns"))));
        return;
      }
      fill(askBox, h("div.card.floor-ask",
        topic,
        h("button.primary.ask", { type: "button", onclick: async (e) => {
          const ok = await sendLater(e.currentTarget, "floor:request", { meeting_id: ctx.meetingId, topic: topic.value.trim() },
            t("đăng ký phát biểu", "request to speak"));
          if (ok) { topic.value = ""; draw(ctx.state()); }
        } }, t("Xin phát biểu", "Request the floor"))));
    }

    // ---- the chair's console ------------------------------------------------------------------
    // The console's frame and its time-limit <select> are made once: redrawing them on every
    // push would take the focus (and an open list of choices) away from the chair.
    let consoleParts = null;
    function drawConsole(state) {
      if (!isStaff) return fill(consoleBox);
      const floor = state.floor || { speaker: null, queue: [] };
      const item = (state.agenda || []).find((i) => i.active);
      const sp = floor.speaker;
      if (!consoleParts) {
        const limitSelect = h("select", { id: `floor-limit-${ctx.meetingId}`,
          onchange: (e) => { limit = Number(e.target.value); localStorage.setItem("floor:limit", String(limit)); } },
          LIMITS.map((s) => h("option", { value: s, selected: s === limit },
            s ? t(`${s / 60} phút`, `${s / 60} min`) : t("Không giới hạn", "No limit"))));
        consoleParts = {
          item: h("span.floor-active-item"),
          speaker: h("div.floor-console-speaker"),
          queueTitle: h("span"),
          limit: h("label.floor-limit", { hidden: true },
            t("Thời gian mỗi lượt phát biểu", "Time for each speaker"), limitSelect),
          queue: h("div.floor-console-queue"),
        };
        fill(consoleBox, h("div.card",
          h("h2", isChair ? t("Điều hành phiên họp", "Chair's console") : t("Danh sách phát biểu", "Speakers")),
          h("p", t("Nội dung đang thảo luận: ", "Under discussion: "), consoleParts.item),
          consoleParts.speaker,
          h("h3", consoleParts.queueTitle),
          isChair ? consoleParts.limit : null,
          consoleParts.queue));
      }
      consoleParts.item.textContent = item ? item.title : t("(chưa chọn)", "(none)");
      consoleParts.queueTitle.textContent = t(`Đăng ký phát biểu (${floor.queue.length})`, `Queue (${floor.queue.length})`);
      consoleParts.limit.hidden = !floor.queue.length;
      fill(consoleParts.speaker,
        sp ? h("div.floor-speaker", { "data-testid": "console-speaker" },
          h("span.who", sp.full_name || nameOf(state, sp.user_id)),
          timer(sp),
          isChair ? h("button.danger", { type: "button", onclick: (e) => call(e.currentTarget, "floor:end", { meeting_id: ctx.meetingId }) },
            t("Kết thúc", "End")) : null)
          : h("p.muted", t("Chưa có ai phát biểu", "Nobody has the floor")));
      fill(consoleParts.queue,
        floor.queue.length ? h("ol.floor-queue", floor.queue.map((q, i) => h("li", { "data-request-id": q.request_id },
          h("span.n", `${i + 1}.`),
          h("span.who", h("strong", q.full_name || nameOf(state, q.user_id)), q.topic ? h("span.muted", ` — ${q.topic}`) : null),
          isChair ? h("button.primary", { type: "button", "data-action": "grant",
            onclick: (e) => call(e.currentTarget, "floor:grant", { request_id: q.request_id, ...(limit ? { time_limit_s: limit } : {}) }) },
          t("Cho phát biểu", "Grant")) : null,
          isChair ? h("button.danger", { type: "button", onclick: (e) => call(e.currentTarget, "floor:reject", { request_id: q.request_id }) },
            t("Từ chối", "Reject")) : null)))
          : h("p.muted", t("Chưa có ai đăng ký", "No requests")));
    }

    function draw(state) {
      if (!state) return;
      stopTimers();
      drawSpeaking(state);
      drawAsk(state);
      drawConsole(state);
    }
    ctx.on("floor:state", (data) => noteFloor(data, true));
    const redraw = () => draw(ctx.state());
    const offOffline = onOffline(redraw);
    window.addEventListener("hop:outbox", redraw);
    noteFloor(ctx.state()?.floor, false);
    ctx.onState(draw);
    draw(ctx.state());

    return { destroy() { stopTimers(); offOffline(); window.removeEventListener("hop:outbox", redraw); } };
  },
};
