// Feature panels on the meeting screen (documents, floor, votes, conclusions…).
//
// CONTRACT — a feature module default-exports:
//
//   export default {
//     id: "documents",                       // unique; also the tab's DOM id suffix
//     label: { vi: "Tài liệu", en: "Documents" },
//     roles: null,                           // null = everyone in the meeting; or a list of
//                                            // meeting roles that see it, e.g. ["chair", "secretary"]
//     pushes: { "document:added": (state, body) => { ... } }, // optional: see below
//     alerts(state, ctx) { return [...]; },  // optional: see below
//     mount(el, ctx) { ...; return { destroy() { ... } }; },
//   };
//
// The meeting screen shows each feature whose `roles` admit the user's `my_role` as a tab,
// and calls mount(el, ctx) once, with an empty element that belongs to the feature, when the
// meeting's first snapshot has arrived. destroy() is called when the user leaves the meeting
// screen (or the language changes and the screen is drawn again). ctx:
//
//   meetingId                 number
//   user                      the signed-in user (user:me)
//   role                      the user's role in this meeting (my_role), or null
//   state()                   the current live state: the meeting:join snapshot with every push
//                             applied (/api §3.3; pushes by name: floor:state → state.floor,
//                             poll:state → state.polls[], document:added → state.documents[] …)
//   call(event, payload)      → Promise of the ack's data; rejects with {code, message, details}
//   on(pushEvent, handler)    → unsubscribe; handler(data) for this meeting's pushes, called
//                             after the push has been applied to state()
//   onState(handler)          → unsubscribe; handler(state) after any change of state
//                             (a push, or a fresh snapshot after a reconnect or a seq gap)
//   t(vi, en)                 → the text in the user's language
//   toast(message)            shows a short message
//   show(featureId)           brings that feature's tab forward (as a tap on it would), e.g. the
//                             documents panel when the presenter turns a page; never query or
//                             click another panel's DOM
//
// Handlers registered through ctx.on / ctx.onState are removed by the screen when it goes
// away, so a feature's destroy() need only undo what it did to the page itself.
//
// A feature that changes the meeting's live state declares how in a `pushes` field: a map of
// push event → reducer (state, body) => void, kept in its folder's pushes.js. Nothing registers
// on import: the meeting screen hands every listed feature's pushes to liveMeeting (api.js).
//
// A feature that needs the person at once, whatever tab they are reading (the floor given to
// them, a vote they can cast), declares it in an `alerts(state, ctx)` field, kept in its folder's
// alerts.js. The meeting screen asks every feature it shows on every change of state, with ctx
// {user, role (state.my_role), t}; it returns the alerts that apply now, each
//
//   { key: "vote-12",                        // one thing to tell; a key the person dismissed is
//                                            // not shown again on this screen
//     kind: "vote",                          // the banner's class and its data-testid alert-<kind>
//     title, text,                           // in the user's language (ctx.t)
//     action: t("Biểu quyết ngay", "Vote now") } // optional: the button opening the tab ("Xem")
//
// and parts/alerts.js tells them: a banner until dismissed or no longer returned, a beep and a
// vibration for what appears after the screen opened, and the feature's own tab marked until
// opened (a part of a shared tab marks and opens that tab).
//
// Add a feature by importing it here and listing it in `features`. Each subject has one folder
// (static/js/<subject>/): its panel (panel.js), its pushes (pushes.js) and its CSS side by side.
// Several subjects can share one tab: together({id, label, parts}) stacks their panels.

import documents from "./documents/panel.js";
import floor from "./floor/panel.js";
import polls from "./polls/panel.js";
import opinions from "./opinions/panel.js";
import conclusions from "./conclusions/panel.js";
import halls from "./rtc/panel.js";
import { h, fill } from "./dom.js";

/** One tab holding several features' panels, in order (each mounted in a .panel-part of one
 * .panel-stack, so their cards space as one list). Its roles admit whoever any part admits; a
 * part is mounted only for the roles it admits; its pushes are all the parts' pushes, its alerts
 * those of the parts that admit the role (opening and marking this tab); a part's
 * ctx.show(partId) shows this tab. */
export function together({ id, label, parts }) {
  return {
    id,
    label,
    roles: parts.some((p) => !p.roles) ? null : [...new Set(parts.flatMap((p) => p.roles))],
    pushes: Object.assign({}, ...parts.map((p) => p.pushes || {})),
    alerts: (state, ctx) => parts
      .filter((p) => p.alerts && (!p.roles || p.roles.includes(ctx.role)))
      .flatMap((p) => p.alerts(state, ctx) || []),
    mount(el, ctx) {
      const stack = h("div.panel-stack");
      fill(el, stack);
      const ids = new Set(parts.map((p) => p.id));
      const partCtx = { ...ctx, show: (featureId) => ctx.show(ids.has(featureId) ? id : featureId) };
      const handles = [];
      try {
        for (const part of parts) {
          if (part.roles && !part.roles.includes(ctx.role)) continue;
          const box = h("div.panel-part", { "data-part": part.id });
          stack.append(box);
          handles.push(part.mount(box, partCtx));
        }
      } catch (err) {
        for (const handle of handles) handle?.destroy?.();
        throw err;
      }
      return {
        destroy() {
          for (const handle of handles) {
            try { handle?.destroy?.(); } catch (err) { console.error("panel part destroy", err); }
          }
        },
      };
    },
  };
}

// The floor, the votes and the written opinions share the meeting room's tab.
const room = together({
  id: "floor",
  label: { vi: "Phát biểu & biểu quyết", en: "Floor & votes" },
  parts: [floor, polls, opinions],
});

export const features = [documents, room, conclusions, halls];
