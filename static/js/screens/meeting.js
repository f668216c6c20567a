// One meeting, live: what/when/where, the staff's controls, my answer to the invitation, the
// counts and quorum, the agenda, the participants, and the feature panels (features.js).
import { call, liveMeeting } from "../api.js";
import { h, fill } from "../dom.js";
import { lang, t } from "../i18n.js";
import { fmtRange } from "../format.js";
import { icon } from "../icons.js";
import { badge, showError, toast } from "../ui.js";
import { features } from "../features.js";
import { renderAgenda } from "../agenda/panel.js";
import { pushes as agendaPushes } from "../agenda/pushes.js";
import { renderParticipants } from "../parts/participants.js";
import { renderInvitation } from "../parts/invitation.js";
import { renderStaffActions } from "../parts/meeting-actions.js";
import { renderSummary } from "../parts/summary.js";
import { mountAlerts } from "../parts/alerts.js";

export function mount(el, { user, params, navigate }) {
  const meetingId = params.meetingId;
  // Every push this screen follows: the agenda's (a tab of its own) and each feature's, declared
  // by the features themselves (features.js).
  const pushes = Object.assign({}, agendaPushes, ...features.map((f) => f.pushes || {}));
  const live = liveMeeting(meetingId, { userId: user?.id, pushes });
  const lastTab = sessionStorage.getItem(`tab:${meetingId}`);

  const head = h("div.meeting-head");
  const actions = h("div.meeting-actions");
  const invitation = h("div.invitation-slot");
  const summary = h("div.summary-slot");
  const kiosk = h("div.kiosk-slot");
  const tabBar = h("div.tabs", { role: "tablist", "aria-label": t("Các phần của cuộc họp", "Parts of the meeting") });
  const panels = h("div.tab-panels");
  fill(el, h("section.meeting", { "data-meeting-id": meetingId },
    h("p.loading.muted", t("Đang tải cuộc họp…", "Loading the meeting…"))));

  // The screen's own context for its parts (not the feature ctx).
  const screen = { meetingId, user, live, navigate, state: () => live.state() };

  const tabs = [
    { id: "agenda", label: t("Chương trình", "Agenda"), render: renderAgenda },
    { id: "participants", label: t("Thành phần", "Participants"), render: renderParticipants },
  ];
  const tabEls = new Map();
  let active = null;
  const shownFeatures = []; // the features this user's role admits, each with its tab
  const mounted = []; // {feature, handle, offs}
  let alerts = null;

  function selectTab(id, focus = false) {
    active = id;
    sessionStorage.setItem(`tab:${meetingId}`, id);
    for (const [tid, { button, panel }] of tabEls) {
      const on = tid === id;
      button.setAttribute("aria-selected", String(on));
      button.tabIndex = on ? 0 : -1; // roving tabindex: Tab enters the bar at the open tab
      button.classList.toggle("active", on);
      panel.hidden = !on;
      if (on) {
        button.classList.remove("alerted"); // seen: the "something needs you" mark goes
        if (focus) button.focus();
      }
    }
  }

  // ARIA tabs (WAI-ARIA APG): arrows move between tabs and open them, Home/End go to the ends.
  tabBar.addEventListener("keydown", (ev) => {
    const ids = [...tabEls.keys()];
    const at = ids.indexOf(active);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[ev.key];
    if (to === undefined || at < 0) return;
    ev.preventDefault();
    selectTab(ids[(to + ids.length) % ids.length], true);
  });

  function addTab(id, text) {
    const button = h("button.tab", {
      type: "button", role: "tab", id: `tab-${id}`, "aria-controls": `panel-${id}`, "aria-selected": "false",
      tabindex: -1, "data-tab": id, onclick: () => selectTab(id),
    }, h("span.tab-label", text), h("span.tab-alert", { "aria-hidden": "true" }));
    const panel = h("div.tab-panel", { role: "tabpanel", id: `panel-${id}`, "aria-labelledby": `tab-${id}`, tabindex: 0, hidden: true });
    tabBar.append(button);
    panels.append(panel);
    tabEls.set(id, { button, panel });
    return panel;
  }

  // Another part asks for a tab to be shown (a feature through ctx.show, the alerts), or marked
  // until it is opened (the alerts).
  function show(id) {
    if (tabEls.has(id)) selectTab(id);
  }
  function mark(id) {
    const entry = tabEls.get(id);
    if (entry && id !== active) entry.button.classList.add("alerted");
  }

  function mountFeatures(state) {
    for (const feature of features) {
      if (feature.roles && !feature.roles.includes(state.my_role)) continue;
      shownFeatures.push(feature);
      const panel = addTab(feature.id, feature.label?.[lang()] || feature.label?.vi || feature.id);
      const offs = [];
      const ctx = {
        meetingId,
        user,
        role: state.my_role,
        state: () => live.state(),
        call,
        on: (event, fn) => { const off = live.on(event, fn); offs.push(off); return off; },
        onState: (fn) => { const off = live.onState(fn); offs.push(off); return off; },
        t,
        toast: (message) => toast(message),
        show,
      };
      try {
        mounted.push({ feature, handle: feature.mount(panel, ctx), offs });
      } catch (err) {
        console.error(`feature ${feature.id} failed to mount`, err);
        fill(panel, h("p.error", t("Không hiển thị được phần này", "This panel could not be shown")));
        offs.forEach((f) => f());
      }
    }
  }

  function draw(state) {
    const m = state;
    fill(head,
      h("div.meeting-title-row",
        h("a.back", { href: "#/", "aria-label": t("Về lịch họp", "Back to my meetings") }, "‹"),
        h("h1", m.title),
        badge("status", m.status),
        m.my_role ? badge("role", m.my_role) : null),
      h("p.meeting-when", h("span", icon("clock", 18), fmtRange(m.starts_at, m.ends_at)),
        m.location ? h("span", icon("pin", 18), m.location) : null),
      m.status === "cancelled" && m.cancel_reason
        ? h("p.notice.cancelled", t("Đã huỷ. Lý do: ", "Cancelled. Reason: "), m.cancel_reason) : null,
      m.description ? h("p.meeting-desc", m.description) : null);
    renderStaffActions(actions, state, screen);
    renderInvitation(invitation, state, screen);
    renderSummary(summary, state, screen);
    for (const tab of tabs) tab.render(tabEls.get(tab.id).panel, state, screen);
  }

  let shown = false;
  const offState = live.onState((state) => { if (state && shown) draw(state); });
  live.ready.then((state) => {
    shown = true;
    window.dispatchEvent(new CustomEvent("hop:meeting-open", { detail: meetingId }));
    fill(el.querySelector("section.meeting"), head, actions, kiosk, invitation, summary, tabBar, panels);
    if (state.my_role === "point") {
      // A connection point runs the meeting on its hall's screen (the kiosk, static/hall.html).
      fill(kiosk, h("div.card.kiosk-open",
        h("p", t("Màn hình điểm cầu: hình ảnh chính toàn màn hình, tài liệu đang trình chiếu, đăng ký phát biểu, camera và micro.",
          "The hall's screen: the main stream full-screen, the presented document, request to speak, camera and microphone.")),
        h("a.button.primary.big", { href: `/static/hall.html?meeting=${meetingId}`, "data-testid": "open-kiosk" },
          t("Mở màn hình điểm cầu", "Open the hall screen"))));
    }
    for (const tab of tabs) addTab(tab.id, tab.label);
    mountFeatures(state);
    selectTab(tabEls.has(lastTab) ? lastTab : "agenda");
    draw(state);
    // What needs the user at once, each shown feature declaring its own (features.js, alerts).
    alerts = mountAlerts(live, {
      features: shownFeatures,
      user,
      open: (id) => { show(id); tabEls.get(id)?.panel.scrollIntoView({ block: "start" }); },
      mark,
    });
  }, (err) => {
    const missing = err.code === "not_found" || err.code === "forbidden";
    fill(el.querySelector("section.meeting"), h("div.card",
      h("h1", missing ? t("Không tìm thấy cuộc họp", "Meeting not found") : t("Không mở được cuộc họp", "Could not open the meeting")),
      h("p", err.message),
      h("a.button", { href: "#/" }, t("Về lịch họp", "Back to my meetings"))));
    if (!missing) showError(err);
  });

  return {
    destroy() {
      offState();
      alerts?.destroy();
      for (const { feature, handle, offs } of mounted) {
        offs.forEach((f) => f());
        try { handle?.destroy?.(); } catch (err) { console.error(`feature ${feature.id} destroy`, err); }
      }
      live.close();
    },
  };
}
