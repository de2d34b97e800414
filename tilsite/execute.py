"""Build-time execution of snippets: what the directive modules share.

A page asks for figures and values with one directive each, on its own or inside a line:

    {{ figure convolution.figures:plot_param_counts }}
    {{ value convolution.numbers:fc_weights() }}
    {{ value convolution.shapes:output_size(28, 3) }}

The jobs live in their own modules:

* ``tilsite.deps``: which code a function reaches (statement level, across the
  snippets modules); it keys the figure cache and writes the copyable programs;
* ``tilsite.figures``: ``figure`` directives, drawing and the figure cache;
* ``tilsite.values``: ``value`` directives;
* ``tilsite.codeblocks``: included code blocks, their copy text and downloads.

This module holds what they share: the directive syntax, the error type, where
the ``snippets`` package is, and importing it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path

DIRECTIVE = re.compile(r"\{\{\s*(?P<kind>figure|value)\s+(?P<module>[\w.]+):(?P<expr>.+?)\s*\}\}")
SNIPPETS = "snippets"
NO_EXEC_ENV = "TIL_NO_EXEC"


class ExecError(RuntimeError):
    """A snippet directive that cannot be carried out; the message names file and line."""


def no_exec() -> bool:
    """True when figures and notebooks are switched off (the benchmark's render floor)."""
    return os.environ.get(NO_EXEC_ENV, "") not in ("", "0")


def snippets_root() -> Path:
    spec = importlib.util.find_spec(SNIPPETS)
    if spec is None or not spec.submodule_search_locations:
        raise ExecError("the 'snippets' package is not installed: run 'make install'")
    return Path(list(spec.submodule_search_locations)[0])


def module_file(name: str) -> Path | None:
    root = snippets_root()
    rel = name.split(".")[1:]
    for cand in (root.joinpath(*rel).with_suffix(".py"), root.joinpath(*rel, "__init__.py")):
        if cand.is_file():
            return cand
    return None


def load(module: str):
    try:
        return importlib.import_module(module)
    except Exception as exc:  # report the import error against the page
        raise ExecError(f"importing {module} failed: {type(exc).__name__}: {exc}") from exc


def purge_snippets() -> None:
    """Forget imported snippets so `mkdocs serve` sees edited files."""
    for name in [n for n in sys.modules if n == SNIPPETS or n.startswith(SNIPPETS + ".")]:
        del sys.modules[name]


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
