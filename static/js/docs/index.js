// Documents (panel.js, viewer.js) as a feature panel (contract: ../features.js).
import documents from "./panel.js";

export default documents;
