// The kiosk's vote: the open poll with one big button per option, a confirmation, and the
// option chosen shown after (remembered on this device: ballot.js, as on the tablets).
import { call } from "../api.js";
import { rememberVote, votedHere } from "./ballot.js";

const $ = (id) => document.getElementById(id);
const VOTERS = ["chair", "delegate", "point"];

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

function confirm(question, choice, secret) {
  const dlg = $("confirm");
  $("confirm-text").replaceChildren(
    "Biểu quyết: ", el("strong", {}, question), el("br"),
    "Điểm cầu chọn: ", el("strong", {}, choice), el("br"),
    el("small", {}, secret ? "Bỏ phiếu kín. Sau khi gửi, không thể thay đổi." : "Sau khi gửi, không thể thay đổi."),
  );
  $("confirm-ok").textContent = `Gửi: ${choice}`;
  return new Promise((resolve) => {
    dlg.addEventListener("close", () => resolve(dlg.returnValue === "ok"), { once: true });
    dlg.returnValue = "";
    dlg.showModal();
  });
}

/** Draw the open vote (or hide the panel when there is none for this kiosk to see). */
export function renderVote(state, onError) {
  const box = $("vote");
  const poll = (state.polls || []).find((p) => p.status === "open");
  if (!poll || !VOTERS.includes(state.my_role) || state.status !== "in_progress") {
    box.hidden = true;
    box.replaceChildren();
    delete box.dataset.pollId;
    return;
  }
  const me = state.me_id;
  const here = votedHere(me, poll.poll_id);
  const choice = here !== null ? here : poll.i_voted ? -1 : null;
  const key = `${poll.poll_id}:${choice}`;
  if (box.dataset.key === key && !box.hidden) return; // unchanged: keep focus and any dialog
  box.dataset.key = key;
  box.dataset.pollId = String(poll.poll_id);
  const vote = async (button, option) => {
    if (!(await confirm(poll.question, poll.options[option], poll.secret))) return;
    button.disabled = true;
    try {
      await call("poll:vote", { poll_id: poll.poll_id, option });
      rememberVote(me, poll.poll_id, option);
    } catch (err) {
      if (err.code === "conflict") rememberVote(me, poll.poll_id, -1);
      onError(err);
    } finally {
      button.disabled = false;
    }
    delete box.dataset.key;
    renderVote(state, onError);
  };
  box.hidden = false;
  box.replaceChildren(
    el("h2", {}, "Biểu quyết: ", poll.question, poll.secret ? el("span", { className: "muted" }, " (bỏ phiếu kín)") : null),
    choice === null
      ? el("div", { className: "options" }, poll.options.map((o, i) =>
        el("button", { type: "button", onclick: (e) => vote(e.currentTarget, i) }, o)))
      : el("p", { className: "my-vote", role: "status" }, choice >= 0
        ? ["Điểm cầu đã biểu quyết: ", el("strong", {}, poll.options[choice])]
        : "Điểm cầu đã biểu quyết."),
  );
}
