"""Display formulas wider than a phone are only those that cannot be broken into lines (issue 8).

A derivation written on one line (``A = B = C``) or two equations set side by side
(``a = b, \\qquad c = d``) can be written as aligned lines instead; a single matrix
wider than the screen cannot, and scrolls sideways in its container.

The browser part opens the built pages in chromium at 390x844 (and 1440x900),
measures every display formula as KaTeX laid it out (its body, plus its equation
tag: KaTeX centres the body and pins the tag to the right edge, so the two clear
each other only if the body fits between two tag widths), and for each one that
does not fit reads its TeX (the wrapper's aria-label) and asks the scanner below
whether it has a place to break.

The scanner reads TeX at the top level only: outside braces, ``\\left...\\right``
and environments, except that the rows of a top-level aligned-family environment
(aligned, gathered, ...) are lines of their own. Each line is split into parts at
``\\quad``/``\\qquad``; a line with two parts, or a part with a chain of more than
one relation (=, \\le, \\Rightarrow, \\xrightarrow, ...), could be broken there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sitetools import MEASURES
from test_browser import CHROMIUM, FLAGSHIP, NOTEBOOK, evaluate_in_own_chromium, site_url  # noqa: F401

# ---------------------------------------------------------------- the top-level TeX scanner

# \begin{name} and \end{name} as one token; a comment to the end of its line; control words and
# symbols; single characters (whitespace runs are kept: they separate nothing but are skipped)
_TOKEN = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}|%[^\n]*|\\[A-Za-z]+|\\.|\s+|.", re.S)

# KaTeX's relations (class mathrel) that a derivation is written with
RELATIONS = frozenset("= < > :".split()) | frozenset(r"""
    \le \leq \ge \geq \leqslant \geqslant \ne \neq \ll \gg \approx \sim \simeq \cong \equiv \doteq
    \propto \coloneqq \eqqcolon \in \notin \ni \subset \subseteq \supset \supseteq \perp \mid \parallel
    \to \gets \rightarrow \leftarrow \leftrightarrow \Rightarrow \Leftarrow \Leftrightarrow
    \longrightarrow \longleftarrow \Longrightarrow \Longleftarrow \iff \implies \impliedby \mapsto
    \xrightarrow \xleftarrow \xRightarrow \xLeftarrow \xleftrightarrow \xLeftrightarrow \xmapsto
    \xlongequal \models \vdash \prec \succ \preceq \succeq""".split())
# relations that take {above} (and [below]) arguments
_X_ARROWS = frozenset(r for r in RELATIONS if r.startswith(r"\x"))
# \overset{..}{=} is a relation when its base is one
_STACKED = frozenset(r"\overset \underset \stackrel".split())
# tokens that neither separate two relations nor are a relation themselves
_TRANSPARENT = frozenset(r"& \, \; \: \> \! ~ \not \displaystyle \textstyle".split()) | {"\\ "}
QUADS = frozenset(r"\quad \qquad".split())
NEWLINES = frozenset(r"\\ \newline \cr".split())
# environments whose rows are lines a reader sees one under another
ROW_ENVS = frozenset("aligned alignedat gathered split align align* gather gather* alignat alignat* "
                     "multline multline* eqnarray eqnarray*".split())


@dataclass
class Group:
    """A brace group, an environment or a \\left...\\right pair: opaque at the level that holds it."""

    kind: str  # "{", "left" or the environment's name
    items: list = field(default_factory=list)


def parse(tex: str) -> list:
    """TeX as a list of tokens (str) and Groups; ValueError if braces, environments or \\left/\\right do not match."""
    root = Group("root")
    stack = [root]
    toks = [t for t in _TOKEN.findall(tex) if not t.startswith("%")]
    i = 0
    while i < len(toks):
        tok = toks[i]
        begin = re.fullmatch(r"\\(begin|end)\s*\{([^{}]*)\}", tok)
        if tok in ("{", r"\left") or (begin and begin[1] == "begin"):
            group = Group("{" if tok == "{" else "left" if tok == r"\left" else begin[2])
            stack[-1].items.append(group)
            stack.append(group)
        elif tok in ("}", r"\right") or begin:
            want = "{" if tok == "}" else "left" if tok == r"\right" else begin[2]
            if stack[-1].kind != want:
                raise ValueError(f"{tok!r} closes {stack[-1].kind!r} in {tex!r}")
            stack.pop()
            if tok == r"\right":  # its delimiter belongs to the pair
                i += 1
        else:
            stack[-1].items.append(tok)
        i += 1
    if len(stack) > 1:
        raise ValueError(f"{stack[-1].kind!r} is not closed in {tex!r}")
    return root.items


def _split(items: list, separators: frozenset) -> list[list]:
    out = [[]]
    for item in items:
        if isinstance(item, str) and item in separators:
            out.append([])
        else:
            out[-1].append(item)
    return out


def _blank(items: list) -> bool:
    return all(isinstance(i, str) and (i.isspace() or i in _TRANSPARENT) for i in items)


def lines(tex: str) -> list[list[list]]:
    """The lines of a display formula, each a list of its parts (split at \\quad/\\qquad, blank parts dropped).

    The top level is one line (or more, split at \\\\); each row of a top-level aligned-family
    environment is a line too, and so on into such environments nested in those rows.
    """
    def walk(items: list) -> list[list[list]]:
        out = []
        for row in _split(items, NEWLINES):
            parts = [p for p in _split(row, QUADS) if not _blank(p)]
            if parts:
                out.append(parts)
            for item in row:
                if isinstance(item, Group) and item.kind in ROW_ENVS:
                    out += walk(item.items)
        return out

    return walk(parse(tex))


def relation_chain(part: list) -> int:
    """How many relations a part chains at its own level (adjacent ones, as in :=, count once)."""
    runs, after_rel, i = 0, False, 0
    while i < len(part):
        item = part[i]
        rel = isinstance(item, str) and item in RELATIONS
        if isinstance(item, str) and item in _STACKED:
            groups = [g for g in part[i + 1:i + 3] if isinstance(g, Group)]
            base = [t for t in groups[-1].items if not (isinstance(t, str) and t.isspace())] if groups else []
            rel = len(base) == 1 and isinstance(base[0], str) and base[0] in RELATIONS
            i += len(groups)
        if rel:
            runs += not after_rel
            after_rel = True
            if item in _X_ARROWS:  # skip [below] and {above}
                i += 1
                while i < len(part) and isinstance(part[i], str) and part[i].isspace():
                    i += 1
                if i < len(part) and part[i] == "[":
                    i = part.index("]", i)
                    i += 1
                if i < len(part) and isinstance(part[i], Group):
                    i += 1
                continue
        elif not (isinstance(item, str) and (item.isspace() or item in _TRANSPARENT)):
            after_rel = False
        i += 1
    return runs


def breaks(tex: str) -> list[str]:
    """Where a display formula could be broken into lines: [] if nowhere (at the level the scanner reads)."""
    out = []
    for n, parts in enumerate(lines(tex), 1):
        if len(parts) > 1:
            out.append(f"line {n}: {len(parts)} parts side by side, separated by \\quad or \\qquad")
        for k, part in enumerate(parts, 1):
            chain = relation_chain(part)
            if chain > 1:
                out.append(f"line {n}, part {k}: a chain of {chain} relations")
    return out


# ---------------------------------------------------------------- the scanner on hand-made TeX

@pytest.mark.parametrize("tex, n", [
    ("a = b", 1),
    ("a = b = c", 2),
    (r"a \le b < c \Rightarrow d", 3),
    ("a := b", 1),  # adjacent relations are one
    (r"a \coloneqq b", 1),
    (r"\frac{a = b}{c = d} = e", 1),  # inside braces
    (r"\sum_{a \in A} f(a) = \sum_{b = 1}^{n} g(b)", 1),
    (r"\left( a = b \right) = c", 1),  # inside \left...\right
    (r"\left. a = b \right|_{x = 0} = c", 1),
    (r"X = \begin{bmatrix} a = 1 & b \\ c & d \end{bmatrix}", 1),  # inside an environment
    (r"\text{a = b = c} = d", 1),
    (r"28 \xrightarrow{\text{conv}} 13 \xrightarrow[x = 1]{y = 2} 27", 2),
    (r"a \overset{\text{def}}{=} b = c", 2),
    (r"a \overset{x}{+} b = c", 1),
    (r"a \not= b", 1),
    ("a = b % = c = d\n", 1),  # a comment
    ("", 0),
])
def test_relation_chain_of_a_one_part_formula(tex, n):
    (parts,) = lines(tex) or [[[]]]
    assert len(parts) <= 1
    assert relation_chain(parts[0] if parts else []) == n


@pytest.mark.parametrize("tex", [
    r"a = b, \qquad c = d",
    r"X = \begin{bmatrix}1\end{bmatrix}, \quad W = \begin{bmatrix}2\end{bmatrix}",
    r"a = b \quad\Rightarrow\quad c = d",
    r"\frac{\partial L}{\partial x} = \sum_i \delta_i w_i = (\delta * w)(m), \qquad m = 0, \dots, N - 1 \tag{8}",
    r"(f * g)(x) = \int f(z) g(x - z)\, dz = \int f(x - z) g(z)\, dz \tag{1}",
    r"\begin{aligned} a &= b = c \\ &= d \end{aligned} \tag{4}",  # a row with a chain
    r"\begin{gathered} a = b, \qquad c = d \\ e = f \end{gathered}",  # a row with two parts
    r"\begin{gathered} \begin{aligned} a &= b = c \end{aligned} \\ d = e \end{gathered}",  # nested rows
    r"a = b \\ c = d = e",  # a top-level newline
    r"\begin{bmatrix}1\end{bmatrix} \qquad \begin{bmatrix}2\end{bmatrix}",  # side by side, no relation at all
])
def test_breakable(tex):
    assert breaks(tex)


@pytest.mark.parametrize("tex", [
    r"a = b",
    r"\begin{aligned} a &= b \\ &= c \end{aligned} \tag{4}",
    r"\begin{aligned} \frac{\partial L}{\partial x} &= \sum_i \delta_i w_i \\ &= (\delta * w)(m), \end{aligned}",
    r"\begin{gathered} a = b \\ c = d \\ X = \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} \end{gathered} \tag{12}",
    r"O = \begin{bmatrix} X_{11} W_{11} + X_{12} W_{12} & 0 \\ 0 & X_{22} W_{22} \end{bmatrix}",
    r"\begin{aligned} a &= b \\ &\quad + c \end{aligned}",  # \quad that indents a continued line
    r"\quad a = b",
    r"\text{a, \qquad b} = c",
    r"M = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} \quad",
])
def test_not_breakable(tex):
    assert breaks(tex) == []


def test_lines_and_parts():
    tex = r"\begin{aligned} a &= b, \quad c = d \\ e &= f \end{aligned} \tag{1}"
    got = [[len(p) > 0 for p in parts] for parts in lines(tex)]
    assert got == [[True], [True, True], [True]]  # the top line (the environment and the tag), then its two rows


@pytest.mark.parametrize("tex", [r"\frac{a}{b", r"a}", r"\begin{aligned} a \end{gathered}", r"\left( a", r"a \right)"])
def test_unbalanced_tex_is_an_error(tex):
    with pytest.raises(ValueError):
        parse(tex)


# ---------------------------------------------------------------- the built pages in chromium

# Each display formula of the article: its TeX and the widths KaTeX laid out.
_MEASURE_JS = """() => [...document.querySelectorAll('.md-content .til-math--display')].map(e => {
  const html = e.querySelector('.katex-html');
  const bases = [...html.children].filter(c => c.classList.contains('base')).map(b => b.getBoundingClientRect());
  const tag = html.querySelector(':scope > .tag');
  return {tex: e.getAttribute('aria-label'), column: e.clientWidth, scroll: e.scrollWidth,
          body: Math.max(...bases.map(b => b.right)) - Math.min(...bases.map(b => b.left)),
          tag: tag ? tag.getBoundingClientRect().width : 0};
})"""

VIEWPORTS = {"phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                           device_scale_factor=3),
             "desktop": dict(viewport={"width": 1440, "height": 900})}


def measure(url: str, options: dict) -> list[dict]:
    """_MEASURE_JS on `url` with every block laid out (SHOW_ALL_CSS), light scheme."""
    context = {"color_scheme": "light", "locale": "ko-KR", **options}
    return evaluate_in_own_chromium(url, _MEASURE_JS, context, show_all=True, name="derivation-widths")


def over_wide(f: dict) -> bool:
    """Wider than its container: the body scrolls, or (centred) it reaches into the tag on the right."""
    return f["scroll"] > f["column"] + 1 or f["body"] + 2 * f["tag"] > f["column"] + 0.5


@pytest.mark.browser
@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("path", [FLAGSHIP, NOTEBOOK])
def test_only_unbreakable_formulas_are_wider_than_the_screen(site_url, device, path):  # noqa: F811
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing (test_browser.py reports it, and fails on CI)")
    formulas = measure(site_url + path, VIEWPORTS[device])
    assert formulas, f"/{path}: no display formula found"
    wide = [f for f in formulas if over_wide(f)]
    MEASURES.append(f"display formulas wider than the {device} column on /{path}: {len(wide)} of {len(formulas)}"
                    + (f" (column {formulas[0]['column']} px)" if formulas else ""))
    bad = [f"{round(f['body'] + 2 * f['tag'])} px (tag {round(f['tag'])}) in {f['column']} px: {f['tex']!r}\n    "
           + "; ".join(breaks(f["tex"])) for f in wide if breaks(f["tex"])]
    assert not bad, f"/{path} on a {device}: formulas wider than the column that could be broken into lines:\n" + \
        "\n".join(bad)
