"""Build-time execution of snippets: what the directive modules share.

A page asks for figures and values with one directive each, on its own or inside a line:

    {{ figure convolution.figures:plot_param_counts }}
    {{ value convolution.numbers:fc_weights() }}
    {{ value convolution.shapes:output_size(28, 3) }}

The jobs live in their own modules:

* ``tilsite.library.deps``: which code a function or expression reaches (statement level,
  across the snippets modules); it keys the figure, value and notebook caches and writes the
  copyable programs;
* ``tilsite.library.figures``: ``figure`` directives, drawing and the figure cache;
* ``tilsite.library.values``: ``value`` directives and the value cache;
* ``tilsite.library.codeblocks``: included code blocks, their copy text and downloads.

This module holds what they share: the directive syntax, the error type, where
the ``snippets`` package is, importing it, and the tool versions in the cache keys.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import logging
import re
import sys
import traceback
import warnings
from pathlib import Path

from ..errors import TilError

DIRECTIVE = re.compile(r"\{\{\s*(?P<kind>figure|value)\s+(?P<module>[\w.]+):(?P<expr>.+?)\s*\}\}")
MODES = ("auto", "off", "force")  # the plugin's `execute` option


class _Library:
    """Which package the directives name: the plugin's `package` option, set once per config."""

    package = "snippets"
    roots: dict[tuple[str, tuple[str, ...]], Path] = {}  # (package, sys.path) -> its folder


def use_package(name: str) -> None:
    _Library.package = name


def package() -> str:
    """Name of the importable package the directives and includes name, e.g. 'snippets'."""
    return _Library.package


def draws(mode: str) -> bool:
    """The one place deciding whether figures are drawn and notebooks run (`execute` option)."""
    return mode != "off"


def reads_cache(mode: str) -> bool:
    """Whether drawn figures and executed notebooks may come from the cache."""
    return mode == "auto"


def reads_value_cache(mode: str) -> bool:
    """Whether values may come from the cache: unless `force`; `off` stubs figures, values it still shows."""
    return mode != "force"


class ExecError(TilError):
    """A snippet directive that cannot be carried out; the message names file and line."""


class SnippetError(ExecError):
    """An error located in a snippets file: its message starts with 'snippets/x.py:LINE: '."""


def at(where: str, exc: ExecError) -> str:
    """One line for `exc`, met while carrying out the directive at `where` ('docs/x.md:12').

    An error inside a snippets file is reported at that file and line (that is
    what to fix), with the page that needed it after; any other at the page.
    """
    return f"{exc} (needed by {where})" if isinstance(exc, SnippetError) else f"{where}: {exc}"


def _rel(path: str | Path) -> str:
    """A snippets file's path as the author sees it: 'snippets/convolution/shapes.py'."""
    try:
        return Path(path).resolve().relative_to(snippets_root().resolve().parent).as_posix()
    except (ValueError, ExecError):
        return str(path)


def syntax_error(exc: SyntaxError, path: str | Path) -> SnippetError:
    """SnippetError for a snippets file that does not parse."""
    return SnippetError(f"{_rel(path)}:{exc.lineno or 1}: SyntaxError: {exc.msg}")


def _snippet_frame(tb) -> tuple[str, int] | None:
    """(file, line) of the innermost traceback frame inside the snippets package."""
    root = snippets_root().resolve()
    found = None
    for frame in traceback.extract_tb(tb):
        with contextlib.suppress(ValueError, OSError):
            if Path(frame.filename).resolve().is_relative_to(root):
                found = (frame.filename, frame.lineno or 1)
    return found


def snippets_root() -> Path:
    """The package's folder; asked for hundreds of times a build, looked up once per package and sys.path."""
    key = (package(), tuple(sys.path))
    root = _Library.roots.get(key)
    if root is None:
        spec = importlib.util.find_spec(package())
        if spec is None or not spec.submodule_search_locations:
            raise ExecError(f"the '{package()}' package is not installed (the til plugin's `package` option)")
        root = _Library.roots[key] = Path(list(spec.submodule_search_locations)[0])
    return root


def module_file(name: str) -> Path | None:
    root = snippets_root()
    rel = name.split(".")[1:]
    for cand in (root.joinpath(*rel).with_suffix(".py"), root.joinpath(*rel, "__init__.py")):
        if cand.is_file():
            return cand
    return None


def load(module: str):
    """Import a snippets module; an error is reported at the snippets file and line that raised it."""
    try:
        return importlib.import_module(module)
    except SyntaxError as exc:
        if exc.filename and Path(exc.filename).is_file():
            raise syntax_error(exc, exc.filename) from None
        raise ExecError(f"importing {module} failed: SyntaxError: {exc}") from None
    except Exception as exc:
        place = _snippet_frame(exc.__traceback__)
        if place is not None:
            raise SnippetError(f"{_rel(place[0])}:{place[1]}: importing {module} failed: "
                               f"{type(exc).__name__}: {exc}") from None
        raise ExecError(f"importing {module} failed: {type(exc).__name__}: {exc}") from None


@functools.lru_cache(maxsize=1)
def tool_versions() -> str:
    """Versions of what computes figures, values and notebooks, read without importing them (warm builds skip them).

    The version comes from the package's *.dist-info folder next to it: a glob
    instead of importlib.metadata's scan of every sys.path entry (70 ms).
    """
    out = []
    for module, dist in (("matplotlib", "matplotlib"), ("numpy", "numpy"), ("sympy", "sympy"),
                         ("koreanize_matplotlib", "koreanize_matplotlib")):
        spec = importlib.util.find_spec(module)
        infos = sorted(Path(spec.origin).parents[1].glob(f"{dist}-*.dist-info")) if spec and spec.origin else []
        if len(infos) == 1:
            out.append(infos[0].name.removesuffix(".dist-info"))
            continue
        from importlib.metadata import PackageNotFoundError, version

        try:  # an unusual layout: ask importlib.metadata
            out.append(f"{dist}-{version(dist)}")
        except PackageNotFoundError:
            out.append(f"{dist}-none")
    return " ".join(out)


# Warnings that are not ours to act on, matched by exact message; each says why it is accepted.
ACCEPTED_WARNINGS: list[tuple[type[Warning], str]] = [
    # (none yet: koreanize_matplotlib's LooseVersion DeprecationWarning is silenced where it is imported)
]


class _LogCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def warnings_are_errors(what: str):
    """Run a block; any warning it raises, or that matplotlib logs, becomes an ExecError naming `what`.

    matplotlib reports some problems only through its logger, e.g. mathtext's
    "does not have a glyph ... substituting with a dummy symbol": the published
    figure would show boxes, so those count too.
    """
    catcher = _LogCatcher()
    mpl_log = logging.getLogger("matplotlib")
    mpl_log.addHandler(catcher)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for category, message in ACCEPTED_WARNINGS:
                warnings.filterwarnings("ignore", message=re.escape(message), category=category)
            yield
    finally:
        mpl_log.removeHandler(catcher)
    if caught:
        w = caught[0]
        text = f"{what} warned {w.category.__name__}: {w.message}"
        if Path(w.filename).is_file() and _rel(w.filename).startswith(package() + "/"):
            raise SnippetError(f"{_rel(w.filename)}:{w.lineno}: {text}")
        raise ExecError(text)
    if catcher.records:
        rec = catcher.records[0]
        raise ExecError(f"{what} logged a warning ({rec.name}): {rec.getMessage()}")


def purge_snippets() -> None:
    """Forget imported snippets so `mkdocs serve` sees edited files."""
    for name in [n for n in sys.modules if n == package() or n.startswith(package() + ".")]:
        del sys.modules[name]


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


IMPORTED = re.compile(r"\A---[ \t]*\n(?:(?!---).*\n)*?source:[ \t]*gitbook[ \t]*\n")


def imported(text: str) -> bool:
    """A page brought in by `til import-gitbook`: its text is not ours, so no directives run in it."""
    return bool(IMPORTED.match(text))
