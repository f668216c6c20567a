// How the documents' pushes change a meeting's live state (/api §3.2), handed to
// liveMeeting by the pages that show documents (features.js, hall.js).
import { upsert } from "../api.js";

export const pushes = {
  "document:added": (state, body) => { state.documents = upsert(state.documents, body); },
  "document:removed": (state, body) => {
    state.documents = (state.documents || []).filter((d) => d.id !== body.document_id);
  },
  // document_id null = stopped presenting; a fresh snapshot says null then too.
  "document:presented": (state, body) => { state.presented = body.document_id ? body : null; },
};
