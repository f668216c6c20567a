// Feature panels on the meeting screen (documents, floor, votes, conclusions…).
//
// CONTRACT — a feature module default-exports:
//
//   export default {
//     id: "documents",                       // unique; also the tab's DOM id suffix
//     label: { vi: "Tài liệu", en: "Documents" },
//     roles: null,                           // null = everyone in the meeting; or a list of
//                                            // meeting roles that see it, e.g. ["chair", "secretary"]
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
//
// Handlers registered through ctx.on / ctx.onState are removed by the screen when it goes
// away, so a feature's destroy() need only undo what it did to the page itself.
//
// Add a feature by importing it here and listing it in `features`; a feature whose pushes
// change the meeting's state declares how in its pushes.js (api.js `registerPushes`), imported
// here too.

import floorPanels from "./floor/index.js";
import documents from "./docs/index.js";
import halls from "./rtc/halls.js";
import "./floor/pushes.js";
import "./docs/pushes.js";

export const features = [documents, ...floorPanels, halls];
