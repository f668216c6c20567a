// The kiosk's floor button: ask for the floor, see the place in the queue, withdraw; while
// this hall speaks, end its turn. And the kiosk's "your hall has the floor" alert (told by
// parts/hall-alerts.js until the operator dismisses it or the turn ends).
import { call } from "../api.js";

const $ = (id) => document.getElementById(id);

export function renderFloor(state, onError) {
  const button = $("request");
  const me = state.me_id;
  const queue = state.floor?.queue || [];
  const speaking = state.floor?.speaker?.user_id === me;
  const place = queue.findIndex((q) => q.user_id === me);
  const live = state.status === "in_progress";
  button.hidden = !live;
  if (speaking) {
    button.textContent = "Kết thúc phát biểu";
    $("queue").textContent = "Điểm cầu đang phát biểu";
    button.onclick = () => call("floor:end", { meeting_id: state.id }).catch(onError);
  } else if (place >= 0) {
    button.textContent = "Rút đăng ký";
    $("queue").textContent = `Đã đăng ký phát biểu — thứ ${place + 1}/${queue.length}`;
    const request = queue[place].request_id;
    button.onclick = () => call("floor:withdraw", { request_id: request }).catch(onError);
  } else {
    button.textContent = "Đăng ký phát biểu";
    $("queue").textContent = "";
    button.onclick = () => call("floor:request", { meeting_id: state.id }).catch(onError);
  }
}

/** The kiosk's alerts that apply now: [] or the one "the chair has given this hall the floor". */
export function alerts(state) {
  const sp = state?.status === "in_progress" ? state.floor?.speaker : null;
  if (!sp || sp.user_id !== state.me_id) return [];
  return [{ key: `floor-${sp.request_id}`, text: "Chủ trì đã mời điểm cầu phát biểu — mời bật micro và phát biểu." }];
}
