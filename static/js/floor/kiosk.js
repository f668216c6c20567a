// The kiosk's floor button: ask for the floor, see the place in the queue, withdraw; while
// this hall speaks, end its turn.
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
