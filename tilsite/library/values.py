"""Values written into pages: ``{{ value module:expr }}``.

Values are cached as figures are: the key hashes the code the expression reaches
(``tilsite.library.deps.expression_dependencies``), so a rebuild computes again
only the values whose code changed.  The cache is one JSON file under
``.cache/til-values``; the plugin keeps one ``ValueCache`` per build.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from .deps import expression_dependencies, source_hash
from .execute import ExecError, load, package, reads_value_cache, tool_versions, warnings_are_errors



def evaluate(module: str, expr: str) -> str:
    """Text of a value directive: the expression evaluated in snippets.<module>."""
    qual = f"{package()}.{module}"
    mod = load(qual)
    with warnings_are_errors(f"{qual}:{expr}"):  # e.g. a RuntimeWarning: the number shown would be nan
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


@functools.lru_cache(maxsize=1)
def _format_code() -> str:
    """Source of format_value(): a change to how values are printed computes them all again."""
    import inspect

    return inspect.getsource(format_value)


class ValueCache:
    """Values' text on disk under `root`, keyed by a hash of the code their expression reaches."""

    FILE = "values.json"

    def __init__(self, root: Path, mode: str = "auto"):
        self.root = root
        self.mode = mode  # the plugin's `execute` option: `force` computes every value again
        self.computed = 0  # values this build had to compute: for tests and the benchmark
        self._saved = self._read()
        self._used: dict[str, str] = {}

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads((self.root / self.FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return {}  # no cache yet, or a damaged one: compute
        return data if isinstance(data, dict) else {}

    def key(self, module: str, expr: str) -> str | None:
        """Hash of the expression, the code it reaches, and the Python and library versions;
        None when its dependencies cannot be told (it is then computed every time)."""
        qual = f"{package()}.{module}"
        deps = expression_dependencies(qual, expr)
        if deps is None:
            return None
        digest, files = deps
        # another numpy may print other digits
        return source_hash(files, digest, qual, expr, _format_code(), sys.version.split()[0], tool_versions())[:20]

    def get(self, module: str, expr: str) -> str:
        key = self.key(module, expr)
        if key is not None and reads_value_cache(self.mode) and key in self._saved:
            text = self._saved[key]
        else:
            text = evaluate(module, expr)
            self.computed += 1
        if key is not None:
            self._used[key] = text
        return text

    def save(self, partial: bool = False) -> None:
        """Write what this build used (with what it did not look at, after a partial build)."""
        data = {**self._saved, **self._used} if partial else self._used
        if data == self._saved:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / self.FILE).write_text(json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=0),
                                           "utf-8")
        self._saved = data
