// The meeting room panel: asking for the floor ("Xin phát biểu", place in the queue, "Đang phát
// biểu" with a countdown), the chair's console (active item, queue with grant / reject, the
// speaker with countdown and end, votes with live counts), the voting card, written opinions.
// State comes from ctx.state(): `floor` (floor:state) and `polls` (poll:state).
import { h, fill } from "../dom.js";
import { busy, dialog, showError } from "../ui.js";
import { countdown, noteFloor } from "./clock.js";
import { rememberVote, votedHere } from "./ballot.js";
import { pending, sendOrQueue } from "../offline/outbox.js";
import { isOffline, onOffline } from "../offline/status.js";

const REQUESTERS = ["delegate", "point", "secretary"];
const VOTERS = ["chair", "delegate", "point"];
const STAFF = ["chair", "secretary"];
const LIMITS = [0, 60, 120, 180, 300, 600, 900];

export function ensureStyle() {
  if (document.getElementById("floor-css")) return;
  document.head.append(h("link", { id: "floor-css", rel: "stylesheet", href: "/static/js/floor/floor.css" }));
}

function nameOf(state, userId) {
  const p = (state.participants || []).find((x) => x.user_id === userId);
  return p ? p.full_name : `#${userId}`;
}

export default {
  id: "floor",
  label: { vi: "Phát biểu & biểu quyết", en: "Floor & votes" },
  roles: null,
  mount(el, ctx) {
    ensureStyle();
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
    const voteBox = h("div.floor-votes-slot");
    const opinionBox = h("div.floor-opinions-slot");
    fill(el, h("div.floor-panel", speakingBox, askBox, consoleBox, voteBox, opinionBox));

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
    // Requests to speak and opinions made offline wait on the device (offline/outbox.js).
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

    // ---- votes ----------------------------------------------------------------------------------
    const question = h("input", { type: "text", maxlength: 2000, placeholder: t("Nội dung biểu quyết", "Question") });
    const secret = h("input", { type: "checkbox" });
    const createForm = h("form.poll-create", { onsubmit: async (e) => {
      e.preventDefault();
      if (!question.value.trim()) return;
      const item = (ctx.state().agenda || []).find((i) => i.active);
      const ok = await call(e.submitter, "poll:create", { meeting_id: ctx.meetingId, question: question.value.trim(),
        secret: secret.checked, ...(item ? { agenda_item_id: item.id } : {}) });
      if (ok) { question.value = ""; secret.checked = false; }
    } }, h("h3", t("Tạo biểu quyết", "New vote")), question,
      h("label.check.secret-check", secret, t("Bỏ phiếu kín", "Secret ballot")),
      h("button", { type: "submit" }, t("Tạo", "Create")));

    function results(poll) {
      if (!poll.counts) return null;
      const total = poll.counts.reduce((a, b) => a + b, 0) || 1;
      return h("div.results", poll.options.map((o, i) => h("div.bar",
        h("span", o), h("div", h("div.fill", { style: `width:${(100 * poll.counts[i]) / total}%` })),
        h("span.tally", String(poll.counts[i])))));
    }

    // The option this user chose, as this device remembers it (-1: voted, choice unknown here).
    function myChoice(poll) {
      const here = votedHere(me, poll.poll_id);
      if (here !== null) return here;
      return poll.i_voted ? -1 : null;
    }

    async function confirmVote(poll, option) {
      const choice = poll.options[option];
      const v = await dialog({
        title: t("Xác nhận biểu quyết", "Confirm your vote"),
        body: [
          h("p", t("Nội dung: ", "Question: "), h("strong", poll.question)),
          h("p.vote-choice", t("Bạn chọn: ", "Your choice: "), h("strong", choice)),
          h("p", poll.secret
            ? t("Bỏ phiếu kín: không ai thấy bạn chọn gì. Sau khi gửi, không thể thay đổi.", "Secret ballot: nobody sees your choice. Once sent, it cannot be changed.")
            : t("Sau khi gửi, không thể thay đổi. Khi kết thúc, tên và lựa chọn của bạn được công bố.", "Once sent, it cannot be changed. When the vote closes, your name and choice are shown.")),
        ],
        buttons: [{ text: t("Chọn lại", "Go back"), value: null },
          { text: t(`Gửi: ${choice}`, `Send: ${choice}`), value: "ok", primary: true }],
      });
      return v === "ok";
    }

    async function confirmClose(poll) {
      const eligible = poll.eligible ?? 0;
      const missing = Math.max(0, eligible - poll.voted);
      const v = await dialog({
        title: t("Kết thúc biểu quyết?", "Close the vote?"),
        body: [
          h("p", h("strong", poll.question)),
          h("p.close-count", { "data-testid": "close-count" }, eligible
            ? t(`${poll.voted} trên ${eligible} người đã biểu quyết${missing ? `; ${missing} người chưa biểu quyết` : ""}.`,
              `${poll.voted} of ${eligible} have voted${missing ? `; ${missing} have not` : ""}.`)
            : t(`${poll.voted} người đã biểu quyết.`, `${poll.voted} have voted.`)),
          h("p", missing
            ? t("Kết thúc bây giờ thì những người chưa biểu quyết không thể biểu quyết nữa. Kết quả được công bố ngay cho mọi người và không thể mở lại.",
              "Closing now, those who have not voted cannot vote any more. The result is shown to everyone at once and the vote cannot be reopened.")
            : t("Kết quả được công bố ngay cho mọi người và không thể mở lại.", "The result is shown to everyone at once and the vote cannot be reopened.")),
        ],
        buttons: [{ text: t("Chưa kết thúc", "Keep it open"), value: null },
          { text: t("Kết thúc biểu quyết", "Close the vote"), value: "ok", danger: true }],
      });
      return v === "ok";
    }

    function pollCard(poll) {
      const choice = myChoice(poll);
      const canVote = VOTERS.includes(role) && poll.status === "open" && choice === null;
      const head = h("div",
        h("strong", poll.question), " ",
        h("span.muted", poll.secret ? t("(bỏ phiếu kín)", "(secret)") : ""),
        " — ",
        h("span", { "data-testid": "poll-status" }, { draft: t("chưa mở", "not open"), open: t("đang biểu quyết", "open"), closed: t("đã kết thúc", "closed") }[poll.status]));
      const tally = h("div.tally", { "data-testid": "poll-voted" },
        t(`Đã biểu quyết: ${poll.voted}${poll.eligible != null ? "/" + poll.eligible : ""}`,
          `Voted: ${poll.voted}${poll.eligible != null ? "/" + poll.eligible : ""}`));
      const vote = async (button, option) => {
        if (!(await confirmVote(poll, option))) return;
        try {
          button.disabled = true;
          await ctx.call("poll:vote", { poll_id: poll.poll_id, option });
          rememberVote(me, poll.poll_id, option);
          ctx.toast(t(`Đã ghi nhận: ${poll.options[option]}`, `Vote recorded: ${poll.options[option]}`));
        } catch (err) {
          if (err.code === "conflict") rememberVote(me, poll.poll_id, -1);
          showError(err);
        } finally {
          button.disabled = false;
        }
        draw(ctx.state());
      };
      const mine = VOTERS.includes(role) && choice !== null
        ? h("p.my-vote", { "data-testid": "my-vote" }, choice >= 0
          ? [t("Bạn đã biểu quyết: ", "You voted: "), h("strong", poll.options[choice])]
          : t("Bạn đã biểu quyết.", "You have voted."))
        : null;
      // A vote is never kept to send later: offline, the card says it needs the link.
      const needsLink = canVote && isOffline()
        ? h("p.needs-link", { "data-testid": "vote-needs-link" },
          t("Biểu quyết cần có mạng: hãy chờ kết nối lại để bỏ phiếu.", "Voting needs the link: wait for it to return to vote."))
        : null;
      return h("div.poll", { "data-poll-id": poll.poll_id },
        head,
        needsLink,
        canVote && !needsLink ? h("div.options", poll.options.map((o, i) => h("button.primary-outline", { type: "button", onclick: (e) => vote(e.currentTarget, i) }, o))) : null,
        mine,
        tally,
        results(poll),
        poll.votes ? h("details", h("summary", t("Danh sách biểu quyết", "Who voted what")),
          h("ul", poll.votes.map((v) => h("li", `${v.full_name}: ${poll.options[v.option]}`)))) : null,
        isChair && poll.status === "draft" ? h("button.primary", { type: "button", onclick: (e) => call(e.currentTarget, "poll:open", { poll_id: poll.poll_id }) }, t("Mở biểu quyết", "Open")) : null,
        isChair && poll.status === "open" ? h("button.danger", { type: "button", onclick: async (e) => {
          const button = e.currentTarget;
          if (await confirmClose(poll)) await call(button, "poll:close", { poll_id: poll.poll_id });
        } }, t("Kết thúc biểu quyết", "Close")) : null);
    }

    // The card and the staff's "new vote" form are made once; only the polls are redrawn (moving
    // the form on every push took the focus from whoever was typing a question).
    const pollList = h("div.poll-list");
    fill(voteBox, h("div.card", h("h2", t("Biểu quyết", "Votes")), pollList, isStaff ? createForm : null));
    function drawVotes(state) {
      const polls = state.polls || [];
      const shown = isStaff ? polls : polls.filter((p) => p.status !== "draft");
      fill(pollList, shown.length ? shown.slice().reverse().map(pollCard) : h("p.muted", t("Chưa có biểu quyết", "No votes yet")));
      createForm.hidden = !(isStaff && state.status !== "ended" && state.status !== "cancelled");
    }

    // ---- opinions -------------------------------------------------------------------------------
    const opinions = new Map();
    const opinionText = h("textarea", { maxlength: 10000, rows: 3, placeholder: t("Ý kiến góp ý của bạn", "Your written opinion") });
    const opinionItem = h("select", { "aria-label": t("Về nội dung", "About") });
    const opinionList = h("ul.opinion-list");
    const opinionForm = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const text = opinionText.value.trim();
      if (!text) return;
      const item = opinionItem.value ? { agenda_item_id: Number(opinionItem.value) } : {};
      const ok = await sendLater(e.submitter, "opinion:submit", { meeting_id: ctx.meetingId, text, ...item },
        t(`góp ý “${text.slice(0, 40)}”`, `opinion “${text.slice(0, 40)}”`));
      if (ok) opinionText.value = "";
      if (ok?.sent) ctx.toast(t("Đã gửi góp ý", "Opinion sent"));
      drawOpinions();
    } }, opinionItem, opinionText, h("button.primary", { type: "submit" }, t("Gửi góp ý", "Send")));

    let itemsKey = null;
    function drawOpinionItems(state) {
      const key = JSON.stringify((state.agenda || []).map((i) => [i.id, i.title]));
      if (key === itemsKey) return;
      itemsKey = key;
      const keep = opinionItem.value;
      fill(opinionItem, h("option", { value: "" }, t("Cả cuộc họp", "The whole meeting")),
        (state.agenda || []).map((i) => h("option", { value: i.id, selected: String(i.id) === keep }, i.title)));
    }
    function drawOpinions() {
      const list = [...opinions.values()].sort((a, b) => a.id - b.id);
      const later = waiting("opinion:submit").map((x) => h("li.waiting", { "data-testid": "opinion-waiting" },
        h("div", h("span.on-device.fetching", t("Chờ gửi khi có mạng", "Waiting for the link"))),
        h("div", x.payload.text)));
      fill(opinionList, list.length || later.length ? [...list.map((o) => h("li",
        h("div", h("strong", o.full_name), " ", h("span.muted", new Date(o.created_at).toLocaleTimeString("vi-VN"))),
        h("div", o.text))), ...later] : h("li.muted", t("Chưa có góp ý", "No opinions yet")));
    }
    fill(opinionBox, h("div.card",
      h("h2", isStaff ? t("Góp ý của đại biểu", "Written opinions") : t("Góp ý bằng văn bản", "Written opinion")),
      role !== "observer" ? opinionForm : null,
      opinionList));
    // Offline the list comes when the link returns (the opinions are not kept on the device).
    const loadOpinions = () => ctx.call("opinion:list", { meeting_id: ctx.meetingId }).then((list) => {
      for (const o of list) opinions.set(o.id, o);
      drawOpinions();
    }, (err) => (err.code === "timeout" ? null : showError(err)));
    loadOpinions();
    const offLink = onOffline((down) => { if (!down) loadOpinions(); });
    ctx.on("opinion:added", (o) => { opinions.set(o.id, o); drawOpinions(); });

    // ---- drawing --------------------------------------------------------------------------------
    function draw(state) {
      if (!state) return;
      stopTimers();
      drawSpeaking(state);
      drawAsk(state);
      drawConsole(state);
      drawVotes(state);
      drawOpinionItems(state);
    }
    ctx.on("floor:state", (data) => noteFloor(data, true));
    const redraw = () => { draw(ctx.state()); drawOpinions(); };
    const offOffline = onOffline(redraw);
    window.addEventListener("hop:outbox", redraw);
    noteFloor(ctx.state()?.floor, false);
    ctx.onState(draw);
    draw(ctx.state());
    drawOpinions();

    return { destroy() { stopTimers(); offOffline(); offLink(); window.removeEventListener("hop:outbox", redraw); } };
  },
};
