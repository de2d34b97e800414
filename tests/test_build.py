"""The strict build passes, and every kind of bad input fails it loudly and cleanly.

A clean failure: non-zero exit, a message naming the file (and the line where
there is one), no Python traceback, and no site left behind that looks
deployable (the til plugin empties the site directory when a build fails).

BAD_INPUTS below is the list of those kinds, readable as documentation: each
row is (id, mutation of a fresh project copy, regex the build's stderr must match).
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from sitetools import TRACEBACK, VENV_BIN, build, build_env, copy_project, edit

pytestmark = pytest.mark.build

NOTE = "til-etc/ttabaereon-kubernetes.md"  # a SUMMARY entry with no written note: cases write one
NOTE_RE = re.escape(f"docs/{NOTE}")
SUMMARY_RE = r"docs/SUMMARY\.md:\d+: "
ETC_CHILD = "    * [CoinTrading](til-etc/cointrading/index.md)\n"  # a SUMMARY line to insert before


# ------------------------------------------------------------------ mutations

def _write(project: Path, rel: str, text: str) -> None:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")


def note(text: str) -> Callable[[Path], None]:
    """Write the note docs/<NOTE> with `text` (line 1 is its title)."""
    return lambda p: _write(p, f"docs/{NOTE}", text)


def note_with_snippet(snippet: str, text: str) -> Callable[[Path], None]:
    """Add snippets/badcase.py (only in the copy) and a note that uses it."""
    def mutate(p: Path) -> None:
        _write(p, "snippets/badcase.py", snippet)
        _write(p, f"docs/{NOTE}", text)
    return mutate


def summary(old: str, new: str) -> Callable[[Path], None]:
    """Replace `old` by `new` in the copy's docs/SUMMARY.md."""
    return lambda p: edit(p / "docs" / "SUMMARY.md", old, new)


def summary_insert(lines: str) -> Callable[[Path], None]:
    """Insert SUMMARY lines under 'TIL : etc'."""
    return summary(ETC_CHILD, lines + ETC_CHILD)


def docs_file(rel: str, text: str) -> Callable[[Path], None]:
    return lambda p: _write(p, f"docs/{rel}", text)


RAISING_NOTEBOOK = """
    # %% [markdown]
    # # 깨진 노트북

    # %%
    x = 1

    # %%
    raise RuntimeError("cell boom")
"""


WARNING_NOTEBOOK = """
    # %% [markdown]
    # # 경고하는 노트북

    # %%
    import warnings

    # %%
    warnings.warn("careful now")
"""

NOTEBOOK_USING_BADCASE = """
    # %% [markdown]
    # # 깨진 스니펫을 쓰는 노트북

    # %%
    from snippets.badcase import f
"""


def snippet_edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace `old` by `new` in the copy's snippets/<rel>."""
    return lambda p: edit(p / "snippets" / rel, old, new)


def shapes_line(text: str) -> int:
    """1-based line of `text` in the repository's snippets/convolution/shapes.py."""
    lines = (Path(__file__).parents[1] / "snippets/convolution/shapes.py").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(text))


def notebook_and_snippet(snippet: str, notebook: str) -> Callable[[Path], None]:
    """snippets/badcase.py, used by no page, only by a notebook."""
    def mutate(p: Path) -> None:
        _write(p, "snippets/badcase.py", snippet)
        _write(p, "docs/til-etc/broken-nb.py", notebook)
    return mutate


class Case(NamedTuple):
    id: str
    mutate: Callable[[Path], None]
    message: str  # regex searched in the build's stderr


BAD_INPUTS = [
    # --- build-time snippets: {{ value ... }} and {{ figure ... }}
    Case("value-directive-raises",
         note_with_snippet("def boom():\n    raise ValueError('kaboom')\n",
                           "# K\n\n값: {{ value badcase:boom() }}\n"),
         NOTE_RE + r":3: snippets\.badcase:boom\(\) raised ValueError: kaboom"),
    Case("figure-function-raises",
         note_with_snippet('def plot_boom():\n    """캡션."""\n    raise ValueError("kaboom")\n',
                           "# K\n\n{{ figure badcase:plot_boom }}\n"),
         NOTE_RE + r":3: snippets\.badcase\.plot_boom\(\) raised ValueError: kaboom"),
    Case("figure-function-returns-no-figure",
         note_with_snippet('def plot_boom():\n    """캡션."""\n    return 42\n',
                           "# K\n\n{{ figure badcase:plot_boom }}\n"),
         NOTE_RE + r":3: snippets\.badcase\.plot_boom\(\) returned int, expected a matplotlib\.figure\.Figure"),
    # --- a snippets module that does not parse or import: reported at its own file and line,
    #     whichever part of the build reads it first (dependency analysis, import, notebook)
    Case("snippet-syntax-error",
         snippet_edit("convolution/shapes.py", "def output_size(", "def broken(:\n    pass\n\n\ndef output_size("),
         rf"snippets/convolution/shapes\.py:{shapes_line('def output_size(')}: SyntaxError: invalid syntax"),
    Case("snippet-import-error",
         note_with_snippet("import math\nLIMIT = undefined_name + 1\n\n\ndef f():\n    return 1\n",
                           "# K\n\n값: {{ value badcase:f() }}\n"),
         r"snippets/badcase\.py:2: importing snippets\.badcase failed: NameError: name 'undefined_name' is not defined"),
    Case("snippet-syntax-error-reached-by-a-notebook",
         notebook_and_snippet("def f(:\n    pass\n", NOTEBOOK_USING_BADCASE),
         r"snippets/badcase\.py:1: SyntaxError: invalid syntax"),
    Case("snippet-import-error-reached-by-a-notebook",
         notebook_and_snippet("def f():\n    pass\n\n\nf.x = undefined_name\n", NOTEBOOK_USING_BADCASE),
         r"snippets/badcase\.py:5: importing snippets\.badcase failed: NameError"),
    # --- warnings while computing a value, drawing a figure or running a notebook fail the build
    Case("value-runtime-warning",
         note_with_snippet("import numpy as np\n\n\ndef f():\n    return np.log(np.zeros(1))\n",
                           "# K\n\n값: {{ value badcase:f() }}\n"),
         r"snippets/badcase\.py:5: snippets\.badcase:f\(\) warned RuntimeWarning: divide by zero encountered in log"),
    Case("figure-glyph-missing-from-fonts",
         note_with_snippet('import matplotlib.pyplot as plt\n\n\ndef plot_boom():\n    """캡션."""\n'
                           '    fig, ax = plt.subplots()\n    ax.set_title("\u0e01\u0e02")\n    return fig\n',
                           "# K\n\n{{ figure badcase:plot_boom }}\n"),
         NOTE_RE + r":3: snippets\.badcase\.plot_boom\(\) \(light\) warned UserWarning: Glyph 3585 .* missing from font"),
    Case("figure-mathtext-glyph-logged",
         note_with_snippet('import matplotlib.pyplot as plt\n\n\ndef plot_boom():\n    """캡션."""\n'
                           '    fig, ax = plt.subplots()\n    ax.set_title(r"$\\alpha 한$")\n    return fig\n',
                           "# K\n\n{{ figure badcase:plot_boom }}\n"),
         NOTE_RE + r":3: snippets\.badcase\.plot_boom\(\) \(light\) logged a warning \(matplotlib\.mathtext\): "
                   r"Font 'rm' does not have a glyph"),
    Case("figure-deprecation-warning",
         note_with_snippet('import warnings\n\nimport matplotlib.pyplot as plt\n\n\ndef plot_boom():\n    """캡션."""\n'
                           '    warnings.warn("old api", DeprecationWarning)\n    return plt.figure()\n',
                           "# K\n\n{{ figure badcase:plot_boom }}\n"),
         r"snippets/badcase\.py:8: snippets\.badcase\.plot_boom\(\) \(light\) warned DeprecationWarning: old api"),
    Case("notebook-cell-warns",
         docs_file("til-etc/broken-nb.py", WARNING_NOTEBOOK),
         r"(?m)^ERROR\s+-\s+docs/til-etc/broken-nb\.py:8: cell 2 \('warnings\.warn\(\"careful now\"\)'\) wrote to stderr: "
         r".*UserWarning: careful now"),
    # --- pymdownx.snippets includes (checked by tilsite/library/includes.py before Markdown runs)
    Case("include-missing-file",
         note('# K\n\n```python\n--8<-- "snippets/convolution/nope.py:x"\n```\n'),
         NOTE_RE + r":4: included file 'snippets/convolution/nope\.py' does not exist"),
    Case("include-missing-section",
         note('# K\n\n```python\n--8<-- "snippets/convolution/shapes.py:nope"\n```\n'),
         NOTE_RE + r":4: snippets/convolution/shapes\.py has no section 'nope'"),
    Case("include-section-never-closed",
         note_with_snippet("# --8<-- [start:a]\ndef a():\n    pass\n",
                           '# K\n\n```python\n--8<-- "snippets/badcase.py:a"\n```\n'),
         r"snippets/badcase\.py:1: section 'a' is opened here but never closed .*included from " + NOTE_RE + ":4"),
    # --- included code blocks (tilsite/library/codeblocks.py): the title names the file it links to
    Case("include-title-names-another-file",
         note('# K\n\n```python title="layers.py"\n'
              '--8<-- "snippets/convolution/shapes.py:output_size"\n```\n'),
         NOTE_RE + r":4: the block's title 'layers\.py' must name its file, 'shapes\.py'"),
    # --- links (validation.links: warn, and strict turns warnings into failure)
    Case("link-to-missing-page",
         note("# K\n\n[없는 노트](nope.md)\n"),
         r"Doc file 'til-etc/ttabaereon-kubernetes\.md' contains a link 'nope\.md', "
         r"but the target 'til-etc/nope\.md' is not found"),
    Case("link-to-missing-anchor",
         note("# K\n\n[없는 절](../index.md#nope)\n"),
         r"Doc file 'til-etc/ttabaereon-kubernetes\.md' contains a link '\.\./index\.md#nope', "
         r"but the doc 'index\.md' does not contain an anchor '#nope'"),
    # --- docs/SUMMARY.md
    Case("summary-entry-points-nowhere",
         summary(f"({NOTE})", "()"),
         SUMMARY_RE + r"'\[따배런\] Kubernetes' points nowhere: the link target is empty"),
    Case("summary-entry-has-anchor",
         summary(f"({NOTE})", f"({NOTE}#top)"),
         SUMMARY_RE + r"'\[따배런\] Kubernetes' points to '.*#top': a target must be a relative, lowercase, "
                      r"ASCII kebab-case path ending in \.md, with no anchor"),
    Case("summary-entry-not-markdown",
         summary(f"({NOTE})", "(til-etc/kubernetes.html)"),  # an https:// URL is a valid nav link
         SUMMARY_RE + r"'\[따배런\] Kubernetes' points to 'til-etc/kubernetes\.html': a target must be"),
    Case("summary-broken-link-syntax",
         summary(f"({NOTE})", f"({NOTE}"),
         SUMMARY_RE + r"not a nav entry \(expected '\* \[제목\]\(path\.md\)'\)"),
    Case("summary-two-entries-one-file",
         summary(f"({NOTE})", "(til-etc/gatsby/index.md)"),
         SUMMARY_RE + r"'Gatsby' points to til-etc/gatsby/index\.md, already used on line \d+"),
    Case("summary-korean-path",
         summary_insert("    * [합성곱](til-etc/합성곱.md)\n"),
         SUMMARY_RE + r"'합성곱' points to 'til-etc/합성곱\.md': a target must be a relative, lowercase, ASCII"),
    Case("summary-slugs-collide",
         summary_insert("    * [소수 만들기](til-etc/sosu-mandeulgi.md)\n" * 2),
         SUMMARY_RE + r"'소수 만들기' points to til-etc/sosu-mandeulgi\.md, already used on line \d+"),
    # --- written notes
    Case("note-not-in-summary",
         docs_file("til-etc/orphan.md", "# 고아\n"),
         r"docs/til-etc/orphan\.md:1: this note is not in docs/SUMMARY\.md"),
    Case("note-with-korean-file-name",
         docs_file("til-etc/합성곱.md", "# 합성곱\n"),
         r"docs/til-etc/합성곱\.md: file names under docs/ must be ASCII"),
    Case("front-matter-not-yaml",
         note("---\ntitle: [oops\n---\n# K\n"),
         NOTE_RE + r":\d+: front matter is not valid YAML"),
    # --- math (typeset at build time by KaTeX, tilsite/render/katex.py)
    Case("display-math-katex-rejects",
         note("# K\n\n본문\n\n$$\nx = \\frac{1}\n$$\n"),
         NOTE_RE + r":6: KaTeX parse error: Unexpected end of input in a macro argument"),
    Case("inline-math-katex-rejects",
         note("# K\n\n식 $x^{2$ 이다.\n"),
         NOTE_RE + r":3: KaTeX parse error: Expected '}', got 'EOF'"),
    Case("math-hangul-outside-text",
         note("# K\n\n$$\n넓이 = ab\n$$\n"),
         NOTE_RE + r":4: KaTeX parse error: LaTeX-incompatible input .*unicodeTextInMathMode"),
    Case("notebook-math-katex-rejects",
         docs_file("til-etc/bad-math-nb.py", "# %% [markdown]\n# # 노트북\n#\n# 식 $\\sqrt{x$ 이다.\n\n# %%\nx = 1\n"),
         r"docs/til-etc/bad-math-nb\.py:4: KaTeX parse error"),
    # --- notebooks (jupytext .py under docs/, executed at build time)
    Case("notebook-cell-raises",
         docs_file("til-etc/broken-nb.py", RAISING_NOTEBOOK),
         r"(?m)^ERROR\s+-\s+docs/til-etc/broken-nb\.py:8: cell 2 \(.*raise RuntimeError.*\) raised RuntimeError: cell boom"),
]


# ------------------------------------------------------------------ tests

def test_strict_build_passes(built_site_info):
    site = built_site_info.path
    assert (site / "index.html").is_file()
    # MkDocs' own warnings (a kernel's "[IPKernelApp] WARNING" on a cold cache is not one)
    assert not re.search(r"^WARNING\s+-", built_site_info.stderr, re.M)
    assert not (site / "SUMMARY").exists(), "docs/SUMMARY.md is the nav, not a page"


# nbconvert's markup of a cell's error or stderr output (not its CSS, which every notebook page inlines)
NB_ERROR_OUTPUT = re.compile(r'<div[^>]*\bdata-mime-type="application/vnd\.jupyter\.stderr"')


def test_passing_build_renders_no_traceback(built_site):
    bad = []
    for page in built_site.rglob("*.html"):
        html = page.read_text("utf-8")
        if TRACEBACK in html or NB_ERROR_OUTPUT.search(html):
            bad.append(page.relative_to(built_site).as_posix())
    assert not bad, f"pages showing a traceback or a notebook's error/stderr output: {bad}"


def test_project_copy_imports_its_snippets(project_copy):
    """PYTHONPATH=<copy> beats the editable install of the repository's snippets/."""
    out = subprocess.run([str(VENV_BIN / "python"), "-c", "import snippets; print(snippets.__file__)"],
                         cwd=project_copy, env=build_env(project_copy), capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()).resolve() == (project_copy / "snippets" / "__init__.py").resolve()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in BAD_INPUTS])
def test_bad_input_fails_cleanly(case: Case, tmp_path):
    project = copy_project(tmp_path / "project", with_cache=True)
    case.mutate(project)
    site = tmp_path / "site"
    proc = build(project, site)
    log = proc.stderr
    assert proc.returncode != 0, f"the build passed:\n{log[-3000:]}"
    assert re.search(case.message, log), f"expected /{case.message}/ in:\n{log[-3000:]}"
    assert TRACEBACK not in log, f"a crash, not a clean error:\n{log[-3000:]}"
    located = re.findall(r"^(?:ERROR\s+-\s+)?\S+:\d+: .*", log, re.M)
    assert len(located) <= 1, "one mistake, one message; got:\n" + "\n".join(located)
    left = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) if site.exists() else []
    assert not left, f"the failed build left pages in {site}: {left[:5]}..."


def test_notebook_run_prints_nothing(tmp_path):
    """A cold notebook run says nothing a reader of the build log cannot act on (no kernel
    "running over TCP without encryption" warning: tilsite/notebooks/run.py uses IPC sockets)."""
    nb = tmp_path / "quiet.py"
    nb.write_text(textwrap.dedent(RAISING_NOTEBOOK).replace('raise RuntimeError("cell boom")', "print(x)"), "utf-8")
    code = ("import sys; from pathlib import Path; from tilsite.notebooks import run as n;"
            f"print(n.execute_notebook({str(nb)!r}, n.Runs(Path({str(tmp_path / 'out')!r}))).name)")
    proc = subprocess.run([str(VENV_BIN / "python"), "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env=build_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(".ipynb")
    assert proc.stderr == "", proc.stderr


def test_copy_without_git_builds_with_no_date_and_no_warning(tmp_path):
    """'마지막 수정' comes from Git; a copy with no history shows no date (never the build date)."""
    project = copy_project(tmp_path / "project", with_cache=True)
    site = tmp_path / "site"
    proc = build(project, site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not re.search(r"^WARNING\s+-", proc.stderr, re.M), proc.stderr[-3000:]
    notes = [p for p in site.rglob("index.html") if 'class="md-status md-status--written"' in p.read_text("utf-8")]
    assert notes, "no written note marked in the nav"
    dated = [p.relative_to(site).as_posix() for p in site.rglob("*.html") if "til-updated" in p.read_text("utf-8")]
    assert not dated, f"pages dated without Git history: {dated[:5]}"
