"""Copyable programs (tilsite.library.deps.program) and the code-block rewrite (tilsite.library.codeblocks), in-process.

A throwaway ``snippets.cbprobe`` package stands in for the real one
(execute.snippets_root is pointed at it), so each rule is checked on a case
made for it: names followed across modules, source order, each statement
once, ``from __future__`` first, aliases, and the two cases that must fail
loudly.  The real library is checked too: its >>> examples pass (they are
what the browser test calls on the copies), and every block of the note has
a program that compiles.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import re
from pathlib import Path

import pytest

from sitetools import ROOT
from tilsite.library import codeblocks
from tilsite.library import deps
from tilsite.library import execute as ex

NOTE = ROOT / "docs/til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md"

PROBE = {
    "__init__.py": "",
    "cbprobe/__init__.py": "",
    "cbprobe/base.py": '''"""Base."""
from __future__ import annotations

import math

import numpy as np

SCALE = 2.0
UNUSED = 99


def _half(x):
    return x / 2


def helper(x) -> np.ndarray:
    return np.asarray(x) * SCALE + _half(math.pi)


def other():
    return UNUSED
''',
    "cbprobe/top.py": '''"""Top: takes names from base."""
from __future__ import annotations

import numpy as np

from snippets.cbprobe.base import helper
from .base import _half as halve

LIMIT = 3


# --8<-- [start:shown]
def shown(x):
    """Shown on a page.

    >>> shown([1.0]).tolist()
    [3.5707963267948966]
    """
    return helper(x)[:LIMIT] + halve(0) + np.zeros(1)
# --8<-- [end:shown]
''',
    "cbprobe/clash.py": '''"""Defines SCALE differently from base and needs both."""
from snippets.cbprobe.base import helper

SCALE = 3.0


def uses_both(x):
    return helper(x) * SCALE
''',
    "cbprobe/whole.py": '''"""Uses a snippets module as a whole."""
from snippets.cbprobe import base


def via_module(x):
    return base.helper(x)
''',
}


@pytest.fixture
def probe(tmp_path, monkeypatch):
    root = tmp_path / "snippets"
    for rel, text in PROBE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    monkeypatch.setattr(ex, "snippets_root", lambda: root)
    return root


def _defs(text: str) -> list[str]:
    out = []
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.append(node.name)
        elif isinstance(node, ast.Assign):
            out += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return out


def test_program_follows_names_across_modules_in_source_order_each_once(probe):
    prog = deps.program("snippets.cbprobe.top", ["shown"])
    lines = prog.text.splitlines()
    assert lines[0] == "from __future__ import annotations"
    assert prog.text.count("from __future__ import annotations") == 1
    assert prog.text.count("import numpy as np") == 1  # imported by both modules: once
    assert "import math" in lines
    # base's statements (top takes names from it) first, each module in source order; the alias
    # `from .base import _half as halve` becomes `halve = _half` where the import was
    assert _defs(prog.text) == ["SCALE", "_half", "helper", "halve", "LIMIT", "shown"]
    assert "UNUSED" not in prog.text and "def other" not in prog.text
    assert "snippets" not in prog.text  # no import of the package is left
    ns: dict = {}
    exec(compile(prog.text, "copied.py", "exec"), ns)
    assert ns["shown"]([1.0]).tolist() == [2.0 + 3.141592653589793 / 2]


def test_program_splits_into_the_shown_code_and_what_it_needs(probe):
    text = (probe / "cbprobe/top.py").read_text("utf-8")
    first, last = codeblocks.section_lines(text, "shown")
    by_lines = deps.program("snippets.cbprobe.top", lines=(first, last))
    assert by_lines == deps.program("snippets.cbprobe.top", ["shown"])
    assert by_lines.shown.strip() == "\n".join(text.splitlines()[first - 1:last]).strip()
    assert "def shown" not in by_lines.needs and "def helper" in by_lines.needs
    # every line copied is in one of the two visible parts
    visible = set(by_lines.shown.splitlines()) | set(by_lines.needs.splitlines())
    assert set(by_lines.text.splitlines()) <= visible


def test_program_fails_loudly_on_a_name_defined_twice_or_a_module_used_whole(probe):
    with pytest.raises(ex.ExecError, match=r"'SCALE' is defined in snippets\.cbprobe\.base and differently"):
        deps.program("snippets.cbprobe.clash", ["uses_both"])
    with pytest.raises(ex.ExecError, match=r"uses a snippets module as a whole \(from snippets\.cbprobe import base\)"):
        deps.program("snippets.cbprobe.whole", ["via_module"])


def test_expand_titles_blocks_with_their_file_and_keeps_the_include(probe):
    page = ('# P\n\n```python\n--8<-- "snippets/cbprobe/top.py:shown"\n```\n\n'
            '=== "탭"\n\n    ```python title="top.py (탭)"\n    --8<-- "snippets/cbprobe/top.py:shown"\n    ```\n')
    out, blocks = codeblocks.expand(page, probe.parent, "docs/p.md")
    assert [b.path for b in blocks] == ["snippets/cbprobe/top.py"] * 2
    assert out.count('--8<-- "snippets/cbprobe/top.py:shown"') == 2  # pymdownx.snippets still includes it
    assert '```python title="top.py"' in out and '    ```python title="top.py (탭)"' in out
    assert out.count(f'??? note "{codeblocks.NEEDS_TITLE}"') == 2
    assert '        def helper(x) -> np.ndarray:' in out  # the collapsed block, indented under the tab
    assert blocks[0].copy == deps.program("snippets.cbprobe.top", ["shown"]).text


def test_expand_shows_the_file_name_for_a_repository_path_title_and_rejects_another_file(probe):
    page = '# P\n\n```python title="snippets/cbprobe/top.py (탭)"\n--8<-- "snippets/cbprobe/top.py:shown"\n```\n'
    out, _ = codeblocks.expand(page, probe.parent, "docs/p.md")
    assert '```python title="top.py (탭)"' in out
    page = '# P\n\n\n```python title="base.py"\n--8<-- "snippets/cbprobe/top.py:shown"\n```\n'
    with pytest.raises(ex.ExecError, match=r"^docs/p\.md:5: the block's title 'base\.py' must "
                                           r"name its file, 'top\.py'"):
        codeblocks.expand(page, probe.parent, "docs/p.md")


def test_finish_html_puts_the_program_in_data_copy_and_links_the_title():
    block = codeblocks.Block("snippets/x/y.py", "s", 'a = "<1>"\nprint(a)\n')
    html_in = ('<div class="til-code" data-til-code="0" markdown>\n<div class="highlight">'
               '<span class="filename">y.py (탭)</span><pre><code>…</code></pre></div></div>')
    out = codeblocks.finish_html(html_in, [block], lambda p: "../" + codeblocks.download_path(p))
    assert 'data-copy="a = &quot;&lt;1&gt;&quot;&#10;print(a)&#10;"' in out
    assert ('<span class="filename"><a href="../downloads/snippets/x/y.py" download="y.py" '
            'title="y.py 내려받기">y.py</a> (탭)</span>') in out
    assert "data-til-code" not in out
    with pytest.raises(ex.ExecError, match="not rendered as expected"):
        codeblocks.finish_html("<p>no block</p>", [block], str)


# ---------------------------------------------------------------- the real library and note


def _shown_modules() -> set[str]:
    return {m.removesuffix(".py").replace("/", ".") for m in
            re.findall(r'^\s*--8<-- "(snippets/[^":]+\.py)', NOTE.read_text("utf-8"), re.M)}


@pytest.mark.parametrize("module", sorted(_shown_modules()))
def test_library_docstring_examples_pass(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{module} has no >>> examples: the copy test has nothing to call"


def test_every_block_of_the_note_has_a_program_with_an_example_to_call():
    note = NOTE.read_text("utf-8")
    _, blocks = codeblocks.expand(note, ROOT, "docs/note.md")
    assert len(blocks) == len(re.findall(r'^\s*--8<-- "snippets/', note, re.M)) >= 12
    for b in blocks:
        tree = ast.parse(b.copy)
        funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and ">>>" in (ast.get_docstring(n) or "")]
        constants = [n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))]
        assert funcs or constants, f"{b.path}:{b.section}: nothing to call or check"
        assert Path(ROOT / b.path).is_file()
