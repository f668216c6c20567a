// Vietnamese first; English on request. The choice is remembered in localStorage and in a
// `lang` cookie, so the server-rendered pages (login) follow it too.

const KEY = "lang";
const listeners = new Set();

function fromCookie() {
  const m = document.cookie.match(/(?:^|;\s*)lang=(vi|en)/);
  return m ? m[1] : null;
}

let current = localStorage.getItem(KEY) || fromCookie() || "vi";
if (current !== "en") current = "vi";
document.documentElement.lang = current;

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === "en" ? "en" : "vi";
  localStorage.setItem(KEY, current);
  document.cookie = `lang=${current}; path=/; max-age=31536000; samesite=lax`;
  document.documentElement.lang = current;
  for (const fn of listeners) fn(current);
}

export function onLang(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** t("Tiếng Việt", "English") → the text in the current language. */
export function t(vi, en) {
  return current === "en" ? en : vi;
}

// Labels for the protocol's enum values.
const LABELS = {
  status: {
    draft: ["Bản nháp", "Draft"],
    scheduled: ["Đã phát hành", "Scheduled"],
    in_progress: ["Đang họp", "In progress"],
    ended: ["Đã kết thúc", "Ended"],
    cancelled: ["Đã huỷ", "Cancelled"],
  },
  role: {
    chair: ["Chủ trì", "Chair"],
    secretary: ["Thư ký", "Secretary"],
    delegate: ["Đại biểu", "Delegate"],
    observer: ["Khách mời", "Observer"],
    point: ["Điểm cầu", "Connection point"],
  },
  response: {
    pending: ["Chưa trả lời", "No answer yet"],
    accepted: ["Tham dự", "Attending"],
    declined: ["Vắng mặt", "Declined"],
    delegated: ["Cử người thay", "Sent a deputy"],
  },
  kind: {
    province: ["Tỉnh", "Province"],
    district: ["Huyện", "District"],
    commune: ["Xã/phường", "Commune/ward"],
    department: ["Sở/ban/ngành", "Department"],
  },
};

/** label("status", "draft") → "Bản nháp" */
export function label(group, value) {
  const pair = LABELS[group]?.[value];
  return pair ? t(pair[0], pair[1]) : String(value ?? "");
}

export function labelKeys(group) {
  return Object.keys(LABELS[group] || {});
}
