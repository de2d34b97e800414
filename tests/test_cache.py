"""Build caches: what changed is redone, what did not is reused.

A small dedicated project, independent of the real notes: the site's
mkdocs.yml, hooks/ and overrides/ with a two-page docs/ and a tiny
``snippets.cacheprobe`` package:

    figs.py   plot_alpha (uses lib.height) and plot_beta (uses nothing else)
    lib.py    height(), imported by figs.py for plot_alpha only
    nbdata.py answer(), imported by the notebook; it imports deep.py
    deep.py   BASE, reached by the notebook only through nbdata.py

One cold build fills .cache (module fixture); each test copies that warm
project to its own folder (the cache is keyed by content and relative paths,
so it moves with the copy), makes one edit and builds once.  What a build
redid is read from its log: "drew N figure file(s): ..." (the til plugin) and
mkdocs-jupyter's "Cache hit:" / "Cache miss, writing:" lines.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitetools import build, copy_project, edit

pytestmark = pytest.mark.build

SUMMARY = """# Summary

* [MAIN](index.md)
* [캐시 시험](cache-probe.md)
"""

PAGE = """# 캐시 시험

{{ figure cacheprobe.figs:plot_alpha }}

{{ figure cacheprobe.figs:plot_beta }}
"""

NOTEBOOK = """# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 캐시 시험 노트북

# %%
from snippets.cacheprobe.nbdata import answer

print(f"answer={answer()}")
"""

SNIPPETS = {
    "__init__.py": '"""Test snippets."""\n',
    "cacheprobe/__init__.py": '"""Snippets of the cache tests."""\n',
    "cacheprobe/figs.py": '''"""Figures of the cache tests."""

from matplotlib.figure import Figure

from snippets.cacheprobe.lib import height

WIDTH = 2.0


def _bar(ax, h):
    ax.bar([0], [h])


def plot_alpha():
    """알파: lib.height()만큼의 막대."""
    fig = Figure(figsize=(WIDTH, 1.5))
    _bar(fig.subplots(), height())
    return fig


def plot_beta():
    """베타: 대각선."""
    fig = Figure(figsize=(2.0, 1.5))
    fig.subplots().plot([0, 1], [0, 1])
    return fig
''',
    "cacheprobe/lib.py": '"""Used by plot_alpha only."""\n\n\ndef height():\n    return 3\n',
    "cacheprobe/nbdata.py": ('"""Imported by the notebook."""\n\nfrom snippets.cacheprobe.deep import BASE\n\n\n'
                             'def answer():\n    return BASE * 2\n'),
    "cacheprobe/deep.py": '"""Imported by nbdata.py: the notebook depends on it transitively."""\n\nBASE = 21\n',
}

NB_SRC = "probe-nb.py"
NB_PAGE = "probe-nb/index.html"
NB_DOWNLOAD = "probe-nb/probe-nb.ipynb"


def _make_project(dest: Path) -> Path:
    """The site's config and hooks with the tiny docs/ and snippets/ above."""
    copy_project(dest)
    for sub in ("docs", "snippets"):
        for p in sorted((dest / sub).iterdir()):
            if not (sub == "docs" and p.name == "assets"):  # keep the stylesheets and KaTeX
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    (dest / "docs/SUMMARY.md").write_text(SUMMARY, "utf-8")
    (dest / "docs/index.md").write_text("# TIL\n\n캐시 시험용 사이트.\n", "utf-8")
    (dest / "docs/cache-probe.md").write_text(PAGE, "utf-8")
    (dest / "docs" / NB_SRC).write_text(NOTEBOOK, "utf-8")
    for rel, text in SNIPPETS.items():
        (dest / "snippets" / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / "snippets" / rel).write_text(text, "utf-8")
    return dest


class Build:
    """One finished build: its log, what it redrew, whether it ran the notebook."""

    def __init__(self, project: Path, site: Path):
        proc = build(project, site)
        assert proc.returncode == 0, f"build of {project} failed:\n{proc.stderr[-4000:]}"
        self.project, self.site, self.log = project, site, proc.stderr
        m = re.search(r"drew (\d+) figure file\(s\): (.*)", self.log)
        self.drawn = set(m[2].strip().split(", ")) if m else set()
        assert len(self.drawn) == (int(m[1]) if m else 0)
        hit = re.search(rf"Cache hit: .*{re.escape(NB_SRC)}", self.log)
        miss = re.search(rf"Cache miss, writing: .*{re.escape(NB_SRC)}", self.log)
        assert bool(hit) != bool(miss), f"no notebook cache line in the log:\n{self.log[-3000:]}"
        self.notebook_rerun = bool(miss)

    def text(self, rel: str) -> str:
        return (self.site / rel).read_text("utf-8")

    def cached_notebooks(self) -> list[str]:
        return sorted(p.name for p in (self.project / ".cache/til-notebooks").glob("*.ipynb"))


ALL_FIGURES = {"alpha-light", "alpha-dark", "beta-light", "beta-dark"}


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Build:
    """The tiny project after its first (cold) build: every cache filled."""
    root = tmp_path_factory.mktemp("cache")
    first = Build(_make_project(root / "project"), root / "site")
    assert first.drawn == ALL_FIGURES, first.log
    assert first.notebook_rerun
    assert "answer=42" in first.text(NB_PAGE)
    return first


@pytest.fixture
def copy_of_warm(warm, tmp_path) -> Path:
    """A copy of the warm project, .cache included, in this test's own folder."""
    dest = tmp_path / "project"
    shutil.copytree(warm.project, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_unchanged_rebuild_redraws_nothing_and_reuses_the_executed_notebook(warm, copy_of_warm, tmp_path):
    before = warm.cached_notebooks()
    again = Build(copy_of_warm, tmp_path / "site")
    assert again.drawn == set()
    assert not again.notebook_rerun
    assert again.cached_notebooks() == before
    # the reused outputs are still published
    assert "answer=42" in again.text(NB_PAGE)
    assert "answer=42" in again.text(NB_DOWNLOAD)
    for name in ALL_FIGURES:
        assert (again.site / f"assets/figures/{name}.svg").read_bytes() == \
            (warm.site / f"assets/figures/{name}.svg").read_bytes()


def test_editing_a_plot_function_redraws_only_its_figure(copy_of_warm, tmp_path):
    edit(copy_of_warm / "snippets/cacheprobe/figs.py", "plot([0, 1], [0, 1])", "plot([0, 1], [1, 0])")
    b = Build(copy_of_warm, tmp_path / "site")
    assert b.drawn == {"beta-light", "beta-dark"}
    assert not b.notebook_rerun


def test_editing_a_helper_or_constant_redraws_the_figure_using_it(copy_of_warm, tmp_path):
    edit(copy_of_warm / "snippets/cacheprobe/figs.py", "WIDTH = 2.0", "WIDTH = 2.5")
    b = Build(copy_of_warm, tmp_path / "site")
    assert b.drawn == {"alpha-light", "alpha-dark"}  # plot_beta does not read WIDTH


def test_editing_an_imported_snippet_redraws_its_figures_not_the_others(copy_of_warm, tmp_path):
    edit(copy_of_warm / "snippets/cacheprobe/lib.py", "return 3", "return 4")
    b = Build(copy_of_warm, tmp_path / "site")
    assert b.drawn == {"alpha-light", "alpha-dark"}
    assert not b.notebook_rerun  # the notebook does not import lib.py


def test_comment_and_layout_edits_redraw_nothing(copy_of_warm, tmp_path):
    edit(copy_of_warm / "snippets/cacheprobe/figs.py", "def plot_beta():",
         "# a comment does not change what is drawn\n\n\ndef plot_beta(\n):")
    b = Build(copy_of_warm, tmp_path / "site")
    assert b.drawn == set()


def test_editing_a_snippet_the_notebook_imports_transitively_reexecutes_it(warm, copy_of_warm, tmp_path):
    edit(copy_of_warm / "snippets/cacheprobe/deep.py", "BASE = 21", "BASE = 50")
    b = Build(copy_of_warm, tmp_path / "site")
    assert b.notebook_rerun
    assert b.drawn == set()  # no figure imports deep.py
    # the page and the download show the new output, not the cached one
    assert "answer=100" in b.text(NB_PAGE) and "answer=42" not in b.text(NB_PAGE)
    assert "answer=100" in b.text(NB_DOWNLOAD)
    # one executed copy per notebook: the stale one is replaced
    assert len(b.cached_notebooks()) == 1 and b.cached_notebooks() != warm.cached_notebooks()


# ---------------------------------------------------------------- the figure key, without building
# tilsite.library.deps.function_dependencies decides what a figure's cache key covers; these cases are
# checked in-process on a throwaway snippets package (snippets_root pointed at it).

FD_FIGS = '''"""Figures."""
import matplotlib as mpl
from matplotlib.figure import Figure

from . import lib
from .lib import height as h
from snippets.fdprobe.other import unused_here

mpl.rcParams["lines.linewidth"] = 2  # a side effect at import: part of every figure's key
COLOURS = ("red", "blue")
DEBUG = False


def _helper():
    return COLOURS[0]


def deco(f):
    return f


@deco
def plot_a():
    """A."""
    return Figure(), _helper(), h()


def plot_b():
    """B."""
    return Figure(), lib.width()


def plot_c():
    """C."""
    from snippets.fdprobe import local_only
    return Figure(), local_only.X
'''


@pytest.fixture
def fd(tmp_path, monkeypatch):
    """(edit, deps): edit a file of a throwaway snippets.fdprobe package, ask a figure's dependencies."""
    from tilsite.library import deps as dp
    from tilsite.library import execute as ex

    root = tmp_path / "snippets"
    files = {"__init__.py": "", "fdprobe/__init__.py": "", "fdprobe/figs.py": FD_FIGS,
             "fdprobe/lib.py": ("from .deep import K\n\n\ndef height():\n    return K\n\n\n"
                                "def width():\n    return 1\n"),
             "fdprobe/deep.py": "K = 3\n", "fdprobe/other.py": "def unused_here():\n    pass\n",
             "fdprobe/local_only.py": "X = 1\n"}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    monkeypatch.setattr(ex, "snippets_root", lambda: root)

    def deps(func: str) -> tuple[str, set[str]]:
        digest, paths = dp.function_dependencies("snippets.fdprobe.figs", func)
        return digest, {p.relative_to(root).as_posix() for p in paths}

    def edit_file(rel: str, old: str, new: str) -> None:
        edit(root / rel, old, new)

    return edit_file, deps


def test_figure_key_follows_helpers_imports_and_side_effects(fd):
    edit_file, deps = fd
    a, b, c = deps("plot_a"), deps("plot_b"), deps("plot_c")
    assert a[1] == set()  # `from .lib import height as h` is followed to height's statements, not lib.py
    assert b[1] == {"fdprobe/__init__.py", "fdprobe/lib.py", "fdprobe/deep.py"}  # `from . import lib`
    assert c[1] == {"fdprobe/__init__.py", "fdprobe/local_only.py"}  # an import inside the function
    edit_file("fdprobe/figs.py", '"red"', '"green"')  # COLOURS: read by _helper, called by plot_a only
    assert deps("plot_a")[0] != a[0] and deps("plot_b")[0] == b[0]
    edit_file("fdprobe/figs.py", "linewidth\"] = 2", "linewidth\"] = 3")  # runs on import: all figures
    assert deps("plot_b")[0] != b[0] and deps("plot_c")[0] != c[0]


def test_figure_key_follows_imported_names_into_their_module_statement_by_statement(fd):
    edit_file, deps = fd
    a, b = deps("plot_a"), deps("plot_b")
    edit_file("fdprobe/lib.py", "return 1", "return 2")  # width(): plot_b's whole-module `lib`, not plot_a's h
    assert deps("plot_a")[0] == a[0]
    assert deps("plot_b")[1] == b[1]  # whole files: the digest does not hold them, source_hash does
    edit_file("fdprobe/deep.py", "K = 3", "K = 4")  # height() reads K through `from .deep import K`
    assert deps("plot_a")[0] != a[0]
    a = deps("plot_a")
    edit_file("fdprobe/lib.py", "def height():\n    return K", "def height():\n    return K + 1")
    assert deps("plot_a")[0] != a[0]
    a = deps("plot_a")
    edit_file("fdprobe/lib.py", "from .deep import K", "from .deep import K\n\nUNUSED = 5")
    assert deps("plot_a")[0] == a[0]
    edit_file("fdprobe/lib.py", "from .deep import K", "import math\nfrom .deep import K\n\nmath.sqrt(2)")
    assert deps("plot_a")[0] != a[0]  # a statement that runs when lib is imported


def test_figure_key_ignores_unused_names_docstrings_and_comments(fd):
    edit_file, deps = fd
    before = {f: deps(f)[0] for f in ("plot_a", "plot_b", "plot_c")}
    edit_file("fdprobe/figs.py", "DEBUG = False", "DEBUG = True  # read by no figure")
    edit_file("fdprobe/figs.py", '"""Figures."""', '"""Figures, described at length."""')
    edit_file("fdprobe/figs.py", "def plot_b():", "# why plot_b looks like this\ndef plot_b(  ):")
    assert {f: deps(f)[0] for f in before} == before
    edit_file("fdprobe/figs.py", "def deco(f):\n    return f", "def deco(f):\n    return f  # same\n\n\nX = 1")
    assert deps("plot_a")[0] == before["plot_a"]
    edit_file("fdprobe/figs.py", "def deco(f):\n    return f", "def deco(f):\n    f.x = 1\n    return f")
    assert deps("plot_a")[0] != before["plot_a"]  # the decorator is part of plot_a


# -- values ------------------------------------------------------------------------------

VP_CALC = '''"""Values of the cache tests."""

from .lib import base

CALLS = []


def twice(x):
    CALLS.append(x)
    return 2 * x + base()


def other():
    return 0
'''


@pytest.fixture
def vp(tmp_path, monkeypatch):
    """(cache folder, edit): a throwaway package `valprobe` (not named snippets) that value directives name."""
    import sys

    from tilsite.library import execute as ex

    root = tmp_path / "src" / "valprobe"
    for rel, text in {"__init__.py": "", "calc.py": VP_CALC, "lib.py": "def base():\n    return 1\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    monkeypatch.syspath_prepend(str(root.parent))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # an edit within the same second must be seen
    before = ex.package()
    ex.use_package("valprobe")

    def edit_file(rel: str, old: str, new: str) -> None:
        edit(root / rel, old, new)
        ex.purge_snippets()  # as each build does

    yield tmp_path / "cache", edit_file
    ex.purge_snippets()
    ex.use_package(before)


def test_a_value_is_computed_again_only_when_the_code_it_reaches_changes(vp):
    from tilsite.library.values import ValueCache

    folder, edit_file = vp

    def build(mode="auto"):
        cache = ValueCache(folder, mode)
        text = cache.get("calc", "twice(3)")
        cache.save()
        return text, cache.computed

    assert build() == ("7", 1)
    assert build() == ("7", 0)  # from the file written by the first build
    edit_file("calc.py", "return 0", "return 5")  # other(): not reached by twice(3)
    assert build() == ("7", 0)
    edit_file("lib.py", "return 1", "return 2")  # base(), in another module, reached through the import
    assert build() == ("8", 1)
    assert build("force") == ("8", 1)
    assert build("off") == ("8", 0)  # `off` stubs figures; the values it shows may come from the cache
    edit_file("calc.py", "CALLS = []", "CALLS = []  # a comment")
    assert build() == ("8", 0)


def test_a_value_whose_names_cannot_be_followed_is_computed_every_time(vp):
    from tilsite.library.values import ValueCache

    folder, _ = vp
    for _ in range(2):
        cache = ValueCache(folder)
        assert cache.get("calc", "sum(twice(i) for i in range(2))") == "4"  # i: no top-level name
        cache.save()
        assert cache.computed == 1
    with pytest.raises(Exception, match="NameError"):
        ValueCache(folder).get("calc", "nothing_here(1)")


def test_notebook_key_follows_imported_names_and_whole_modules(fd):
    """A notebook's cells are keyed like a figure: by what their snippets imports reach."""
    from tilsite.library.deps import import_dependencies

    edit_file, _ = fd
    cell = "from snippets.fdprobe.lib import height\nimport snippets.fdprobe.other\n\nprint(height())\n"

    def key():
        digest, paths = import_dependencies(cell)
        return digest, {p.name for p in paths}

    before = key()
    assert before[1] == {"other.py"}  # the module imported as a module: its file
    edit_file("fdprobe/lib.py", "return 1", "return 2")  # width(): not reached from height
    assert key() == before
    edit_file("fdprobe/deep.py", "K = 3", "K = 4")  # height() reads K
    assert key()[0] != before[0]
