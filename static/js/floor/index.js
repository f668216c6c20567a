// The floor, votes, opinions (panel.js) and conclusions with the notice and minutes
// (conclusions.js), as feature panels (contract: ../features.js).
import floor from "./panel.js";
import conclusions from "./conclusions.js";

export { floor, conclusions };
export default [floor, conclusions];
