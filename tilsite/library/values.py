"""Values written into pages: ``{{ value module:expr }}``."""

from __future__ import annotations

from .execute import ExecError, package, load, warnings_are_errors


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
