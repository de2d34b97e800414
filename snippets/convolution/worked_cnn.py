"""Numbers and tables quoted by the note's sections on learning a kernel, LeNet-5 and the exercises.

The page asks for each with ``{{ value convolution.worked_cnn:EXPR }}``; every
number is computed here, at build time, by learning.py and lenet.py.
"""

from __future__ import annotations

import numpy as np

from snippets.convolution.learning import (
    LEARNING_RATE, N_IMAGES, STEPS, hessian_eigenvalues, largest_stable_lr, learned_kernel, max_kernel_error,
    note_run, target_kernel,
)
from snippets.convolution.lenet import (
    INPUT_D2L, LENET5_D2L, Act, Conv, Flatten, Linear, Pool, lecun1998_layers, layer_summary, total_macs,
    total_params,
)
from snippets.convolution.worked import latex_matrix, num

_ACT_KO = {"sigmoid": "시그모이드", "relu": "ReLU", "tanh": "tanh"}


def sci(v: float, digits: int = 1) -> str:
    """A small or large number as LaTeX: 3.8e-09 -> '3.8 \\times 10^{-9}'."""
    mantissa, exponent = f"{float(v):.{digits}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


# --------------------------------------------------------------------------- learning a kernel


def initial_kernel_latex() -> str:
    """The random starting kernel, rounded to 2 decimals, as a LaTeX bmatrix."""
    return latex_matrix(np.round(note_run()[2][0, 0, 0], 2))


def learned_kernel_latex() -> str:
    """The kernel after the last step, rounded to 4 decimals (it shows the target's integers)."""
    return latex_matrix(np.round(learned_kernel(), 4) + 0.0)


def target_kernel_latex() -> str:
    return latex_matrix(target_kernel())


def loss_at(step: int) -> str:
    """The loss after `step` updates, as LaTeX (powers of ten below 0.01)."""
    v = float(note_run()[4][step])
    return num(float(f"{v:.3g}")) if v >= 0.01 else sci(v)


def final_bias() -> str:
    return sci(abs(note_run()[3][-1, 0]))


def error_ratio() -> str:
    """The measured shrink factor of |K - K*| per step over the last 20 steps, and the bound 1 - lr * lambda_min."""
    ks = note_run()[2][:, 0, 0]
    err = np.abs(ks - target_kernel()).max(axis=(1, 2))
    return num(round(float((err[-1] / err[-21]) ** (1 / 20)), 3))


def rate_bound() -> str:
    """max |1 - lr lambda| over the Hessian's eigenvalues: the slowest direction's shrink factor per step."""
    lam = hessian_eigenvalues()
    return num(round(float(np.max(np.abs(1 - LEARNING_RATE * lam))), 3))


def eigenvalue(which: int) -> str:
    """An eigenvalue of the Hessian, rounded to 2 decimals: 0 the smallest, -1 the largest."""
    return num(round(float(hessian_eigenvalues()[which]), 2))


def max_error() -> str:
    """max |K - K*| after the last step, as LaTeX."""
    return sci(max_kernel_error())


def stable_lr() -> str:
    """2 / lambda_max, rounded to 2 decimals: the learning rate above which the run diverges."""
    return num(round(largest_stable_lr(), 2))


def flipped_target_latex() -> str:
    """The target kernel turned by 180 degrees: what a layer that flips its kernel would learn."""
    return latex_matrix(target_kernel()[::-1, ::-1])


# --------------------------------------------------------------------------- LeNet-5


def _label(layer, c_in) -> str:
    if isinstance(layer, Conv):
        pad = f", 패딩 {layer.padding}" if layer.padding else ""
        return f"합성곱 {layer.k}×{layer.k}, {layer.c_out}채널{pad}"
    if isinstance(layer, Act):
        return _ACT_KO[layer.name]
    if isinstance(layer, Pool):
        kind = "평균" if layer.kind == "avg" else "최대"
        stride = "" if layer.stride == layer.k else f", 보폭 {layer.stride}"  # the default: windows side by side
        return f"{kind} 풀링 {layer.k}×{layer.k}{stride}"
    if isinstance(layer, Flatten):
        return "펼치기"
    if isinstance(layer, Linear):
        return f"완전연결 → {layer.out}"
    raise TypeError(layer)


def _dash(n: int) -> str:
    return f"{n:,}" if n else "–"


def lenet_table(layers=LENET5_D2L, input_shape=INPUT_D2L) -> str:
    """Markdown table: each layer's output shape (C, H, W), parameters and multiply-adds, with totals."""
    rows = [f"| 입력 | {_shape(input_shape)} | | |"]
    shape = input_shape
    for layer, out, params, macs in layer_summary(layers, input_shape):
        rows.append(f"| {_label(layer, shape[0])} | {_shape(out)} | {_dash(params)} | {_dash(macs)} |")
        shape = out
    rows.append(f"| **합계** | | **{total_params(layers, input_shape):,}** | **{total_macs(layers, input_shape):,}** |")
    head = ["| 층 | 출력 모양 | 파라미터 | 곱셈-덧셈 |", "| --- | --- | ---: | ---: |"]
    return "\n".join(head + rows)


def _shape(shape) -> str:
    if len(shape) == 1:
        return f"({int(shape[0])},)"
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _rows(kind):
    return [r for r in layer_summary(LENET5_D2L, INPUT_D2L) if isinstance(r[0], kind)]


def share(what: str, kind: str) -> int:
    """Percent (rounded) of the d2l LeNet's parameters or MACs ('params' / 'macs') in its conv or linear layers."""
    col = {"params": 2, "macs": 3}[what]
    part = sum(r[col] for r in _rows({"conv": Conv, "linear": Linear}[kind]))
    whole = total_params() if what == "params" else total_macs()
    return round(100 * part / whole)


def largest(what: str) -> str:
    """The layer label with the most parameters or MACs, and its count."""
    col = {"params": 2, "macs": 3}[what]
    shape, best = INPUT_D2L, None
    for row in layer_summary(LENET5_D2L, INPUT_D2L):
        if best is None or row[col] > best[0]:
            best = (row[col], _label(row[0], shape[0]))
        shape = row[1]
    return best[1]


def layer_count(index: int, what: str) -> int:
    """Parameters or MACs of the d2l LeNet's layer `index` (0-based, activation and pooling rows included)."""
    return layer_summary(LENET5_D2L, INPUT_D2L)[index][{"params": 2, "macs": 3}[what]]


def lenet_shape(index: int) -> str:
    """The output shape of the d2l LeNet's layer `index` (0-based), e.g. '(16, 5, 5)'."""
    return _shape(layer_summary(LENET5_D2L, INPUT_D2L)[index][1])


def lecun(name: str, what: str = "params") -> int:
    """The original LeNet-5's trainable parameters or connections of one layer, or 'total'."""
    rows = lecun1998_layers()
    col = {"params": 1, "connections": 2}[what]
    if name == "total":
        return sum(r[col] for r in rows)
    return next(r[col] for r in rows if r[0] == name)


def d2l_widths() -> str:
    """The widths of the d2l LeNet's fully connected layers: '120, 84, 10'."""
    return ", ".join(str(layer.out) for layer in LENET5_D2L if isinstance(layer, Linear))


__all__ = ["sci", "lenet_table", "N_IMAGES", "STEPS", "LEARNING_RATE"]
