// How a written opinion's push changes a meeting's live state (/api §3.2).
import { upsert } from "../api.js";

export const pushes = {
  "opinion:added": (state, body) => { state.opinions = upsert(state.opinions, body); },
};
