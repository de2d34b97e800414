"""Build-time execution of snippets: figures and values written into pages.

A page asks for them with one directive each, on its own or inside a line:

    {{ figure convolution.figures:plot_param_counts }}
    {{ value convolution.numbers:fc_weights() }}
    {{ value convolution.shapes:output_size(28, 3) }}

``figure`` calls a ``plot_*`` function of ``snippets.<module>`` twice, once per
colour scheme, and saves an SVG (or PNG, for photos: ``... plot_x png``).
``value`` evaluates an expression in the module's namespace: an int is printed
with thousands separators, a str is inserted as Markdown.

Figures are cached under ``.cache/til-figures`` per plot function: the key hashes
the function's own code and the module-level code it uses (helpers, constants,
imports; compared as ASTs, so comments and formatting don't count) plus every
snippets file it imports, transitively.  Editing one ``plot_*`` function redraws
that figure only; editing a library module redraws the figures that use it.
"""

from __future__ import annotations

import ast
import base64
import functools
import hashlib
import importlib
import importlib.util
import io
import os
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

DIRECTIVE = re.compile(r"\{\{\s*(?P<kind>figure|value)\s+(?P<module>[\w.]+):(?P<expr>.+?)\s*\}\}")
SNIPPETS = "snippets"
RENDER_VERSION = "2"  # bump when the rendering below changes
NO_EXEC_ENV = "TIL_NO_EXEC"

# Material's slate background is dark; figures are transparent, so only ink colours change.
THEMES = {
    "light": {"text.color": "#1f2328", "axes.labelcolor": "#1f2328", "axes.edgecolor": "#57606a",
              "xtick.color": "#57606a", "ytick.color": "#57606a", "grid.color": "#d0d7de"},
    "dark": {"text.color": "#e6edf3", "axes.labelcolor": "#e6edf3", "axes.edgecolor": "#8b949e",
             "xtick.color": "#8b949e", "ytick.color": "#8b949e", "grid.color": "#30363d"},
}
_COMMON_RC = {
    "svg.hashsalt": "til",  # stable element ids
    "svg.fonttype": "path",  # text as outlines: no font needed in the browser
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.transparent": True,
    "figure.dpi": 100,
}


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


def _module_file(name: str) -> Path | None:
    root = snippets_root()
    rel = name.split(".")[1:]
    for cand in (root.joinpath(*rel).with_suffix(".py"), root.joinpath(*rel, "__init__.py")):
        if cand.is_file():
            return cand
    return None


def _is_snippet(name: str) -> bool:
    return name == SNIPPETS or name.startswith(SNIPPETS + ".")


def _import_targets(node: ast.Import | ast.ImportFrom, module: str, alias: ast.alias | None = None) -> list[str]:
    """Modules an import statement (or one of its aliases) may load, absolute names."""
    aliases = [alias] if alias is not None else node.names
    if isinstance(node, ast.Import):
        return [a.name for a in aliases]
    package = module.rsplit(".", 1)[0] if "." in module else module
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    return [base] + [f"{base}.{a.name}" for a in aliases if a.name != "*"]


_IMPORTS: dict[tuple[str, str], frozenset[str]] = {}


def _imported_snippets(source: str | ast.AST, module: str) -> set[str]:
    """Names of snippets modules imported by `source` (absolute or relative imports)."""
    memo = (source, module) if isinstance(source, str) else None
    if memo in _IMPORTS:  # memoised on the text: warm builds ask for the same files
        return set(_IMPORTS[memo])
    tree = _parse(source) if isinstance(source, str) else source
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(n for n in _import_targets(node, module) if _is_snippet(n))
    if memo is not None:
        _IMPORTS[memo] = frozenset(found)
    return found


def dependency_files(module: str) -> list[Path]:
    """Files of `module` and of every snippets module it imports, transitively."""
    todo, seen, files = [module], set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is not None:
            files.add(path)
            todo.extend(_imported_snippets(path.read_text("utf-8"), name))
    return sorted(files)


_PARSED: dict[str, ast.Module] = {}


def _parse(text: str) -> ast.Module:
    """ast.parse, memoised on the text: a build asks for the same module many times."""
    tree = _PARSED.get(text)
    if tree is None:
        tree = _PARSED[text] = ast.parse(text)
    return tree


def _names_used(node: ast.AST) -> set[str]:
    """Every bare name a piece of code reads, writes or declares global."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            names.update(n.names)
    return names


def _bound_names(target: ast.expr) -> set[str] | None:
    """Names an assignment target binds; None if it stores into something (x[i], x.a)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        out = set()
        for elt in target.elts:
            b = _bound_names(elt)
            if b is None:
                return None
            out |= b
        return out
    return None


@dataclass(frozen=True)
class _Stmt:
    """One top-level statement (or one name of an import) of a snippets module."""

    order: tuple[int, str]  # position in the file
    dump: str  # its AST, without positions: comments and layout don't count
    uses: frozenset[str]  # names it reads (followed to their definitions)
    modules: frozenset[str]  # snippets modules it imports


_INDEX: dict[tuple[str, str], tuple[dict[str, list[_Stmt]], list[_Stmt]]] = {}


def _module_index(text: str, module: str) -> tuple[dict[str, list[_Stmt]], list[_Stmt]]:
    """Top-level statements of a module by the names they bind, and those binding none."""
    memo = (text, module)
    if memo in _INDEX:
        return _INDEX[memo]
    binders: dict[str, list[_Stmt]] = {}
    always: list[_Stmt] = []
    for i, node in enumerate(_parse(text).body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and (node.module == "__future__"
                                                     or any(a.name == "*" for a in node.names)):
                targets = _import_targets(node, module)
                always.append(_Stmt((node.lineno, ""), ast.dump(node), frozenset(),
                                    frozenset(n for n in targets if _is_snippet(n))))
                continue
            for a in node.names:
                bound = a.asname or (a.name.split(".")[0] if isinstance(node, ast.Import) else a.name)
                where = f"{getattr(node, 'module', '')}:{getattr(node, 'level', 0)}:{ast.dump(a)}"
                targets = _import_targets(node, module, a)
                stmt = _Stmt((node.lineno, a.name), where, frozenset(),
                             frozenset(n for n in targets if _is_snippet(n)))
                binders.setdefault(bound, []).append(stmt)
            continue
        stmt = _Stmt((node.lineno, ""), ast.dump(node), frozenset(_names_used(node)),
                     frozenset(_imported_snippets(node, module)))  # imports inside functions
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = [{node.name}]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [_bound_names(t) for t in targets]
        else:
            bound = [None]
        if any(b is None for b in bound):  # if/try/calls, rcParams[...] = ...: they run on import
            always.append(stmt)
            continue
        for name in set().union(*bound):
            binders.setdefault(name, []).append(stmt)
    _INDEX[memo] = (binders, always)
    return binders, always


def function_dependencies(module: str, func: str) -> tuple[str, list[Path]]:
    """What a top-level function of a snippets module depends on.

    Returns (digest, files): `digest` hashes the ASTs of the function and of the
    module-level statements it reaches through names (helper functions, classes,
    constants, imports), followed transitively; statements that bind no name
    (``if``/``try``/calls at module level) are always included, since they run on
    import.  `files` are the snippets files those reached imports load, with
    everything they import in turn (whole files).  Code reached only through
    ``globals()``/``getattr`` on the module is not seen.
    """
    path = _module_file(module)
    if path is None:
        raise ExecError(f"no module {module}")
    binders, always = _module_index(path.read_text("utf-8"), module)
    if func not in binders:
        raise ExecError(f"{module} has no function {func}")
    chosen = {id(st): st for st in always}
    todo = [func] + [name for st in always for name in st.uses]
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for st in binders.get(name, []):
            if id(st) not in chosen:
                chosen[id(st)] = st
                todo.extend(st.uses)
    h = hashlib.sha256()
    modules: set[str] = set()
    for st in sorted(chosen.values(), key=lambda st: st.order):
        h.update(st.dump.encode() + b"\0")
        modules |= st.modules
    files: set[Path] = set()
    for name in sorted(modules):
        files.update(dependency_files(name))
    return h.hexdigest(), sorted(files)


def source_hash(files: list[Path], *extra: str) -> str:
    """sha256 over the files' bytes (named relative to snippets/) and extra strings."""
    h = hashlib.sha256()
    root = snippets_root()
    for f in files:
        h.update(str(f.relative_to(root.parent)).encode())
        h.update(f.read_bytes())
    for e in extra:
        h.update(e.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class FigureSpec:
    module: str  # e.g. convolution.figures
    func: str  # e.g. plot_param_counts
    fmt: str  # svg or png

    @property
    def name(self) -> str:
        """Stable kebab-case file stem: plot_param_counts -> param-counts."""
        return self.func.removeprefix("plot_").replace("_", "-")

    def path(self, variant: str) -> str:
        return f"assets/figures/{self.name}-{variant}.{self.fmt}"

    @property
    def qualname(self) -> str:
        return f"{SNIPPETS}.{self.module}"


def parse_figure(expr: str, module: str) -> FigureSpec:
    parts = expr.split()
    if not parts or not re.fullmatch(r"plot_\w+", parts[0]):
        raise ExecError(f"a figure names a plot_* function, got {expr!r}")
    fmt = parts[1] if len(parts) > 1 else "svg"
    if fmt not in ("svg", "png") or len(parts) > 2:
        raise ExecError(f"figure format must be svg or png, got {' '.join(parts[1:])!r}")
    return FigureSpec(module, parts[0], fmt)


def caption(spec: FigureSpec) -> str:
    """First line of the plot function's docstring, read without importing it."""
    path = _module_file(spec.qualname)
    if path is None:
        raise ExecError(f"no module {spec.qualname}")
    for node in _parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == spec.func:
            doc = ast.get_docstring(node)
            if not doc:
                raise ExecError(f"{spec.qualname}.{spec.func} has no docstring: its first line is the caption")
            return doc.strip().splitlines()[0]
    raise ExecError(f"{spec.qualname} has no function {spec.func}")


def _load(module: str):
    try:
        return importlib.import_module(module)
    except Exception as exc:  # report the import error against the page
        raise ExecError(f"importing {module} failed: {type(exc).__name__}: {exc}") from exc


_STRIP_METADATA = re.compile(rb"<metadata>.*?</metadata>\s*", re.S)


def draw(spec: FigureSpec, variant: str) -> bytes:
    """Call the plot function under the variant's style and return the file's bytes."""
    import matplotlib

    matplotlib.use("Agg")
    with warnings.catch_warnings():  # it compares versions with distutils' deprecated LooseVersion
        warnings.simplefilter("ignore", DeprecationWarning)
        import koreanize_matplotlib  # noqa: F401  (registers the bundled Nanum font)
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    func = getattr(_load(spec.qualname), spec.func, None)
    if func is None:
        raise ExecError(f"{spec.qualname} has no function {spec.func}")
    rc = {**_COMMON_RC, **THEMES[variant], "font.family": ["NanumGothic", "DejaVu Sans"]}
    with matplotlib.rc_context(rc):
        try:
            fig = func()
        except Exception as exc:
            raise ExecError(f"{spec.qualname}.{spec.func}() raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(fig, Figure):
            raise ExecError(f"{spec.qualname}.{spec.func}() returned {type(fig).__name__}, "
                            "expected a matplotlib.figure.Figure")
        buf = io.BytesIO()
        meta = {"Date": None} if spec.fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=spec.fmt, metadata=meta, bbox_inches="tight",
                    dpi=110 if spec.fmt == "png" else None)
        plt.close(fig)
    data = buf.getvalue()
    return _STRIP_METADATA.sub(b"", data) if spec.fmt == "svg" else data


_STUB_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="40">'
             '<text x="8" y="24" font-size="14">figure skipped ({})</text></svg>')

# 1x1 transparent PNG
_STUB_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@functools.lru_cache(maxsize=1)
def _render_code() -> str:
    """Source of draw(): a change to how figures are saved (dpi, metadata) redraws them all."""
    import inspect

    return inspect.getsource(draw)


@functools.lru_cache(maxsize=1)
def _tool_versions() -> str:
    """Versions of what draws the figures, read without importing matplotlib (warm builds skip it).

    The version comes from the package's *.dist-info folder next to it: a glob
    instead of importlib.metadata's scan of every sys.path entry (70 ms).
    """
    out = []
    for module, dist in (("matplotlib", "matplotlib"), ("numpy", "numpy"),
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


class FigureCache:
    """Figures on disk under `root`, keyed by a hash of the code they depend on."""

    def __init__(self, root: Path):
        self.root = root
        self.drawn: list[str] = []  # what this build had to draw: for tests and the benchmark
        self.draw_seconds = 0.0  # time spent drawing them
        self._deps: dict[tuple[str, str], tuple[str, list[Path]]] = {}

    def key(self, spec: FigureSpec, variant: str) -> str:
        """Hash of the plot function's code (see function_dependencies), the theme and the tools."""
        deps = self._deps.get((spec.qualname, spec.func))
        if deps is None:  # asked once per variant: work it out once per build
            deps = self._deps[(spec.qualname, spec.func)] = function_dependencies(spec.qualname, spec.func)
        digest, files = deps
        return source_hash(files, digest, spec.qualname, spec.func, variant, spec.fmt, RENDER_VERSION,
                           _render_code(), _tool_versions(), repr(sorted(THEMES[variant].items())),
                           repr(sorted(_COMMON_RC.items())))[:20]

    def get(self, spec: FigureSpec, variant: str) -> bytes:
        if no_exec():
            return _STUB_SVG.format(spec.name).encode() if spec.fmt == "svg" else _STUB_PNG
        path = self.root / f"{spec.name}-{variant}-{self.key(spec, variant)}.{spec.fmt}"
        if path.is_file():
            return path.read_bytes()
        start = time.perf_counter()
        data = draw(spec, variant)
        self.draw_seconds += time.perf_counter() - start
        self.root.mkdir(parents=True, exist_ok=True)
        for old in self.root.glob(f"{spec.name}-{variant}-*.{spec.fmt}"):
            old.unlink()  # one cached copy per figure and variant
        path.write_bytes(data)
        self.drawn.append(f"{spec.name}-{variant}")
        return data


def evaluate(module: str, expr: str) -> str:
    """Text of a value directive: the expression evaluated in snippets.<module>."""
    qual = f"{SNIPPETS}.{module}"
    mod = _load(qual)
    try:
        value = eval(expr, vars(mod).copy())  # noqa: S307  (our own pages, our own code)
    except Exception as exc:
        raise ExecError(f"{qual}:{expr} raised {type(exc).__name__}: {exc}") from exc
    return format_value(value)


def format_value(value) -> str:
    import numpy as np

    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ")
    return str(value)


def purge_snippets() -> None:
    """Forget imported snippets so `mkdocs serve` sees edited files."""
    for name in [n for n in sys.modules if n == SNIPPETS or n.startswith(SNIPPETS + ".")]:
        del sys.modules[name]


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
