// How the floor's push changes a meeting's live state (/api §3.2). Declared, not registered:
// the page that shows the floor hands this map to liveMeeting (features.js, hall.js, wall.js).
export const pushes = {
  "floor:state": (state, body) => { state.floor = body; },
};
