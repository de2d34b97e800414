"""Every copy button on the convolution note copies a program that runs on its own.

In chromium (clipboard permission granted), the test clicks every copy button
of the note, inactive content tabs and collapsed blocks included, and reads
the clipboard.  Each copied text runs in a venv where only numpy (and
matplotlib) is importable, from an empty folder with ``python -I``: no
``snippets``, no repository.  Every function in it whose docstring has
``>>>`` examples is called on them; the printed results must equal what the
library's own function prints for the same examples, and the doctest must
pass.  Blocks without such a function (constants, notebook cells) must run.
Any NameError, ImportError or different result fails the test.  It also
checks that nothing is copied that the reader cannot see once the collapsed
block under the code is opened.
"""

from __future__ import annotations

import ast
import concurrent.futures
import functools
import importlib
import json
import pkgutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cleanenv import clean_venv, importable, run
from test_browser import (CHROMIUM, CHROMIUM_ARGS, FLAGSHIP, TIMEOUT_MS, _missing_browser, _SiteHandler,
                          _SiteServer)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by `copied`: a failure in CI, a skip elsewhere
    sync_playwright = None

pytestmark = pytest.mark.browser

# Runs a copied program, then the >>> examples of its functions, in the program's namespace.
# Prints {"doctest_failures": n, "outputs": {function: [printed output of each example]}}.
HARNESS = r'''
import ast, contextlib, doctest, io, json, sys


def example_outputs(ns, names):
    """Printed output of each >>> example of each function, run in (a copy of) namespace ns."""
    out, failures = {}, 0
    for name in names:
        globs = dict(ns)
        tests = doctest.DocTestFinder(recurse=False).find(ns[name], name, globs=globs)
        runner = doctest.DocTestRunner()
        printed = []
        for test in tests:
            failures += runner.run(test, out=lambda s: None).failed
            for ex in test.examples:
                buf = io.StringIO()
                with contextlib.redirect_stdout(buf):
                    exec(compile(ex.source, "<example>", "single"), globs)
                printed.append(buf.getvalue())
        out[name] = printed
    return failures, out


def documented(text):
    """Top-level functions of a program whose docstring has >>> examples."""
    return [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)
            and ">>>" in (ast.get_docstring(n) or "")]


if __name__ == "__main__":
    text = open(sys.argv[1], encoding="utf-8").read()
    ns = {"__name__": "copied"}
    exec(compile(text, "copied.py", "exec"), ns)
    failures, outputs = example_outputs(ns, documented(text))
    print(json.dumps({"doctest_failures": failures, "outputs": outputs}))
'''

_HARNESS_NS: dict = {"__name__": "harness"}
exec(compile(HARNESS, "harness", "exec"), _HARNESS_NS)

# Click each copy button, opening the content tab or the collapsed block it sits in first.
_BUTTON = ".md-content button.md-code__button[data-clipboard-target]"
_BUTTONS_JS = f"() => document.querySelectorAll('{_BUTTON}').length"
_REVEAL_JS = """(i) => {
  const button = document.querySelectorAll('BUTTON')[i];
  for (let el = button; el; el = el.parentElement) {
    if (el.tagName === 'DETAILS') el.open = true;
    if (el.classList && el.classList.contains('tabbed-block')) {
      const set = el.closest('.tabbed-set');
      const blocks = [...set.querySelector('.tabbed-content').children];
      set.querySelectorAll(':scope > input')[blocks.indexOf(el)].click();
    }
  }
  button.scrollIntoView({block: 'center'});
  const code = document.querySelector(button.dataset.clipboardTarget);
  const block = code.closest('.highlight');
  const details = code.closest('details');
  const title = details ? details.querySelector('summary').innerText
                        : (block.querySelector('.filename') || {innerText: ''}).innerText;
  return {language: block.className + ' ' + code.className, title: title,
          wrapped: !!code.closest('.til-code'), visible: code.innerText};
}""".replace("BUTTON", _BUTTON)


@pytest.fixture(scope="module")
def venvs(tmp_path_factory):
    """(numpy-only python, numpy+matplotlib python, an empty working folder)."""
    root = tmp_path_factory.mktemp("copyenv")
    work = root / "work"
    work.mkdir()
    only_numpy = clean_venv(root / "numpy", ["numpy"])
    with_mpl = clean_venv(root / "mpl", ["numpy", "matplotlib"])
    for python in (only_numpy, with_mpl):
        assert importable(python, "numpy", work)
        assert not importable(python, "snippets", work), "the clean venv sees the repository"
    assert not importable(only_numpy, "matplotlib", work)
    return only_numpy, with_mpl, work


def _click_every_copy_button(url: str) -> list[tuple]:
    """[(index, block title, copied text, visible text of its block, wrapped)] for every copy button."""
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        parts = urlsplit(url)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=f"{parts.scheme}://{parts.netloc}")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.locator(_BUTTON).first.wait_for(state="attached")
        out = []
        for i in range(page.evaluate(_BUTTONS_JS)):
            info = page.evaluate(_REVEAL_JS, i)
            page.evaluate("() => navigator.clipboard.writeText('')")
            page.locator(_BUTTON).nth(i).click()
            page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
            text = page.evaluate("() => navigator.clipboard.readText()")
            out.append((i, info["title"], text, info["visible"], info["wrapped"]))
        browser.close()
        return out
    finally:
        pw.stop()


@pytest.fixture(scope="module")
def copied(built_site):
    """What every copy button of the note copies (see _click_every_copy_button).

    Its own server and its own Playwright, in a thread of its own: test_browser's
    session-wide sync Playwright runs an event loop in the main thread, and a
    second sync instance cannot start there.
    """
    if not Path(CHROMIUM).is_file():
        _missing_browser(f"{CHROMIUM} is missing: apt-get install chromium fonts-nanum")
    if sync_playwright is None:
        _missing_browser("the 'playwright' package is missing: pip install -e '.[test]'")
    server = _SiteServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{FLAGSHIP}"
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(_click_every_copy_button, url).result()
    finally:
        server.shutdown()
        server.server_close()


def _library_outputs(text: str) -> tuple[int, dict]:
    """The same examples run by the library's own functions (found in the package's modules)."""
    names = _HARNESS_NS["documented"](text)
    modules = [importlib.import_module(f"snippets.convolution.{m.name}")
               for m in pkgutil.iter_modules(importlib.import_module("snippets.convolution").__path__)]
    outputs, failures = {}, 0
    for name in names:
        # the module that defines it (not one that imports it)
        owners = [m for m in modules if getattr(vars(m).get(name), "__module__", None) == m.__name__]
        if len(owners) != 1:
            pytest.fail(f"{name}: expected one library module defining it, got {[m.__name__ for m in owners]}")
        failed, out = _HARNESS_NS["example_outputs"](vars(owners[0]), [name])
        failures += failed
        outputs.update(out)
    return failures, outputs


def test_every_copy_button_copies_a_program_that_runs_and_matches_the_library(copied, venvs, tmp_path):
    only_numpy, with_mpl, work = venvs
    # every code block of the note is Python (fenced blocks including snippets, their collapsed helpers)
    python_blocks = copied
    assert sum(c[4] for c in copied) >= 12, "expected the note's 12+ included blocks"
    report, problems = [], []
    for i, block_title, text, visible, wrapped in python_blocks:
        program = tmp_path / f"copied_{i}.py"
        program.write_text(text, "utf-8")
        harness = tmp_path / "harness.py"
        harness.write_text(HARNESS, "utf-8")
        python = with_mpl if "matplotlib" in text else only_numpy
        proc = run(python, [str(harness), str(program)], work, timeout=120)
        shown = [n.name if hasattr(n, "name") else ast.unparse(n.targets[0] if hasattr(n, "targets") else n.target)
                 for n in ast.parse(visible).body if isinstance(n, (ast.FunctionDef, ast.Assign, ast.AnnAssign))]
        title = f"{block_title}: {', '.join(shown[:4])}{' …' if len(shown) > 4 else ''}"
        if proc.returncode != 0:
            problems.append(f"button {i} ({title!r}) does not run:\n{proc.stderr[-1500:]}")
            continue
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        expected_failures, expected = _library_outputs(text)
        assert expected_failures == 0, f"the library's own examples fail for {list(expected)}"
        calls = sum(len(v) for v in got["outputs"].values())
        if got["doctest_failures"]:
            problems.append(f"button {i}: {got['doctest_failures']} doctest example(s) fail in the copy")
        if got["outputs"] != expected:
            problems.append(f"button {i}: copied functions print {got['outputs']}, the library {expected}")
        if wrapped and not got["outputs"] and "IMAGE_KERNELS" not in text:
            problems.append(f"button {i} ({title!r}): a shown function without a >>> example to call")
        report.append((i, title, len(text.splitlines()), calls))
    assert not problems, "\n\n".join(problems)
    print("\nbutton  lines  runs  examples = library  block")
    print("\n".join(f"{i:6d}  {n:5d}  yes   {c:8d}             {t}" for i, t, n, c in report))


def test_nothing_is_copied_that_is_not_visible(copied):
    """The copied program's lines are all on the page: the shown code or its collapsed block."""
    wrapped = [c for c in copied if c[4]]
    assert wrapped, "no code block carries a copyable program (div.til-code)"
    visible = "\n".join(c[3] for c in copied)  # every block's code, collapsed ones opened
    shown_lines = {line.rstrip() for line in visible.splitlines()}
    for i, _, text, _, _ in wrapped:
        missing = [line for line in text.splitlines() if line.strip() and line.rstrip() not in shown_lines]
        assert not missing, f"button {i} copies lines no block shows: {missing[:5]}"
        ast.parse(text)  # and it is one whole program


def test_copied_programs_do_not_need_the_package():
    """The clean venv really is clean: the copies ran without `snippets` (checked in `venvs`)."""
    assert Path(importlib.import_module("snippets").__file__).is_relative_to(Path(__file__).parents[1])
