"""Math typeset at build time with the vendored KaTeX, run offline in an embedded V8.

Readers get HTML and KaTeX's CSS and fonts, no JavaScript: formulas are visible
and typeset with scripting off, and nothing waits for a 270 KB script on a phone.

Two steps, so that the search index holds the TeX source and never glyphs:

1. ``mark(html, ...)`` turns every formula of a page into a marker element whose
   text is the TeX source (HTML-escaped) without delimiters:
   ``<span class="til-math">x^2</span>`` or
   ``<div class="til-math til-math--display">...</div>``.  Sources are
   pymdownx.arithmatex's ``\\( \\)`` / ``\\[ \\]`` (notes) and the raw ``$ $`` /
   ``$$ $$`` that nbconvert leaves in notebook markdown cells.
2. ``Renderer.render_markers(html)`` replaces each marker's text by KaTeX's HTML.

Output is ``output: "html"`` (no MathML copy: a page four times lighter); the
wrapper carries ``role="img"`` and the TeX as its ``aria-label`` instead.
Rendered formulas are cached on disk by (KaTeX build, options, TeX source).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re
import time
from pathlib import Path

# strict "error": LaTeX-incompatible input (e.g. Hangul outside \text{}) fails the build
OPTIONS = {"output": "html", "throwOnError": True, "strict": "error", "trust": False}
# MathML only: the source of the plain-text rendering that search indexes (tilsite/render/searchtext.py)
MATHML_OPTIONS = dict(OPTIONS, output="mathml")
_JS_WRAPPER = """
function tilRender(tex, display) {
  try {
    return {html: katex.renderToString(tex, Object.assign({displayMode: display}, %s))};
  } catch (e) {
    return {error: String((e && e.message) || e)};
  }
}
function tilMathML(tex, display) {
  try {
    return {html: katex.renderToString(tex, Object.assign({displayMode: display}, %s))};
  } catch (e) {
    return {error: String((e && e.message) || e)};
  }
}
""" % (json.dumps(OPTIONS), json.dumps(MATHML_OPTIONS))

_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])\s*</(?P=tag)>',
    re.S)
# nbconvert's markdown cells: <div class="... jp-MarkdownOutput" ...> ... </div> (no nested divs)
_NB_MARKDOWN = re.compile(r'(<div class="[^"]*\bjp-MarkdownOutput\b[^"]*"[^>]*>)(.*?)(</div>)', re.S)
_CODE = re.compile(r"(<(pre|code)\b.*?</\2>)", re.S)
# $$...$$ first, then $...$ (not empty, no newline-only body, not a lone '$5')
# (nbconvert escapes '<' in math, so a literal '<' means the match would run across tags)
_NB_MATH = re.compile(r"\$\$(?P<display>[^$<]+?)\$\$|(?<![\\$])\$(?P<inline>[^$\s<](?:[^$<]*?[^$\s<])?)\$(?!\$)")
# a marker holds its TeX as text, or (tilsite/render/searchtext.py, while search indexes the page) a
# plain rendering as text and the TeX in data-tex
_MARKER = re.compile(r'<(?P<tag>span|div) class="til-math(?P<disp> til-math--display)?"'
                     r'(?: data-tex="(?P<attr>[^"]*)")?>(?P<tex>[^<]*)</(?P=tag)>')


def marker_tex(m: re.Match) -> str:
    """The TeX source of a marker matched by _MARKER."""
    return html_lib.unescape(m["attr"] if m["attr"] is not None else m["tex"])


class MathError(ValueError):
    """KaTeX rejected a formula; ``tex`` is its source, ``message`` KaTeX's reason."""

    def __init__(self, tex: str, message: str):
        super().__init__(message)
        self.tex = tex
        self.message = message


def _marker(tex: str, display: bool, block: bool) -> str:
    tag = "div" if block else "span"
    cls = "til-math til-math--display" if display else "til-math"
    return f'<{tag} class="{cls}">{html_lib.escape(tex.strip(), quote=False)}</{tag}>'


def mark(html: str, notebook: bool = False) -> str:
    """Replace every formula of a page's HTML by a marker holding its TeX source.

    notebook=True also looks for ``$...$`` and ``$$...$$`` in nbconvert's markdown
    cells (outside <pre> and <code>).
    """
    def arith(m: re.Match) -> str:
        display = m["display"] is not None
        tex = html_lib.unescape(m["display"] if display else m["inline"])
        return _marker(tex, display, block=m["tag"] == "div")

    html = _ARITHMATEX.sub(arith, html)
    if not notebook:
        return html

    def math(m: re.Match) -> str:
        display = m["display"] is not None
        return _marker(html_lib.unescape(m["display"] if display else m["inline"]), display, block=False)

    def cell(m: re.Match) -> str:
        parts = _CODE.split(m[2])
        # split with one group pair yields [text, code, tagname, text, code, tagname, ...]
        out = []
        for i in range(0, len(parts), 3):
            out.append(_NB_MATH.sub(math, parts[i]))
            if i + 1 < len(parts):
                out.append(parts[i + 1])
        return m[1] + "".join(out) + m[3]

    return _NB_MARKDOWN.sub(cell, html)


# longer formulas keep KaTeX's own line breaks (after = or +): held whole on one line, they
# would push past a 360 px screen
KEEP_TOGETHER_MAX_TEX = 30
# glued text taken on each side at most: a word and its punctuation. The scan is bounded so
# that long runs without a space (a notebook's inline images, minified CSS) cost nothing.
_GLUE_MAX = 24
_NOT_GLUE = frozenset(" \t\n\r\f\v<>")


def keep_together(html: str) -> str:
    """Wrap each short inline formula with the text glued to it in ``<span class="til-nobr">``.

    Korean particles and punctuation follow a formula with no space ("$W$의", "$K$,",
    "($x$)"), and a line must not break between them; til.css makes the wrapper
    nowrap. Neither CSS inside the wrapper nor a word joiner keeps chromium from breaking
    between KaTeX's last box and the text, so the whole run is held, for formulas of at
    most KEEP_TOGETHER_MAX_TEX characters of TeX.
    """
    out, pos = [], 0
    for m in _MARKER.finditer(html):  # the inline ones: display math stands on its own line
        if (m["disp"] or m["tag"] != "span" or len(marker_tex(m)) > KEEP_TOGETHER_MAX_TEX
                or m.start() < pos):
            continue
        start = m.start()
        while start > pos and m.start() - start < _GLUE_MAX and html[start - 1] not in _NOT_GLUE:
            start -= 1
        end = m.end()
        while end < len(html) and end - m.end() < _GLUE_MAX and html[end] not in _NOT_GLUE:
            end += 1
        if start == m.start() and end == m.end():
            continue
        out += [html[pos:start], '<span class="til-nobr">', html[start:end], "</span>"]
        pos = end
    out.append(html[pos:])
    return "".join(out)


def formulas(html: str) -> list[tuple[str, bool]]:
    """(TeX source, display?) of every marker in `html`, in document order."""
    return [(marker_tex(m), bool(m["disp"])) for m in _MARKER.finditer(html)]


def line_of_tex(source: str, tex: str) -> int:
    """1-based line of `source` (a note's Markdown or a jupytext notebook) where `tex` starts.

    Found by the formula's first non-blank line; line 1 when it cannot be found.
    """
    first = next((ln.strip() for ln in tex.splitlines() if ln.strip()), "")
    pos = source.find(first) if first else -1
    return source.count("\n", 0, pos) + 1 if pos >= 0 else 1


class Renderer:
    """KaTeX in an embedded V8 (mini-racer), started on the first cache miss.

    ``cache_dir`` holds one file per rendered formula, named by the SHA-256 of the
    KaTeX build, the options and the TeX source; equal inputs give equal bytes.
    """

    def __init__(self, katex_js: Path, cache_dir: Path):
        self.katex_js = Path(katex_js)
        self.cache_dir = Path(cache_dir)
        self._ctx = None
        self._build = None
        self.hits = 0
        self.misses = 0
        self.seconds = 0.0  # time spent in KaTeX (V8 start + rendering), cache reads excluded
        self.total_seconds = 0.0  # all of render_markers: cache reads, KaTeX and substitution

    def _key(self, tex: str, display: bool, options: dict = OPTIONS) -> str:
        if self._build is None:
            self._build = hashlib.sha256(self.katex_js.read_bytes()).hexdigest()
        blob = json.dumps([self._build, options, display, tex], ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _engine(self):
        if self._ctx is None:
            from py_mini_racer import MiniRacer

            ctx = MiniRacer()
            ctx.eval(self.katex_js.read_text("utf-8"))
            ctx.eval(_JS_WRAPPER)
            self._ctx = ctx
        return self._ctx

    def render(self, tex: str, display: bool, mathml: bool = False) -> str:
        """KaTeX's HTML for one formula (mathml=True: its MathML only); raises MathError if
        KaTeX rejects it."""
        key = self._key(tex, display) if not mathml else self._key(tex, display, MATHML_OPTIONS)
        path = self.cache_dir / key[:2] / f"{key}.html"
        if path.is_file():
            self.hits += 1
            return path.read_text("utf-8")
        start = time.perf_counter()
        result = dict(self._engine().call("tilMathML" if mathml else "tilRender", tex, display))
        self.seconds += time.perf_counter() - start
        if "error" in result:
            raise MathError(tex, result["error"])
        self.misses += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(result["html"], "utf-8")
        tmp.replace(path)
        return result["html"]

    def render_markers(self, html: str, styles=None) -> str:
        """Replace each marker's TeX by KaTeX's HTML; the first rejected formula raises MathError.

        styles: a ``mathhead.StyleTable`` that takes over KaTeX's inline styles
        (None keeps them inline, as KaTeX writes them).
        """
        def sub(m: re.Match) -> str:
            tex = marker_tex(m)
            out = self.render(tex, bool(m["disp"]))
            if styles is not None:
                out = styles.apply(out)
            label = html_lib.escape(tex, quote=True)
            # til.css keeps room for an equation number; a class, since a :has(> .tag) rule
            # cost the slow phone ~0.2 s of style work while the long page was parsed
            tagged = " til-math--tagged" if 'class="tag"' in out else ""
            return (f'<{m["tag"]} class="til-math{m["disp"] or ""}{tagged}" role="img" aria-label="{label}">'
                    f'{out}</{m["tag"]}>')

        start = time.perf_counter()
        try:
            return _MARKER.sub(sub, html)
        finally:
            self.total_seconds += time.perf_counter() - start

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.close()  # else V8's thread keeps the interpreter from exiting
            self._ctx = None
