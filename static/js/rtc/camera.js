// The chair's own camera from the tablet (optional, off by default): a send-only session
// (rtc:join). While it runs the chair's own picture comes before the hall the chair sits in
// (/api §4), so everyone sees the chair when nobody holds the floor; turning it off
// (rtc:leave) gives the main stream back to the chair's hall.
import { h } from "../dom.js";
import { errorText, toast } from "../ui.js";

function gathered(pc) {
  // the server does not trickle: the offer carries its candidates
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
    setTimeout(resolve, 3000);
  });
}

export function chairCamera(ctx) {
  const { t } = ctx;
  let pc = null;
  let stream = null;
  const offText = t("Gửi hình từ máy này", "Send my camera");
  const onText = t("Dừng gửi hình từ máy này", "Stop my camera");
  const button = h("button", { type: "button", "aria-pressed": "false", "data-testid": "chair-camera" }, offText);
  const set = (on) => {
    button.setAttribute("aria-pressed", String(on));
    button.classList.toggle("on", on);
    button.textContent = on ? onText : offText;
  };
  const stop = () => {
    pc?.close();
    pc = null;
    for (const track of stream?.getTracks() || []) track.stop();
    stream = null;
    set(false);
  };
  button.onclick = async () => {
    button.disabled = true;
    try {
      if (pc) {
        stop();
        await ctx.call("rtc:leave", { meeting_id: ctx.meetingId });
        return;
      }
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
      pc = new RTCPeerConnection({ iceServers: [] });
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const answer = await ctx.call("rtc:join", { meeting_id: ctx.meetingId, type: "offer", sdp: pc.localDescription.sdp });
      await pc.setRemoteDescription(answer);
      set(true);
    } catch (err) {
      stop();
      toast(errorText(err), "error");
    } finally {
      button.disabled = false;
    }
  };
  return { el: button, stop };
}
