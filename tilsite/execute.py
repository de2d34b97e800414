"""Build-time execution of snippets: figures and values written into pages.

A page asks for them with one directive each, on its own or inside a line:

    {{ figure convolution.figures:plot_param_counts }}
    {{ value convolution.numbers:fc_weights() }}
    {{ value convolution.shapes:output_size(28, 3) }}

``figure`` calls a ``plot_*`` function of ``snippets.<module>`` twice, once per
colour scheme, and saves an SVG (or PNG, for photos: ``... plot_x png``).
``value`` evaluates an expression in the module's namespace: an int is printed
with thousands separators, a str is inserted as Markdown.

Figures are cached under ``.cache/til-figures`` by a hash of every snippet file
the figure's module imports, transitively, so editing any of them redraws it.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib
import io
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

DIRECTIVE = re.compile(r"\{\{\s*(?P<kind>figure|value)\s+(?P<module>[\w.]+):(?P<expr>.+?)\s*\}\}")
SNIPPETS = "snippets"
RENDER_VERSION = "1"  # bump when the rendering below changes
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


def _imported_snippets(source: str, module: str) -> set[str]:
    """Names of snippets modules imported by `source` (absolute or relative imports)."""
    found = set()
    package = module.rsplit(".", 1)[0] if "." in module else module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found.update(n for n in names if n == SNIPPETS or n.startswith(SNIPPETS + "."))
    return found


def dependency_files(module: str, source: str | None = None) -> list[Path]:
    """Files of `module` and of every snippets module it imports, transitively."""
    todo, seen, files = [module], set(), []
    first_source = source
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None and not (name == module and first_source is not None):
            continue
        text = first_source if (name == module and first_source is not None) else path.read_text("utf-8")
        if path is not None:
            files.append(path)
        todo.extend(_imported_snippets(text, name))
    return sorted(set(files))


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
    for node in ast.parse(path.read_text("utf-8")).body:
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


class FigureCache:
    """Figures on disk under `root`, keyed by a hash of the code they depend on."""

    def __init__(self, root: Path):
        self.root = root
        self.drawn: list[str] = []  # what this build had to draw: for tests and the benchmark

    def key(self, spec: FigureSpec, variant: str) -> str:
        import matplotlib

        files = dependency_files(spec.qualname)
        return source_hash(files, spec.func, variant, spec.fmt, RENDER_VERSION,
                           matplotlib.__version__, repr(sorted(THEMES[variant].items())))[:20]

    def get(self, spec: FigureSpec, variant: str) -> bytes:
        if no_exec():
            return _STUB_SVG.format(spec.name).encode() if spec.fmt == "svg" else _STUB_PNG
        path = self.root / f"{spec.name}-{variant}-{self.key(spec, variant)}.{spec.fmt}"
        if path.is_file():
            return path.read_bytes()
        data = draw(spec, variant)
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
