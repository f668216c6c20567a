// What the device keeps of the app's state between visits (issue 13): who is signed in and the
// last state of each meeting opened, so the app shows them with the link down. localStorage:
// small JSON, read synchronously at start. Cleared when the user signs out.
const USER = "hop:user";
const MEETING = "hop:meeting:";

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    console.warn("could not keep on the device", key, err); // full: the app works on, online
  }
}

export const keptUser = () => read(USER);
export const keepUser = (user) => write(USER, user);

/** The store api.js's liveMeeting keeps each meeting's state in (registerStateStore). */
export const meetingStore = {
  load: (meetingId) => read(MEETING + meetingId),
  save: (meetingId, state) => write(MEETING + meetingId, { ...state, kept_at: new Date().toISOString() }),
};

/** Everything kept for the user: on sign-out (a shared tablet must not show the last user's). */
export function forgetAll() {
  for (const key of Object.keys(localStorage)) if (key.startsWith("hop:")) localStorage.removeItem(key);
}
