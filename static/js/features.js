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
 * part is mounted only for the roles it admits; its pushes are all the parts' pushes; a part's
 * ctx.show(partId) shows this tab. */
export function together({ id, label, parts }) {
  return {
    id,
    label,
    roles: parts.some((p) => !p.roles) ? null : [...new Set(parts.flatMap((p) => p.roles))],
    pushes: Object.assign({}, ...parts.map((p) => p.pushes || {})),
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
