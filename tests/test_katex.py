"""tilsite/render/katex.py: formulas found in a page's HTML, typeset by the vendored KaTeX
in an embedded V8, cached by TeX source, and rejected formulas reported."""

from __future__ import annotations

import re

import pytest

from tilsite.render import KATEX_DIR, katex

KATEX_JS = KATEX_DIR / "katex.min.js"  # shipped with the plugin


@pytest.fixture
def renderer(tmp_path):
    r = katex.Renderer(KATEX_JS, tmp_path / "cache")
    yield r
    r.close()


def test_mark_arithmatex_inline_and_display():
    html = ('<p>식 <span class="arithmatex">\\(a &lt; b\\)</span> 이다.</p>\n'
            '<div class="arithmatex">\\[\nx &amp; y \\tag{1}\n\\]</div>')
    out = katex.mark(html)
    assert out == ('<p>식 <span class="til-math">a &lt; b</span> 이다.</p>\n'
                   '<div class="til-math til-math--display">x &amp; y \\tag{1}</div>')
    assert katex.formulas(out) == [("a < b", False), ("x & y \\tag{1}", True)]


def test_mark_notebook_dollars_outside_code_only():
    cell = ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" '
            'data-mime-type="text/markdown">\n<p>입력 $X$의 형태, 값 $5와 $6, $$\nO = 1\n$$</p>'
            '<pre><code>print("$a$")</code></pre><p><code>$b$</code> $c$</p></div>')
    out = katex.mark(cell, notebook=True)
    assert katex.formulas(out) == [("X", False), ("O = 1", True), ("c", False)]
    assert "$5와 $6" in out, "'$5와 $6' is not math: a formula does not end in a space"
    assert '<pre><code>print("$a$")</code></pre>' in out and "<code>$b$</code>" in out
    # outside markdown cells (code output) nothing is touched, and notes ignore dollars
    assert katex.mark("<p>$X$</p>", notebook=True) == "<p>$X$</p>"
    assert katex.mark(cell) == cell


def test_render_is_html_only_typeset_and_labelled(renderer):
    out = renderer.render_markers('<span class="til-math">x^2</span> <div class="til-math til-math--display">'
                                  '\\sum_p f(p) \\tag{1}</div>')
    assert out.count('class="katex"') == 2 and "katex-display" in out
    assert "katex-mathml" not in out and "<math" not in out, "MathML doubles the page: output must be html"
    assert 'aria-label="x^2"' in out and 'role="img"' in out
    assert "(1)" in re.sub(r"<[^>]+>", "", out), "\\tag{1} is shown"
    assert "\\sum" not in re.sub(r'aria-label="[^"]*"', "", out), "raw TeX left in the output"


def test_cache_by_tex_source(tmp_path):
    first = katex.Renderer(KATEX_JS, tmp_path / "c")
    a = first.render("\\frac{a}{b}", False)
    assert (first.misses, first.hits) == (1, 0)
    assert first.render("\\frac{a}{b}", False) == a and first.hits == 1
    assert first.render("\\frac{a}{b}", True) != a, "display style is part of the key"
    first.close()
    files = sorted(p.name for p in (tmp_path / "c").rglob("*.html"))
    assert len(files) == 2
    second = katex.Renderer(KATEX_JS, tmp_path / "c")
    assert second.render("\\frac{a}{b}", False) == a
    assert (second.misses, second.hits) == (0, 1) and second._ctx is None, "a warm cache starts no V8"


def test_output_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        r = katex.Renderer(KATEX_JS, tmp_path / f"c{i}")
        outs.append(r.render("\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}", True))
        r.close()
    assert outs[0] == outs[1]


@pytest.mark.parametrize("tex, message", [
    ("\\frac{1}", "Unexpected end of input"),
    ("x^{2", "Expected '}'"),
    ("넓이", "unicodeTextInMathMode"),  # strict: Hangul belongs in \text{}
    ("\\undefinedmacro", "Undefined control sequence"),
])
def test_rejected_formula_raises(renderer, tex, message):
    with pytest.raises(katex.MathError) as err:
        renderer.render(tex, False)
    assert err.value.tex == tex and message in err.value.message
    assert "!function" not in err.value.message, "KaTeX's minified source leaked into the message"
    assert not list(renderer.cache_dir.rglob("*.html")), "a rejected formula is not cached"


def test_hangul_in_text_is_fine(renderer):
    assert "katex" in renderer.render("\\text{넓이} = ab", False)


def test_line_of_tex():
    src = "# K\n\n본문\n\n$$\nx = \\frac{1}\n$$\n"
    assert katex.line_of_tex(src, "\nx = \\frac{1}\n") == 6
    assert katex.line_of_tex("# a\n# 식 $y$\n", "y") == 2
    assert katex.line_of_tex("abc", "zzz") == 1


def test_keep_together_holds_short_formulas_with_the_text_they_touch():
    html = ('<p>네제곱(<span class="til-math">x</span>) 과 <span class="til-math">W</span>의 값, '
            '<span class="til-math">K</span> 개, <b><span class="til-math">a</span></b>는</p>')
    assert katex.keep_together(html) == (
        '<p><span class="til-nobr">네제곱(<span class="til-math">x</span>)</span> 과 '
        '<span class="til-nobr"><span class="til-math">W</span>의</span> 값, '
        '<span class="til-math">K</span> 개, <b><span class="til-math">a</span></b>는</p>')
    long_tex = "x_1 + x_2 + x_3 + x_4 + x_5 + x_6 + x_7"
    assert len(long_tex) > katex.KEEP_TOGETHER_MAX_TEX
    glued_long = f'<p><span class="til-math">{long_tex}</span>이다</p>'
    assert katex.keep_together(glued_long) == glued_long, "a long formula keeps KaTeX's own breaks"


def test_keep_together_takes_a_bounded_run_of_glued_text():
    """A run without spaces (a notebook's inline image, minified CSS) is not scanned whole:
    at most a word's worth is held with the formula."""
    run = "A" * 10_000
    out = katex.keep_together(f'<p>{run}<span class="til-math">x</span>{run}</p>')
    held = re.search(r'<span class="til-nobr">(A*)<span class="til-math">x</span>(A*)</span>', out)
    assert held and 0 < len(held[1]) <= 24 and 0 < len(held[2]) <= 24
    assert re.sub(r'</?span[^>]*>', "", out) == f"<p>{run}x{run}</p>", "no text lost or doubled"


def test_numbered_equations_are_marked_for_til_css(renderer):
    out = renderer.render_markers('<div class="til-math til-math--display">a = b \\tag{3}</div>'
                                  '<div class="til-math til-math--display">a = b</div>')
    assert out.count("til-math--tagged") == 1
    assert out.startswith('<div class="til-math til-math--display til-math--tagged"')
