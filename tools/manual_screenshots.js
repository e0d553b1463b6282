// tools/manual_screenshots.py runs this inside its wrapper page: it loads each page into an
// iframe of the given width, waits for its layout, and writes one JSON line per page into
// <pre id=out>, which the tool reads back with --dump-dom.
const pages = __PAGES__, width = __WIDTH__;
const out = document.getElementById("out");
function measure(doc) {
  const found = [];
  const article = doc.querySelector("article") || doc.body;
  const column = article.getBoundingClientRect().width;
  for (const el of article.querySelectorAll("table, div.highlight pre, img")) {
    const box = el.getBoundingClientRect();
    const scroller = el.closest(".table-wrapper, .highlight, .docutils.container") || el.parentElement;
    const what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    const text = (el.textContent || el.getAttribute("src") || "").trim().slice(0, 50);
    if (el.tagName === "IMG") {
      if (el.naturalWidth && box.width < el.naturalWidth / 2)
        found.push({kind: "figure-shrunk", what, text,
                    detail: `shown at ${Math.round(100 * box.width / el.naturalWidth)}% of its ${el.naturalWidth} px`});
      continue;
    }
    const hidden = el.scrollWidth - Math.min(scroller.clientWidth, column);
    if (hidden > 2)
      found.push({kind: el.tagName === "TABLE" ? "table-wider-than-column" : "code-wider-than-column",
                  what, text, detail: `${Math.round(hidden)} px beyond the column`});
  }
  const page = doc.documentElement.scrollWidth - width;
  if (page > 2) found.push({kind: "page-wider-than-window", what: "html", text: "",
                            detail: `${page} px`});
  return {height: doc.documentElement.scrollHeight, found};
}
async function run() {
  for (const page of pages) {
    const frame = document.createElement("iframe");
    frame.style.width = width + "px";
    frame.style.height = "900px";
    document.body.appendChild(frame);
    await new Promise(resolve => { frame.onload = resolve; frame.src = page; });
    await new Promise(resolve => setTimeout(resolve, 300));
    let result;
    try { result = measure(frame.contentDocument); }
    catch (err) { result = {height: 0, found: [{kind: "error", what: "", text: "", detail: String(err)}]}; }
    out.textContent += JSON.stringify({page, ...result}) + "\n";
    frame.remove();
  }
  out.dataset.done = "1";
}
run();
