"""Make mkdocs-jupyter's notebook execution snippet-aware and loud.

mkdocs-jupyter has no extension points for this, so two of its module-level
functions are wrapped (checked against mkdocs-jupyter 0.26):

* ``plugin._compute_cache_key``: the key also hashes the ``snippets`` code the
  notebook's imports reach, so editing what it uses re-executes the notebook;
* ``plugin.convert.nb2html``: the notebook is executed here with nbclient
  (one run), errors name the file, the cell and its first line, the executed
  ``.ipynb`` is kept for download, and only then is it converted to HTML.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from pathlib import Path

from ..errors import TilError
from ..library.deps import import_dependencies, imported_modules, source_hash
from ..library.execute import ExecError, load, module_file, reads_cache, tool_versions


class Runs:
    """Where executed notebooks are kept and the `execute` option: held by the plugin, one per build."""

    def __init__(self, executed_dir: Path, mode: str = "auto") -> None:
        self.executed_dir = Path(executed_dir)
        self.mode = mode


_CODE: dict[tuple[str, bytes], list[str]] = {}


def notebook_code(path: str | Path) -> list[str]:
    """Python source of each code cell, IPython magics and shell lines removed."""
    import jupytext

    memo = (str(path), Path(path).read_bytes())  # asked twice a build: cache key, executed copy
    if memo not in _CODE:
        nb = jupytext.read(path)
        _CODE[memo] = ["\n".join(line for line in c.source.splitlines()
                                 if not line.lstrip().startswith(("%", "!")))
                       for c in nb.cells if c.cell_type == "code"]
    return _CODE[memo]


def notebook_snippets(path: str | Path) -> set[str]:
    """The snippets modules a notebook's cells import."""
    modules = set()
    for code in notebook_code(path):
        try:
            modules |= imported_modules(code, "__notebook__")
        except SyntaxError:  # the cell fails when run; the notebook's own bytes are in the key
            continue
    return modules


def notebook_deps_hash(path: str | Path) -> str:
    """Hash of the snippets code a notebook's imports reach and of the tools that run it.

    As for figures (``tilsite.library.deps``): ``from snippets.x import f`` counts f's
    statements and what they use, so editing another function of x does not run the
    notebook again; a module imported as a whole counts its files.
    """
    digests, files = [], set()
    for code in notebook_code(path):
        try:
            digest, found = import_dependencies(code)
        except SyntaxError:  # the cell fails when run; the notebook's own bytes are in the key
            continue
        digests.append(digest)
        files.update(found)
    return source_hash(sorted(files), *digests, tool_versions())


def executed_path(nb_path: str | Path, executed_dir: Path) -> Path:
    """Where the executed copy of a notebook is kept: keyed by source and snippet hashes."""
    src = Path(nb_path)
    key = hashlib.sha256(src.read_bytes() + notebook_deps_hash(src).encode()).hexdigest()[:20]
    return Path(executed_dir) / f"{src.stem}-{key}.ipynb"


def execute_notebook(nb_path: str | Path, runs: Runs, kernel_name: str = "", timeout: int = 300) -> Path:
    """Run a jupytext notebook top to bottom; save and return the executed .ipynb.

    Raises ExecError naming the file, the cell number and its first line
    when a cell raises.
    """
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    out = executed_path(nb_path, runs.executed_dir)
    if out.is_file() and reads_cache(runs.mode):
        return out
    for module in sorted(m for m in notebook_snippets(nb_path) if module_file(m) is not None):
        load(module)  # a broken snippet is reported at its own file and line, not as "cell N raised"
    nb = jupytext.read(nb_path)
    with tempfile.TemporaryDirectory(prefix="til-kernel-") as sockets:
        # IPC sockets in a private folder: over TCP, ipykernel warns on every start that the
        # channel is unencrypted, a warning nobody reading the build log can act on.
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(
            nb,
            config=ipc,
            kernel_name=kernel_name or "python3",
            timeout=timeout,
            allow_errors=False,
            record_timing=False,  # no timestamps: builds stay byte-identical
            resources={"metadata": {"path": str(Path(nb_path).parent)}},
        )
        try:
            client.execute()
        except CellExecutionError as exc:
            cell_no, first = _failing_cell(nb)
            raise ExecError(f"{_where(nb_path, first)}: cell {cell_no} ({first!r}) raised "
                            f"{exc.ename}: {exc.evalue}") from None
        except Exception as exc:  # the kernel itself failed (did not start, died, timed out)
            raise ExecError(f"{_where(nb_path)}: could not execute the notebook: {type(exc).__name__}: {exc}") from None
    for i, cell in enumerate(nb.cells):  # drop volatile ids/metadata so the file is deterministic
        cell.get("metadata", {}).pop("execution", None)
        if "id" in cell:  # jupytext draws random ids; they end up in the page's HTML too
            cell.id = f"cell-{i}"
        if "outputs" in cell:
            cell.outputs = merge_streams(cell.outputs)
    _check_stderr(nb, nb_path)  # after merging: one message holds all a cell wrote
    nb.metadata.pop("widgets", None)
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in out.parent.glob(f"{Path(nb_path).stem}-*.ipynb"):
        old.unlink()
    out.write_text(nbformat.writes(nb), encoding="utf-8")
    return out


def merge_streams(outputs: list) -> list:
    """Outputs with consecutive writes to the same stream joined into one.

    How a cell's prints arrive depends on timing: under load one print can come
    as two messages, which would make two builds of the same commit differ.
    """
    import nbformat

    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")):
            merged[-1] = nbformat.v4.new_output("stream", name=out["name"], text=prev["text"] + out["text"])
        else:
            merged.append(out)
    return merged


def _where(nb_path, first_line: str = "") -> str:
    """'docs/x.py:LINE' for a notebook cell whose first line is `first_line` (the file alone if not found).

    The path is relative to the working directory (the project, for a build), as
    the author sees it.
    """
    path = Path(nb_path)
    shown = path.as_posix()
    with contextlib.suppress(ValueError, OSError):
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    if first_line.strip():
        with contextlib.suppress(OSError):
            for no, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if line.strip() == first_line.strip():
                    return f"{shown}:{no}"
    return shown


def _check_stderr(nb, nb_path) -> None:
    """A cell that wrote to stderr (a warning, a logged error) fails the build, naming the cell."""
    code_no = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_no += 1
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                first = (cell.source.splitlines() or [""])[0]
                text = " ".join(o.get("text", "").split())
                raise ExecError(f"{_where(nb_path, first)}: cell {code_no} ({first!r}) wrote to stderr: "
                                f"{text[:300]}")


def _failing_cell(nb) -> tuple[int, str]:
    code_no = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_no += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return code_no, (cell.source.splitlines() or [""])[0]
    return code_no, ""


def install(runs: Runs) -> None:
    """Wrap mkdocs-jupyter's cache key and converter (idempotent)."""
    from mkdocs_jupyter import plugin

    plugin.til_runs = runs  # the wrapped converter reads the current build's from here
    if getattr(plugin, "_til_patched", False):
        return
    orig_key, orig_nb2html = plugin._compute_cache_key, plugin.convert.nb2html

    def cache_key(nb_path, config, exec_nb):
        base = orig_key(nb_path, config, exec_nb)
        try:
            deps = notebook_deps_hash(nb_path)
        except ExecError as exc:  # a snippets file that does not parse: one clean line
            raise TilError(str(exc)) from None
        return hashlib.sha256((base + deps).encode()).hexdigest()

    def nb2html(nb_path, execute=False, kernel_name="", **kwargs):
        if execute:
            try:
                nb_path = str(execute_notebook(nb_path, plugin.til_runs, kernel_name))
            except ExecError as exc:
                # raised inside page rendering: only a BuildError is reported without a traceback
                raise TilError(str(exc)) from None
        return orig_nb2html(nb_path, execute=False, kernel_name=kernel_name, **kwargs)

    plugin._compute_cache_key = cache_key
    plugin.convert.nb2html = nb2html
    plugin._til_patched = True


__all__ = ["ExecError", "Runs", "execute_notebook", "executed_path", "install", "notebook_deps_hash"]
