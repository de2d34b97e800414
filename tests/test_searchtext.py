"""tilsite/render/searchtext.py: formulas read as text in search results, tables keep their cells apart,
and the TeX stays searchable in a field that is not shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tilsite.render import KATEX_DIR, katex, searchtext

KATEX_JS = KATEX_DIR / "katex.min.js"
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")

# TeX -> how a reader would write it in plain text (hand-made)
CASES = {
    r"\bar w(a) = w(-a)": "w̄(a) = w(−a)",
    r"O_W = W - K_W + 1": "O_W = W − K_W + 1",
    r"x^2 + y_{i+1}": "x² + yᵢ₊₁",
    r"\frac{\partial L}{\partial X_{ij}}": "(∂L)/(∂Xᵢⱼ)",
    r"\mathbb{R}^{N \times C}": "ℝ^(N×C)",
    r"a = -b": "a = −b",
    r"\sqrt{2}": "√2",
    r"C_{\text{out}}": "Cₒᵤₜ",
}


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    r = katex.Renderer(KATEX_JS, tmp_path_factory.mktemp("katex"))
    yield r
    r.close()


@pytest.mark.parametrize("tex", list(CASES))
def test_formula_plain_text(renderer, tex):
    assert searchtext.mathml_text(renderer.render(tex, False, mathml=True)) == CASES[tex]


def test_for_index_keeps_tex_for_typesetting_and_separates_cells(renderer):
    html = ('<h2 id="a">A</h2><p>식 <span class="til-math">\\bar w</span></p>'
            '<table><tr><th>층</th>\n<th>수</th></tr>\n<tr><td>1</td>\n<td>9408</td></tr></table>')
    marked = katex.mark(html)
    indexed = searchtext.for_index(marked, renderer)
    assert "w̄" in indexed and not TEX_COMMAND.search(re.sub(r'data-tex="[^"]*"', "", indexed))
    assert "층</th>" + searchtext.CELL_SEP in indexed and "</tr>" + searchtext.ROW_SEP in indexed
    shown = searchtext.strip_index_only(indexed)
    assert searchtext.SEP_CLASS not in shown
    assert katex.formulas(shown) == [("\\bar w", False)], "typesetting still gets the TeX"
    out = renderer.render_markers(shown)
    assert 'aria-label="\\bar w"' in out and "katex" in out
    assert searchtext.section_tex(shown) == {"a": "\\bar w", "": "\\bar w"}


def test_built_index_reads_as_text(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    assert "tex" in index["config"]["fields"], "mkdocs.yml: search.fields.tex"
    note = [d for d in index["docs"] if "ai-math-9gang-cnn-cheotgeoleum/" in d["location"]]
    text = " ".join(d["text"] for d in note)
    # code blocks may hold a backslash; prose and formulas hold none
    prose = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", text, flags=re.S)
    assert not TEX_COMMAND.findall(prose), TEX_COMMAND.findall(prose)[:10]
    assert "K̄(a) = K(−a)" in text  # the note's \bar K(a) = K(-a), as it reads on the page
    assert " | " in text, "table cells are parted"
    tex = " ".join(d.get("tex", "") for d in note)
    assert "\\frac{\\partial \\mathcal{L}}" in tex, "formulas are still searchable by their TeX source"
