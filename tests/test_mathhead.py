"""tilsite/mathhead.py: KaTeX's inline styles moved into one <style> per page, and the
KaTeX fonts a page preloads, read from the vendored katex.min.css."""

from __future__ import annotations

import re

import pytest

from sitetools import DOCS
from tilsite import katex, mathhead

KATEX_CSS = (DOCS / "assets" / "vendor" / "katex" / "katex.min.css").read_text("utf-8")
KATEX_JS = DOCS / "assets" / "vendor" / "katex" / "katex.min.js"


def test_styles_become_classes_shared_by_equal_styles():
    table = mathhead.StyleTable()
    out = table.apply('<span class="strut" style="height:1em;"></span><span style="top:-2em;">x</span>'
                      '<span class="mord" style="height:1em;">y</span><span class="mord">z</span>')
    assert out == ('<span class="strut ks0"></span><span class="ks1">x</span>'
                   '<span class="mord ks0">y</span><span class="mord">z</span>')
    assert table.css() == ".ks0{height:1em!important}.ks1{top:-2em!important}"
    # a second formula of the same page reuses the table
    assert table.apply('<span style="top:-2em;margin-right:0.05em;"></span>') == '<span class="ks2"></span>'
    assert table.css().endswith(".ks2{top:-2em!important;margin-right:0.05em!important}")


def test_no_style_no_css():
    table = mathhead.StyleTable()
    assert table.apply('<span class="mord">x</span>') == '<span class="mord">x</span>'
    assert table.css() == ""


def test_katex_output_keeps_no_inline_style(tmp_path):
    r = katex.Renderer(KATEX_JS, tmp_path)
    try:
        table = mathhead.StyleTable()
        out = r.render_markers('<div class="til-math til-math--display">\\frac{\\partial L}{\\partial X_{ij}} '
                               '= \\sum_{p} \\delta_{i-p}\\, W_{p} \\tag{3}</div>', table)
    finally:
        r.close()
    assert 'style="' not in re.sub(r"<svg.*?</svg>", "", out, flags=re.S)
    used = set(re.findall(r"\bks\d+\b", out))
    assert used and used == set(re.findall(r"\.(ks\d+)\{", table.css()))


def test_font_faces_of_the_vendored_css():
    faces = mathhead.font_faces(KATEX_CSS)
    assert faces["KaTeX_Main", "normal", "400"] == "fonts/KaTeX_Main-Regular.woff2"
    assert faces["KaTeX_Math", "italic", "700"] == "fonts/KaTeX_Math-BoldItalic.woff2"
    assert len(faces) == len(list((DOCS / "assets" / "vendor" / "katex" / "fonts").glob("*.woff2")))


@pytest.mark.parametrize("spans, extra", [
    ('<span class="mord mathnormal">x</span>', []),
    ('<span class="mord mathbf">x</span>', ["KaTeX_Main-Bold"]),
    ('<span class="mord mathbb">R</span>', ["KaTeX_AMS-Regular"]),
    ('<span class="delimsizing size1">[</span>', ["KaTeX_Size1-Regular"]),
    ('<span class="delimsizing size3">[</span>', ["KaTeX_Size3-Regular"]),
    ('<span class="size1">x</span>', []),  # a font-size class, not a delimiter
    ('<span class="delimsizing mult"><span class="delim-size4"><span>⎡</span></span></span>', ["KaTeX_Size4-Regular"]),
    ('<span class="mop op-symbol large-op">∑</span>', ["KaTeX_Size2-Regular"]),
])
def test_fonts_used_by_classes(spans, extra):
    html = f'<span class="katex"><span class="katex-html">{spans}</span></span>'
    want = sorted(f"fonts/{f}.woff2" for f in ["KaTeX_Main-Regular", "KaTeX_Math-Italic", *extra])
    assert mathhead.fonts_used(html, KATEX_CSS) == want


def test_no_math_no_fonts():
    assert mathhead.fonts_used('<p class="mathbf">no formula</p>', KATEX_CSS) == []
