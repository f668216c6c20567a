// An in-page PDF viewer on pdf.js (pdfjs-dist from npm): one page at a time on a canvas, fetched
// lazily with HTTP Range (weak links), page navigation, zoom by buttons, by ctrl+wheel and by
// pinching with two fingers on a tablet (the page is scaled with CSS while the fingers move and
// drawn sharp when they lift); swiping left/right turns the page when not zoomed in.
import * as pdfjsLib from "/static/node_modules/pdfjs-dist/build/pdf.min.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/static/node_modules/pdfjs-dist/build/pdf.worker.min.mjs";

const MIN_ZOOM = 0.5;
const MAX_ZOOM = 4;

/**
 * createViewer(el, {onPage(page, pages)}) → {open(url, page), show(page), next(), prev(),
 * zoomBy(f), fit(), page(), pages(), url(), destroy()}
 */
export function createViewer(el, { onPage } = {}) {
  const canvas = document.createElement("canvas");
  canvas.className = "docs-canvas";
  const stage = document.createElement("div");
  stage.className = "docs-stage";
  stage.append(canvas);
  el.append(stage);

  let pdf = null;
  let loading = null;
  let current = 0;
  let zoom = 1; // relative to "fit width"
  let openUrl = null;
  let renderTask = null;
  let wanted = 0;
  let drawing = Promise.resolve();

  // data: the copy kept on the device (offline/documents.js), drawn instead of fetching `url`.
  async function open(url, page = 1, data = null) {
    if (url === openUrl && pdf) return show(page);
    close();
    openUrl = url;
    const task = pdfjsLib.getDocument({
      ...(data ? { data } : { url }),
      withCredentials: true,
      rangeChunkSize: 65536,
      disableAutoFetch: true, // fetch only the pages looked at
      standardFontDataUrl: "/static/node_modules/pdfjs-dist/standard_fonts/",
      cMapUrl: "/static/node_modules/pdfjs-dist/cmaps/",
      cMapPacked: true,
    });
    loading = task;
    const doc = await task.promise;
    if (loading !== task) { doc.destroy(); return undefined; }
    pdf = doc;
    current = 0;
    return show(page);
  }

  function clamp(page) {
    if (!pdf) return 1;
    return Math.min(Math.max(1, Math.round(page) || 1), pdf.numPages);
  }

  function show(page) {
    if (!pdf) return Promise.resolve();
    wanted = clamp(page);
    // Draw one page at a time; the last one asked for wins.
    drawing = drawing.then(() => draw(wanted)).catch((err) => console.error("pdf draw", err));
    return drawing;
  }

  async function draw(page) {
    if (!pdf || page !== wanted) return;
    const p = await pdf.getPage(page);
    if (page !== wanted) return;
    const base = p.getViewport({ scale: 1 });
    const width = Math.max(200, stage.clientWidth || el.clientWidth || 800) - 4;
    const scale = (width / base.width) * zoom;
    const viewport = p.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    canvas.style.transform = "";
    if (renderTask) renderTask.cancel();
    renderTask = p.render({
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
    });
    try {
      await renderTask.promise;
    } catch (err) {
      if (err?.name !== "RenderingCancelledException") throw err;
      return;
    }
    current = page;
    canvas.dataset.page = String(page);
    el.dataset.page = String(page);
    onPage?.(page, pdf.numPages);
  }

  function zoomTo(z) {
    zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
    return show(current || 1);
  }

  // ---- touch: pinch to zoom, swipe to turn ---------------------------------------------------
  const pointers = new Map();
  let pinchStart = 0;
  let pinchZoom = 1;
  let swipeFrom = null;
  const dist = () => {
    const [a, b] = [...pointers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  stage.addEventListener("pointerdown", (e) => {
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 2) { pinchStart = dist(); pinchZoom = 1; swipeFrom = null; }
    else if (pointers.size === 1 && e.pointerType !== "mouse") swipeFrom = { x: e.clientX, y: e.clientY, t: Date.now() };
  });
  stage.addEventListener("pointermove", (e) => {
    if (!pointers.has(e.pointerId)) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 2 && pinchStart > 0) {
      pinchZoom = dist() / pinchStart;
      canvas.style.transformOrigin = "center top";
      canvas.style.transform = `scale(${pinchZoom})`;
      e.preventDefault();
    }
  });
  const lift = (e) => {
    const from = swipeFrom;
    pointers.delete(e.pointerId);
    if (pinchStart > 0 && pointers.size < 2) {
      pinchStart = 0;
      if (Math.abs(pinchZoom - 1) > 0.03) zoomTo(zoom * pinchZoom);
      else canvas.style.transform = "";
      return;
    }
    if (from && pointers.size === 0 && zoom <= 1.01) {
      const dx = e.clientX - from.x;
      const dy = e.clientY - from.y;
      if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy) && Date.now() - from.t < 800) {
        if (dx < 0) api.next(); else api.prev();
      }
    }
    swipeFrom = null;
  };
  stage.addEventListener("pointerup", lift);
  stage.addEventListener("pointercancel", lift);
  stage.addEventListener("wheel", (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoomTo(zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });
  const onResize = () => { if (pdf) show(current || 1); };
  window.addEventListener("resize", onResize);

  function close() {
    if (loading) loading.destroy();
    loading = null;
    pdf = null;
    openUrl = null;
    current = 0;
    delete el.dataset.page;
    canvas.width = 0;
    canvas.height = 0;
  }

  const api = {
    open,
    show,
    next: () => show((current || 1) + 1),
    prev: () => show((current || 1) - 1),
    zoomBy: (f) => zoomTo(zoom * f),
    fit: () => zoomTo(1),
    page: () => current,
    pages: () => (pdf ? pdf.numPages : 0),
    url: () => openUrl,
    close,
    destroy() {
      window.removeEventListener("resize", onResize);
      close();
      stage.remove();
    },
  };
  return api;
}
