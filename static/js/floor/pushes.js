// How the floor's, the votes', the opinions' and the conclusions' pushes change a meeting's
// live state (the core's api.js applies them; /api §3.2).
import { registerPushes, upsert } from "../api.js";

const pollId = (p) => p.poll_id ?? p.id;
const conclusionId = (c) => c.id ?? `item:${c.agenda_item_id ?? "overall"}`;

registerPushes({
  "floor:state": (state, body) => { state.floor = body; },
  "poll:state": (state, body) => { state.polls = upsert(state.polls, body, pollId); },
  "opinion:added": (state, body) => { state.opinions = upsert(state.opinions, body); },
  "conclusion:updated": (state, body) => {
    state.conclusions = upsert(state.conclusions, body, conclusionId);
  },
  "conclusion:published": (state, body) => {
    const { conclusions, ...published } = body;
    state.conclusion_published = published;
    // Staff keep their drafts (conclusion:updated); everyone else sees what was published.
    if (!["chair", "secretary"].includes(state.my_role)) state.conclusions = conclusions;
  },
});
