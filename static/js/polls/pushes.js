// How the votes' push changes a meeting's live state (/api §3.2), handed to liveMeeting by
// the pages that show votes (features.js, hall.js).
import { upsert } from "../api.js";

const pollId = (p) => p.poll_id ?? p.id;

export const pushes = {
  "poll:state": (state, body) => { state.polls = upsert(state.polls, body, pollId); },
};
