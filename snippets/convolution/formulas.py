"""The convolution note's formulas, as sympy expressions and as equations generated from the library.

Two kinds of LaTeX come from here, both asked for by the page with
``{{ value convolution.formulas:EXPR }}`` and both tested numerically:

- general formulas (output size, transposed length, parameter count,
  receptive field, cost of a layer): one sympy expression each in
  ``FORMULAS``, printed by ``formula(name)`` and evaluated by ``evaluate``;
- equations that restate what the code computes: the tested numpy functions
  (conv1d, conv2d, conv1d_backward, ...) applied to numpy object arrays of
  sympy symbols, so the page shows what the code does, term by term.

This module imports sympy: it is part of the site, not of the numpy-only
library files that readers copy.  Indices in generated equations are
1-based, as in the lecture (X_1..X_5, K_1..K_3).

Notation (the note's table): input X, kernel K, output Y, loss L (written \\mathcal{L} on the page);
lengths H, W (input) and H_out, W_out (output); kernel size k (k_h, k_w);
stride s, padding p, dilation d; batch N; channels C_in, C_out.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter

from snippets.convolution.backprop import conv1d_backward, conv2d_backward
from snippets.convolution.layers import conv1d, conv2d
from snippets.convolution.worked import BP_W, BP_X, bp1d_dw, bp1d_dx, num

# ---------------------------------------------------------------------------
# General formulas: one sympy expression each
# ---------------------------------------------------------------------------

H, K, P, S, D, a = sp.symbols("H k p s d a", integer=True, nonnegative=True)
C_in, C_out, K_H, K_W, H_out, W_out, N = sp.symbols(
    r"C_\text{in} C_\text{out} k_h k_w H_\text{out} W_\text{out} N", integer=True, positive=True
)
_l, _i = sp.symbols("l i", integer=True, positive=True)
_r, _Kl, _Sl, _Dl = (sp.IndexedBase(n) for n in ("r", "k", "s", "d"))

FORMULAS: dict[str, tuple[str, sp.Expr]] = {
    # eq. (6): windows that fit in the padded input, S apart
    "output_size": (r"H_\text{out}", sp.floor((H + 2 * P - D * (K - 1) - 1) / S) + 1),
    # the transposed convolution's length: each of its H inputs places a kernel spanning d(k-1)+1, s apart
    "transposed_size": (r"H_\text{out}", (H - 1) * S - 2 * P + D * (K - 1) + a + 1),
    # Dumoulin & Visin's a: the output_padding that gives back the length H_out that the forward conv had as input
    "output_padding": ("a", sp.Mod(H_out + 2 * P - D * (K - 1) - 1, S)),
    # eq. (7): one filter of C_in K_H K_W weights and one bias per output channel
    "params": (r"\#\text{params}", C_out * (C_in * K_H * K_W + 1)),
    # receptive field: layer l widens it by D_l (K_l - 1) jumps of the layer below
    "receptive_field": (
        "r_l", _r[_l - 1] + _Dl[_l] * (_Kl[_l] - 1) * sp.Product(_Sl[_i], (_i, 1, _l - 1))
    ),
    # multiply-adds of a batch of N: every output value is one dot product of C_in k_h k_w terms
    "macs": (r"\#\text{MAC}", N * C_out * H_out * W_out * C_in * K_H * K_W),
    # activations a batch keeps for the backward pass (values, times bytes per value)
    "activations": (r"\#\text{activations}", N * C_out * H_out * W_out),
}

# Display order of symbols inside sums and products (constants last).
_ORDER = ["r", "N", "C_out", "H_out", "W_out", "C_in", "H", "p", "s", "d", "k", "k_h", "k_w", "a", "l"]
# sympy names -> the names evaluate() takes (and _ORDER uses)
_NAMES = {r"H_\text{out}": "H_out", r"W_\text{out}": "W_out", r"C_\text{in}": "C_in", r"C_\text{out}": "C_out"}


def _name(node) -> str | None:
    if isinstance(node, sp.Indexed):
        return _NAMES.get(node.base.label.name, node.base.label.name)
    if isinstance(node, sp.Symbol):
        return _NAMES.get(node.name, node.name)
    return None


def _rank(expr) -> int:
    if expr.is_Number:
        return len(_ORDER) + 1
    ranks = [_ORDER.index(n) for n in map(_name, sp.preorder_traversal(expr)) if n in _ORDER]
    return min(ranks, default=len(_ORDER))


class _Printer(LatexPrinter):
    """sympy's LaTeX with terms and factors in the order a textbook writes them: H + 2P - D(K - 1) - 1."""

    def __init__(self):
        super().__init__({"order": "none"})

    def _print_Add(self, expr, order=None):
        out = ""
        for i, term in enumerate(sorted(expr.args, key=_rank)):
            text = self._print(term)
            if i == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:]
            else:
                out += " + " + text
        return out

    def _print_Mul(self, expr):
        coeff, factors = expr.as_coeff_mul()
        if coeff < 0:
            return "-" + self._print(-expr)
        if coeff.is_Rational and not coeff.is_Integer:  # (K - 1)/2, not 1/2 (K - 1)
            return r"\frac{" + self._print(coeff.p * sp.Mul(*factors)) + "}{" + str(coeff.q) + "}"
        num_f = [f for f in factors if not (f.is_Pow and f.exp.is_negative)]
        den_f = [1 / f for f in factors if f.is_Pow and f.exp.is_negative]
        if den_f:
            top = self._print(sp.Mul(coeff, *num_f, evaluate=False) if coeff != 1 else sp.Mul(*num_f))
            return r"\frac{" + top + "}{" + self._print(sp.Mul(*den_f)) + "}"
        # numbers, then symbols in _ORDER, then (sums), then the rest (products, ...)
        kinds = sorted(factors, key=lambda f: (2 if f.is_Add else 3 if not (f.is_Symbol or f.is_Indexed) else 1,
                                               _rank(f)))
        parts = [self._print(coeff)] if coeff != 1 else []
        parts += [r"\left(" + self._print(f) + r"\right)" if f.is_Add else self._print(f) for f in kinds]
        return " ".join(parts)

    def _print_Indexed(self, expr):
        return f"{expr.base.label.name}_{{{', '.join(self._print(i) for i in expr.indices)}}}"


def latex(expr) -> str:
    """LaTeX of a sympy expression in the note's term order."""
    return _Printer().doprint(expr)


def formula(name: str, align: bool = False) -> str:
    """'lhs = rhs' in LaTeX for FORMULAS[name], to be placed inside $...$ or $$...$$.

    align=True gives 'lhs &= rhs', a row of an aligned environment (formulas stacked at their '=').
    """
    lhs, rhs = FORMULAS[name]
    return f"{lhs} {'&=' if align else '='} {latex(rhs)}"


def evaluate(name: str, **values) -> int:
    """FORMULAS[name] with numbers put in for its symbols (by name, e.g. H=28, k=3), as an int."""
    lhs, rhs = FORMULAS[name]
    subs = {s: values[_name(s)] for s in rhs.free_symbols if _name(s) in values}
    missing = sorted(_name(s) for s in rhs.free_symbols if s not in subs)
    if missing:
        raise KeyError(f"formula {name!r} needs values for {', '.join(missing)}")
    value = rhs.subs(subs).doit()
    if not value.is_Integer:
        raise ValueError(f"formula {name!r} gave {value}, not an integer")
    return int(value)


def receptive_field_formula(layers) -> int:
    """Receptive field by unrolling FORMULAS['receptive_field'] from r_0 = 1 over (kernel, stride[, dilation]) layers."""
    step = FORMULAS["receptive_field"][1]
    r, strides = 1, []
    for layer in layers:
        k, s, d = (*layer, 1)[:3]
        strides.append(s)
        # IndexedBase entries for this layer l: r_{l-1}, K_l, D_l and S_1..S_{l-1}
        l_ = len(strides)
        value = step.subs(_l, l_).doit()
        value = value.subs({_r[l_ - 1]: r, _Kl[l_]: k, _Dl[l_]: d})
        value = value.subs({_Sl[i + 1]: strides[i] for i in range(l_ - 1)})
        r = int(value)
    return r


# (name, what is set) for the special cases of eq. (6) with S = D = 1
_PADDING_CASES = (
    ("valid", {P: 0}),
    ("same", {P: (K - 1) / 2}),
    ("full", {P: K - 1}),
)


def output_size_cases() -> str:
    """LaTeX (aligned) of eq. (6) with s = d = 1 and the valid, same (k odd) and full paddings, simplified by sympy."""
    base = FORMULAS["output_size"][1].subs({S: 1, D: 1})
    rows = []
    for name, subs in _PADDING_CASES:
        (p_value,) = subs.values()
        rows.append(rf"\text{{{name}}}\ (p = {latex(sp.factor(p_value))}) &: \quad H_\text{{out}} = {latex(sp.simplify(base.subs(subs)))}")
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def transposed_size_special() -> str:
    """LaTeX of FORMULAS['transposed_size'] with p = 0, d = 1, a = 0, simplified by sympy: s(H - 1) + k."""
    return r"H_\text{out} = " + latex(sp.simplify(FORMULAS["transposed_size"][1].subs({P: 0, D: 1, a: 0})))


# ---------------------------------------------------------------------------
# Equations generated by running the library on symbols
# ---------------------------------------------------------------------------

# Letters of generated equations, in the order they are written inside a product.
_LETTERS = {"delta": r"\delta", "X": "X", "K": "K"}


def symbols(letter: str, shape) -> np.ndarray:
    """An object array of sympy symbols letter_1.. (1-D) or letter_11.. (2-D, row and column), 1-based."""
    shape = tuple(np.atleast_1d(shape))
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        out[idx] = sp.Symbol(f"{letter}_" + "".join(str(i + 1) for i in idx))
    return out


def _factor_key(sym: sp.Symbol) -> tuple:
    letter, idx = sym.name.split("_")
    return (list(_LETTERS).index(letter), tuple(int(c) for c in idx))


def _sym_latex(sym: sp.Symbol) -> str:
    letter, idx = sym.name.split("_")
    return f"{_LETTERS[letter]}_{{{idx}}}"


def products_latex(expr) -> str:
    """A sum of products of symbols as LaTeX, factors as delta, X, K and terms by their indices: X_1 K_1 + X_2 K_2."""
    if expr == 0:
        return "0"
    terms = []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, factors = term.as_coeff_mul()
        syms = sorted(factors, key=_factor_key)
        if any(not f.is_Symbol for f in syms):
            raise ValueError(f"not a sum of products of symbols: {expr}")
        terms.append((tuple(_factor_key(f) for f in syms), coeff, syms))
    out = ""
    for i, (_, coeff, syms) in enumerate(sorted(terms, key=lambda t: t[0])):
        body = " ".join(_sym_latex(f) for f in syms)
        sign = "-" if coeff < 0 else "+"
        mag = "" if abs(coeff) == 1 else f"{num(abs(coeff))} "
        out += (("-" if sign == "-" else "") if i == 0 else f" {sign} ") + mag + body
    return out or "0"


def _aligned(lhs: list[str], rhs: list) -> str:
    return r"\begin{aligned}" + r" \\ ".join(f"{l_} &= {products_latex(r_)}" for l_, r_ in zip(lhs, rhs)) + r"\end{aligned}"


def _sub(idx) -> str:
    return "".join(str(i + 1) for i in np.atleast_1d(idx))


def _grad(of: str, idx) -> str:
    return rf"\frac{{\partial \mathcal{{L}}}}{{\partial {of}_{{{_sub(idx)}}}}}"


def forward_1d(n: int = 5, k: int = 3, stride: int = 1) -> np.ndarray:
    """conv1d(X, K) on symbols X_1..X_n, K_1..K_k: the outputs Y_i as sympy expressions."""
    return conv1d(symbols("X", n)[None, None], symbols("K", k)[None, None], stride=stride)[0, 0]


def backward_1d(n: int = 5, k: int = 3, stride: int = 1):
    """conv1d_backward on symbols: (dL/dX, dL/dK, dL/db) as sympy expressions in delta, X, K."""
    o = len(forward_1d(n, k, stride))
    dx, dw, db = conv1d_backward(symbols("X", n)[None, None], symbols("K", k)[None, None],
                                 symbols("delta", o)[None, None], stride=stride)
    return dx[0, 0], dw[0, 0], db[0]


def forward_equations_1d(n: int = 5, k: int = 3) -> str:
    """Y_i = X_i K_1 + ... for every output of conv1d on symbols (aligned LaTeX)."""
    out = forward_1d(n, k)
    return _aligned([f"Y_{{{i + 1}}}" for i in range(len(out))], list(out))


def input_gradient_1d(m: int, n: int = 5, k: int = 3) -> str:
    """dL/dX_m = sum of delta_i K_j, from conv1d_backward on symbols (m 1-based)."""
    return f"{_grad('X', m - 1)} = {products_latex(backward_1d(n, k)[0][m - 1])}"


def backprop_input_table(n: int = len(BP_X), k: int = len(BP_W)) -> str:
    """Markdown table: for each X_m, dL/dX_m from conv1d_backward on symbols and on the example's numbers."""
    dx_sym, dx = backward_1d(n, k)[0], bp1d_dx()
    rows = [f"| $X_{{{m + 1}}}$ | ${products_latex(dx_sym[m])}$ | **{num(dx[m], '−')}** |" for m in range(n)]
    return "\n".join([r"| 입력 | $\partial \mathcal{L} / \partial X_m$ | 값 |", "| --- | --- | ---: |", *rows])


def backprop_weight_table(n: int = len(BP_X), k: int = len(BP_W)) -> str:
    """Markdown table: dL/dK_j from conv1d_backward on symbols and on the example's numbers."""
    dw_sym, dw = backward_1d(n, k)[1], bp1d_dw()
    rows = [f"| $K_{{{j + 1}}}$ | ${products_latex(dw_sym[j])}$ | **{num(dw[j], '−')}** |" for j in range(k)]
    return "\n".join([r"| 가중치 | $\partial \mathcal{L} / \partial K_j$ | 값 |", "| --- | --- | ---: |", *rows])


def conv_matrix(n: int = 5, k: int = 3, stride: int = 1, transpose: bool = False) -> str:
    """The matrix M of y = M x, derived by sympy as the Jacobian of conv1d on symbols; LaTeX bmatrix (or of M^T)."""
    x = symbols("X", n)
    m = sp.Matrix(list(forward_1d(n, k, stride))).jacobian(list(x))
    if transpose:
        m = m.T
    body = r" \\ ".join(" & ".join(products_latex(v) for v in m.row(i)) for i in range(m.rows))
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def _2d(h: int = 3, w: int = 3, kh: int = 2, kw: int = 2):
    x, wt = symbols("X", (h, w)), symbols("K", (kh, kw))
    out = conv2d(x[None, None], wt[None, None])[0, 0]
    delta = symbols("delta", out.shape)
    dx, dw, db = conv2d_backward(x[None, None], wt[None, None], delta[None, None])
    return out, dx[0, 0], dw[0, 0], db[0]


def _matrix_equations(lhs: str, values: np.ndarray) -> str:
    body = r" \\ ".join(" & ".join(products_latex(v) for v in row) for row in values)
    return f"{lhs} = " + r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def forward_2d() -> str:
    """Y = conv2d(X, K) for a 3x3 X and 2x2 K of symbols, as a LaTeX matrix of sums."""
    return _matrix_equations("Y", _2d()[0])


def input_gradient_2d() -> str:
    """dL/dX from conv2d_backward on symbols (3x3 X, 2x2 K, 2x2 delta), as a LaTeX matrix."""
    return _matrix_equations(r"\frac{\partial \mathcal{L}}{\partial X}", _2d()[1])


def weight_gradient_2d() -> str:
    """dL/dK from conv2d_backward on symbols, as a LaTeX matrix."""
    return _matrix_equations(r"\frac{\partial \mathcal{L}}{\partial K}", _2d()[2])


def bias_gradient_2d() -> str:
    """dL/db from conv2d_backward on symbols: the sum of the deltas."""
    return r"\frac{\partial \mathcal{L}}{\partial b} = " + products_latex(_2d()[3])


def one_by_one_equations(c_in: int = 3, c_out: int = 2) -> str:
    """conv2d with a 1x1 kernel on symbols at one pixel: Y_o = sum_c K_oc X_c, an ordinary matrix product (aligned LaTeX)."""
    x = symbols("X", c_in).reshape(1, c_in, 1, 1)
    w = symbols("K", (c_out, c_in)).reshape(c_out, c_in, 1, 1)
    out = conv2d(x, w)[0, :, 0, 0]
    return _aligned([f"Y_{{{o + 1}}}" for o in range(c_out)], list(out))


# (layer, C_in, C_out, k, s, p, input side, bias) of layers named in the literature.
# ResNet's stem has no bias (batch normalisation follows it), as in the parameter table of 채널과 필터.
_COST_CASES = [
    ("VGG 첫 층", 3, 64, 3, 1, 1, 224, True),
    ("VGG 둘째 층", 64, 64, 3, 1, 1, 224, True),
    ("ResNet 첫 층 (편향 없음)", 3, 64, 7, 2, 3, 224, False),
    ("3×3 합성곱", 256, 256, 3, 1, 1, 56, True),
    ("1×1 합성곱", 256, 64, 1, 1, 0, 56, True),
]


def layer_costs() -> dict[str, dict[str, int]]:
    """Per layer of _COST_CASES: output side, parameters, multiply-adds and activations of one image (N = 1).

    Each number is a FORMULAS expression evaluated at the layer's sizes, with H_out from shapes.output_size.
    Eq. (7) counts one bias per filter; a layer without bias has C_out parameters fewer.
    """
    from snippets.convolution.shapes import output_size

    out = {}
    for label, c_in, c_out, k, s, p, side, bias in _COST_CASES:
        o = output_size(side, k, s, p)
        sizes = dict(C_in=c_in, C_out=c_out, k_h=k, k_w=k, H_out=o, W_out=o, N=1)
        out[label] = dict(c_in=c_in, c_out=c_out, k=k, s=s, p=p, side=side, out=o,
                          params=evaluate("params", **sizes) - (0 if bias else c_out),
                          macs=evaluate("macs", **sizes), activations=evaluate("activations", **sizes))
    return out


def cost_ratio(a: str, b: str, key: str) -> int:
    """layer_costs()[a][key] / layer_costs()[b][key] as an exact integer (raises if it is not one)."""
    costs = layer_costs()
    q, r = divmod(costs[a][key], costs[b][key])
    if r:
        raise ValueError(f"{key} of {a!r} is not a whole multiple of {b!r}'s")
    return q


def layer_cost_table() -> str:
    """Markdown table: output shape, parameters, multiply-adds and float32 activation memory of one image, per layer."""
    rows = []
    for label, c in layer_costs().items():
        name = f"{label} {c['c_in']} → {c['c_out']}" if label.endswith("합성곱") else label
        rows.append(f"| {name} | {c['k']}×{c['k']}, s={c['s']}, p={c['p']} | ({c['c_out']}, {c['out']}, {c['out']}) | "
                    f"{c['params']:,} | {c['macs'] / 1e6:,.1f}M | {c['activations'] * 4 / 2**20:,.2f} MiB |")
    head = ["| 층 | 커널 | 출력 $(C_\\text{out}, H_\\text{out}, W_\\text{out})$ | 파라미터 (가중치 + 편향) | 곱셈-덧셈 "
            "| 활성값 메모리 (float32) |",
            "| --- | --- | --- | ---: | ---: | ---: |"]
    return "\n".join(head + rows)
