// What the kiosk's picture stands for: the speaker's name with the hall they speak from under it
// (rtc:main {user_id, source_id}, /api §4), and "Chưa có hình" instead of black or a frozen
// last frame when nobody's picture reaches this hall.

const $ = (id) => document.getElementById(id);

function person(state, userId) {
  return (state.participants || []).find((p) => p.user_id === userId) || null;
}

/** {user_id, source_id}: the latest rtc:main push, else the snapshot's. */
export function mainOf(state) {
  const push = state?.["rtc:main"];
  if (push && "user_id" in push) return { user: push.user_id ?? null, source: push.source_id ?? null };
  return { user: state?.rtc?.main ?? null, source: state?.rtc?.source_id ?? state?.rtc?.main ?? null };
}

export function renderCaption(state) {
  const speaker = state.floor?.speaker;
  const { user, source } = mainOf(state);
  const who = person(state, speaker ? speaker.user_id : user);
  const box = $("speaker");
  if (!who) {
    box.replaceChildren();
    return;
  }
  // The hall: where the picture comes from when it is a hall's, else where they sit.
  const hallId = source !== null && source !== who.user_id ? source : who.hall_id;
  const hall = hallId && hallId !== who.user_id ? person(state, hallId) : null;
  const small = document.createElement("small");
  small.textContent = hall ? hall.full_name : "";
  box.replaceChildren(who.full_name, ...(hall ? [small] : []));
}

/** Show the picture, or say there is none. `frames`: video frames are arriving now. */
export function showPicture(state, frames) {
  const { source } = mainOf(state);
  document.body.classList.toggle("nopicture", !frames);
  const box = $("nopicture");
  box.hidden = frames;
  // The hall on the main stream with the chair in it is sent nothing (/api §4).
  box.textContent = source !== null && source === state.me_id
    ? "Điểm cầu đang được truyền đi — chưa có hình từ nơi khác"
    : "Chưa có hình";
}
