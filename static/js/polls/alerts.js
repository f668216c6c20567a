// The votes' alert on the meeting screen (told by parts/alerts.js, declared in the polls'
// feature, panel.js): a vote this user can cast is open. It applies until the vote closes or is
// cast (on any of the user's devices: i_voted; on this one: ballot.js).
import { votedHere } from "./ballot.js";

const TOLD = ["delegate", "point"]; // the chair opens the votes: nothing to tell them

/** The alerts that apply now: one "vote now" per open vote not yet cast (features.js, alerts). */
export function alerts(state, { user, t }) {
  if (state.status !== "in_progress" || !TOLD.includes(state.my_role)) return [];
  return (state.polls || [])
    .filter((poll) => poll.status === "open" && !poll.i_voted && votedHere(user.id, poll.poll_id) === null)
    .map((poll) => ({
      key: `vote-${poll.poll_id}`,
      kind: "vote",
      title: t("Đang biểu quyết — mời bạn biểu quyết", "A vote is open — please vote"),
      text: poll.question,
      action: t("Biểu quyết ngay", "Vote now"),
    }));
}
