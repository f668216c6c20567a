// The floor's alert on the meeting screen (told by parts/alerts.js, declared in the floor's
// feature, panel.js): the chair has given this user the floor. It applies while their turn
// lasts, so the banner goes when the turn ends.

/** The alerts that apply now: [] or the one "you have the floor" (features.js, alerts). */
export function alerts(state, { user, t }) {
  const sp = state.floor?.speaker;
  if (state.status !== "in_progress" || !sp || sp.user_id !== user.id) return [];
  const min = Math.round((sp.time_limit_s || 0) / 60);
  const limit = sp.time_limit_s ? t(` Thời gian: ${min} phút.`, ` Time: ${min} min.`) : "";
  return [{
    key: `floor-${sp.request_id}`,
    kind: "floor",
    title: t("Chủ trì đã mời bạn phát biểu", "The chair has given you the floor"),
    text: t("Mời bạn bật micro và phát biểu.", "Please turn on your microphone and speak.") + limit,
  }];
}
