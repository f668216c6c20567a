// How the conclusions' pushes change a meeting's live state (/api §3.2).
import { upsert } from "../api.js";
import { STAFF } from "../roles.js";

const conclusionId = (c) => c.id ?? `item:${c.agenda_item_id ?? "overall"}`;

export const pushes = {
  "conclusion:updated": (state, body) => {
    state.conclusions = upsert(state.conclusions, body, conclusionId);
  },
  "conclusion:published": (state, body) => {
    const { conclusions, ...published } = body;
    state.conclusion_published = published;
    // Staff keep their drafts (conclusion:updated); everyone else sees what was published.
    if (!STAFF.includes(state.my_role)) state.conclusions = conclusions;
  },
};
