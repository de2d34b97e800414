"""tilsite/render/mathhead.py: KaTeX's inline styles moved into one <style> per page."""

from __future__ import annotations

import re

from tilsite.render import KATEX_DIR, katex, mathhead

KATEX_JS = KATEX_DIR / "katex.min.js"  # shipped with the plugin


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
