// Accessibility fixes the theme and the notebooks do not make themselves (axe-core finds each one;
// tests/site/test_browser.py runs it on every page). Runs after the math is typeset (katex.js
// subscribes first) on every page load and instant navigation.

// Material's search dialog has role="dialog" but no name (axe aria-dialog-name). The header is not
// replaced by instant navigation, so naming it once is enough.
const searchDialog = document.querySelector('.md-search[role="dialog"]');
if (searchDialog && !searchDialog.hasAttribute("aria-label")) searchDialog.setAttribute("aria-label", "Search");

// What KaTeX's MathML says in words ("ϕ=u⊤Uv"), without the TeX annotation.
function mathText(katex) {
  const math = katex.querySelector(".katex-mathml math");
  if (!math) return "";
  const copy = math.cloneNode(true);
  copy.querySelectorAll("annotation").forEach((a) => a.remove());
  // Without the invisible operators (function application, times): the name must contain the
  // visible text (axe label-content-name-mismatch).
  return copy.textContent.replace(/[\u2061-\u2064]/g, "").replace(/\s+/g, " ").trim();
}

// A link whose text is typeset math (table-of-contents entries of math-only headings) has no
// accessible name: axe's link-name. Name it by its text with the math spelled out.
function nameMathLinks(root) {
  root.querySelectorAll("a").forEach((link) => {
    if (link.hasAttribute("aria-label") || !link.querySelector(".katex")) return;
    const copy = link.cloneNode(true);
    copy.querySelectorAll(".katex").forEach((k, i) => {
      k.replaceWith(mathText(link.querySelectorAll(".katex")[i]));
    });
    const name = copy.textContent.replace(/\s+/g, " ").trim();
    if (name) link.setAttribute("aria-label", name);
  });
}

// Displays and code blocks wider than their column scroll sideways: make them reachable from the
// keyboard (axe scrollable-region-focusable) and mark them for the scroll cue of extra.css.
const SCROLLERS =
  ".katex-display, .md-typeset__scrollwrap, .jupyter-wrapper .highlight-ipynb, .jupyter-wrapper .jp-RenderedText pre";
const KINDS = [
  [".katex-display", "Equation"],
  [".md-typeset__scrollwrap", "Table"],
  ["*", "Code"],
];
function markScrollers(root) {
  root.querySelectorAll(SCROLLERS).forEach((el) => {
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    const marked = el.classList.contains("matgrad-scrolls");
    if (scrolls === marked) return;
    el.classList.toggle("matgrad-scrolls", scrolls);
    if (scrolls) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      const kind = KINDS.find(([selector]) => el.matches(selector))[1];
      el.setAttribute("aria-label", `${kind}, scrolls sideways`);
    } else {
      ["tabindex", "role", "aria-label"].forEach((a) => el.removeAttribute(a));
    }
  });
}

// A notebook plot opens full size (its image file) when tapped: on a phone it is drawn at the
// column's width, too small to read.
function linkPlots(root) {
  root.querySelectorAll(".jupyter-wrapper .jp-RenderedImage img").forEach((img) => {
    if (img.closest("a") || img.src.startsWith("data:")) return;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "matgrad-plot-link";
    link.title = "Open the plot full size";
    img.replaceWith(link);
    link.appendChild(img);
  });
}

let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => markScrollers(document), 150);
});
// Print and the print edition lay displays out again (wrapped, scaled): look once more after.
window.addEventListener("afterprint", () => markScrollers(document));

document$.subscribe(({ body }) => {
  nameMathLinks(body);
  linkPlots(body);
  markScrollers(body);
  // Fonts can widen a display after the first layout.
  document.fonts.ready.then(() => markScrollers(body));
});
