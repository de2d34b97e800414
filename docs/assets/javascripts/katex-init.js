// Typeset math with the vendored KaTeX on every page view, including after
// Material's instant navigation (document$ emits on each page swap).
// Markdown pages carry arithmatex's \( \) and \[ \] inside .arithmatex;
// notebook pages (mkdocs-jupyter) carry raw $...$ and $$...$$, so the whole
// article is scanned, while nav, header and search stay untouched.
(function () {
  function typeset() {
    document.querySelectorAll(".md-content").forEach(function (root) {
      renderMathInElement(root, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "\\[", right: "\\]", display: true },
          { left: "\\(", right: "\\)", display: false },
          { left: "$", right: "$", display: false }
        ],
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
        ignoredClasses: ["md-nav", "md-search", "md-header", "md-source-file"],
        throwOnError: false
      });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(typeset);
  } else {
    document.addEventListener("DOMContentLoaded", typeset);
  }
})();
