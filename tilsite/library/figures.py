"""Figures written into pages: ``{{ figure module:plot_x }}``, drawn once per colour scheme.

``figure`` calls a ``plot_*`` function of ``snippets.<module>`` twice, once per
colour scheme, and saves an SVG (or PNG, for photos: ``... plot_x png``).

Figures are cached under ``.cache/til-figures`` per plot function: the key hashes
the code the function reaches (``tilsite.library.deps.function_dependencies``: its own
body, the helpers, constants and imports it uses, across snippets modules;
compared as ASTs, so comments and formatting don't count).  Editing one
``plot_*`` function redraws that figure only; editing a library function
redraws the figures that use it.
"""

from __future__ import annotations

import ast
import base64
import functools
import io
import posixpath
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from .deps import parse_module, function_dependencies, source_hash
from .execute import ExecError, draws, load, module_file, package, reads_cache, tool_versions, warnings_are_errors

RENDER_VERSION = "2"  # bump when the rendering below changes

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
        return f"{package()}.{self.module}"


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
    path = module_file(spec.qualname)
    if path is None:
        raise ExecError(f"no module {spec.qualname}")
    for node in parse_module(path.read_text("utf-8"), spec.qualname).body:
        if isinstance(node, ast.FunctionDef) and node.name == spec.func:
            doc = ast.get_docstring(node)
            if not doc:
                raise ExecError(f"{spec.qualname}.{spec.func} has no docstring: its first line is the caption")
            return doc.strip().splitlines()[0]
    raise ExecError(f"{spec.qualname} has no function {spec.func}")


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

    func = getattr(load(spec.qualname), spec.func, None)
    if func is None:
        raise ExecError(f"{spec.qualname} has no function {spec.func}")
    rc = {**_COMMON_RC, **THEMES[variant], "font.family": ["NanumGothic", "DejaVu Sans"]}
    what = f"{spec.qualname}.{spec.func}() ({variant})"
    # a warning while drawing (a missing glyph, a RuntimeWarning) fails the build: the
    # published figure would show boxes or wrong numbers
    with matplotlib.rc_context(rc), warnings_are_errors(what):
        try:
            fig = func()
        except Exception as exc:
            raise ExecError(f"{spec.qualname}.{spec.func}() raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(fig, Figure):
            raise ExecError(f"{spec.qualname}.{spec.func}() returned {type(fig).__name__}, "
                            "expected a matplotlib.figure.Figure")
        buf = io.BytesIO()
        meta = {"Date": None} if spec.fmt == "svg" else {"Software": None}
        try:
            fig.savefig(buf, format=spec.fmt, metadata=meta, bbox_inches="tight",
                        dpi=110 if spec.fmt == "png" else None)
        finally:
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


class FigureCache:
    """Figures on disk under `root`, keyed by a hash of the code they depend on."""

    def __init__(self, root: Path, mode: str = "auto"):
        self.root = root
        self.mode = mode  # the plugin's `execute` option
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
                           _render_code(), tool_versions(), repr(sorted(THEMES[variant].items())),
                           repr(sorted(_COMMON_RC.items())))[:20]

    def get(self, spec: FigureSpec, variant: str) -> bytes:
        if not draws(self.mode):
            return _STUB_SVG.format(spec.name).encode() if spec.fmt == "svg" else _STUB_PNG
        path = self.root / f"{spec.name}-{variant}-{self.key(spec, variant)}.{spec.fmt}"
        if path.is_file() and reads_cache(self.mode):
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



def figure_markdown(spec: FigureSpec, page_src: str) -> str:
    """The `{{ figure }}` directive's Markdown: one image per theme in a captioned <figure>."""
    here = posixpath.dirname(page_src) or "."
    cap = caption(spec)
    alt = cap.replace("[", "(").replace("]", ")")
    imgs = "\n".join(
        f"![{alt}]({posixpath.relpath(spec.path(v), here)}#only-{v}){{ loading=lazy }}" for v in THEMES
    )
    return (f'<figure class="til-figure" id="fig-{spec.name}" markdown="span">\n{imgs}\n'
            f"<figcaption>{cap}</figcaption>\n</figure>")
