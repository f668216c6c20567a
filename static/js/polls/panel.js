// Votes (biểu quyết): the staff's "new vote" form, the chair's open / close, the voting card with
// its confirmation, live counts and results. State comes from ctx.state().polls (poll:state,
// pushes.js); this device remembers its own ballots (ballot.js).
import { h, fill, useStyle } from "../dom.js";
import { busy, dialog, showError } from "../ui.js";
import { STAFF } from "../roles.js";
import { rememberVote, votedHere } from "./ballot.js";
import { pushes } from "./pushes.js";
import { alerts } from "./alerts.js";
import { isOffline, onOffline } from "../offline/status.js";

const VOTERS = ["chair", "delegate", "point"];

export default {
  id: "polls",
  label: { vi: "Biểu quyết", en: "Votes" },
  roles: null,
  pushes,
  alerts,
  mount(el, ctx) {
    useStyle("/static/js/polls/polls.css");
    const { t } = ctx;
    const role = ctx.role;
    const me = ctx.user.id;
    const isChair = role === "chair";
    const isStaff = STAFF.includes(role);
    const call = (button, event, payload) => busy(button, () => ctx.call(event, payload));

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
    fill(el, h("div.card", h("h2", t("Biểu quyết", "Votes")), pollList, isStaff ? createForm : null));
    function drawVotes(state) {
      const polls = state.polls || [];
      const shown = isStaff ? polls : polls.filter((p) => p.status !== "draft");
      fill(pollList, shown.length ? shown.slice().reverse().map(pollCard) : h("p.muted", t("Chưa có biểu quyết", "No votes yet")));
      createForm.hidden = !(isStaff && state.status !== "ended" && state.status !== "cancelled");
    }

    const draw = (state) => { if (state) drawVotes(state); };
    const offOffline = onOffline(() => draw(ctx.state()));
    ctx.onState(draw);
    draw(ctx.state());

    return { destroy() { offOffline(); } };
  },
};
