// How the agenda's push changes a meeting's live state (/api §3.2), handed to liveMeeting
// by the meeting screen (screens/meeting.js), whose features read the agenda too.
export const pushes = {
  "agenda:updated": (state, body) => { state.agenda = body.items; },
};
