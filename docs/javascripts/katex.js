// Typeset math with the self-hosted KaTeX (docs/assets/vendor/katex, copied from npm by the setup).
// Material's KaTeX recipe: document$ emits on the first load and after every instant navigation,
// so math is typeset again on each new page.
// - Markdown pages: pymdownx.arithmatex (generic) emits \( \) and \[ \] inside .arithmatex.
// - Notebook pages: mkdocs-jupyter passes the notebook's $ $ and $$ $$ through unchanged.
// auto-render skips <pre> and <code>, so code and printed outputs are left alone.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    // A TeX error is shown in red in the page (and fails the browser test) instead of leaving raw TeX.
    throwOnError: false,
  });
});
