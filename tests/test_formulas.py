"""formulas.py: each sympy formula against the implementation and the literature; each generated
equation against sympy's own differentiation and the definition written out here."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.convolution import formulas as fm
from snippets.convolution.layers import conv_transpose2d, im2col
from snippets.convolution.shapes import output_size, receptive_field, transposed_output_size

ROOT = Path(__file__).resolve().parents[1]


@settings(max_examples=150, deadline=None)
@given(h=st.integers(1, 40), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_output_size_formula_is_the_implementation(h, k, s, p, d):
    if h + 2 * p < d * (k - 1) + 1:
        return
    o = output_size(h, k, s, p, d)
    assert fm.evaluate("output_size", H=h, k=k, p=p, s=s, d=d) == o
    a = fm.evaluate("output_padding", H_out=h, k=k, p=p, s=s, d=d)
    # the output_padding formula gives back the input length through the transposed formula
    assert fm.evaluate("transposed_size", H=o, k=k, p=p, s=s, d=d, a=a) == h
    if (o - 1) * s - 2 * p + d * (k - 1) + a + 1 > 0:
        assert transposed_output_size(o, k, s, p, a, d) == h


def test_transposed_formula_against_the_layer_and_the_notes_example():
    for o, k, s, p, a, d in [(13, 3, 2, 0, 0, 1), (13, 3, 2, 0, 1, 1), (4, 3, 3, 1, 2, 1), (5, 2, 1, 0, 1, 2)]:
        want = conv_transpose2d(np.zeros((1, 1, o, 1)), np.zeros((1, 1, k, 1)), stride=(s, 1), padding=(p, 0),
                                output_padding=(a, 0), dilation=(d, 1)).shape[2]
        assert fm.evaluate("transposed_size", H=o, k=k, p=p, s=s, d=d, a=a) == want
    assert fm.evaluate("output_padding", H_out=28, k=3, p=0, s=2, d=1) == 1  # 28 -> 13 -> 27 needs a = 1


def test_params_formula_against_arrays_and_the_literature():
    # LeCun et al. (1998): layer C1 of LeNet-5 "has 156 trainable parameters"
    assert fm.evaluate("params", C_in=1, C_out=6, k_h=5, k_w=5) == 156
    # CS231n's VGG table: CONV3-64 on RGB has (3*3*3)*64 = 1,728 weights (+64 biases)
    assert fm.evaluate("params", C_in=3, C_out=64, k_h=3, k_w=3) == 1728 + 64
    w, b = np.zeros((64, 64, 3, 3)), np.zeros(64)
    assert fm.evaluate("params", C_in=64, C_out=64, k_h=3, k_w=3) == w.size + b.size == 36864 + 64


def test_macs_formula_against_im2col_and_vgg19():
    # one image: the im2col matmul is (C_out, C_in K K) @ (C_in K K, O_H O_W)
    cols = im2col(np.zeros((1, 3, 10, 9)), 3, stride=2, padding=1)
    macs = 4 * cols.shape[1] * cols.shape[2]
    assert fm.evaluate("macs", C_out=4, C_in=3, k_h=3, k_w=3, H_out=5, W_out=5, N=1) == macs
    # He et al. (2016), Fig. 3: VGG-19 has 19.6 billion FLOPs (multiply-adds) at 224x224
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
    side, c_in, total = 224, 3, 0
    for layer in cfg:
        if layer == "M":
            side //= 2
            continue
        total += fm.evaluate("macs", C_out=layer, C_in=c_in, k_h=3, k_w=3, H_out=side, W_out=side, N=1)
        c_in = layer
    total += 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000  # the three fully connected layers
    assert abs(total / 19.6e9 - 1) < 0.01, total
    # CS231n: VGG's first layer output is [224x224x64]: 224*224*64 = 3.2M activations
    assert fm.evaluate("activations", N=1, C_out=64, H_out=224, W_out=224) == 224 * 224 * 64 == 3_211_264


@settings(max_examples=60, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4))
def test_receptive_field_formula_is_the_implementation(layers):
    assert fm.receptive_field_formula(layers) == receptive_field(layers)[0]


def test_formulas_print_as_in_the_note():
    assert fm.formula("output_size") == r"H_\text{out} = \left\lfloor{\frac{H + 2 p - d \left(k - 1\right) - 1}{s}}\right\rfloor + 1"
    assert fm.formula("receptive_field") == r"r_l = r_{l - 1} + d_{l} \left(k_{l} - 1\right) \prod_{i=1}^{l - 1} s_{i}"
    cases = fm.output_size_cases()
    assert r"H_\text{out} = H - k + 1" in cases and r"H_\text{out} = H \\" in cases and r"H_\text{out} = H + k - 1" in cases


# --------------------------------------------------------------------------- generated equations


def test_forward_equations_are_the_definition():
    x, w = fm.symbols("X", 5), fm.symbols("K", 3)
    want = [sum(x[i + j] * w[j] for j in range(3)) for i in range(3)]
    assert [sp.expand(o - v) for o, v in zip(fm.forward_1d(), want)] == [0, 0, 0]
    assert r"Y_{1} &= X_{1} K_{1} + X_{2} K_{2} + X_{3} K_{3}" in fm.forward_equations_1d()


def test_gradient_equations_are_sympys_derivatives():
    x, w, d = fm.symbols("X", 5), fm.symbols("K", 3), fm.symbols("delta", 3)
    loss = sum(di * oi for di, oi in zip(d, fm.forward_1d()))
    dx, dw, db = fm.backward_1d()
    assert all(sp.expand(dx[m] - sp.diff(loss, x[m])) == 0 for m in range(5))
    assert all(sp.expand(dw[j] - sp.diff(loss, w[j])) == 0 for j in range(3))
    assert sp.expand(db - sum(d)) == 0
    # the lecture's equation, term by term
    assert fm.input_gradient_1d(3) == r"\frac{\partial \mathcal{L}}{\partial X_{3}} = \delta_{1} K_{3} + \delta_{2} K_{2} + \delta_{3} K_{1}"


def test_2d_equations_are_sympys_derivatives():
    out, dx, dw, db = fm._2d()
    x, w, d = fm.symbols("X", (3, 3)), fm.symbols("K", (2, 2)), fm.symbols("delta", (2, 2))
    want = np.array([[sum(x[i + p, j + q] * w[p, q] for p in range(2) for q in range(2)) for j in range(2)]
                     for i in range(2)])
    assert all(sp.expand(v) == 0 for v in (out - want).ravel())
    loss = sum((d * out).ravel())
    assert all(sp.expand(dx[idx] - sp.diff(loss, x[idx])) == 0 for idx in np.ndindex(3, 3))
    assert all(sp.expand(dw[idx] - sp.diff(loss, w[idx])) == 0 for idx in np.ndindex(2, 2))
    assert r"\delta_{11} K_{22} + \delta_{12} K_{21} + \delta_{21} K_{12} + \delta_{22} K_{11}" in fm.input_gradient_2d()


@pytest.mark.parametrize("stride", [1, 2])
def test_conv_matrix_is_the_jacobian(stride):
    x = fm.symbols("X", 5)
    m = sp.Matrix(list(fm.forward_1d(5, 3, stride))).jacobian(list(x))
    assert list(m * sp.Matrix(list(x))) == [sp.expand(v) for v in fm.forward_1d(5, 3, stride)]
    d = fm.symbols("delta", m.rows)
    dx = fm.backward_1d(5, 3, stride)[0]
    assert [sp.expand(v) for v in m.T * sp.Matrix(list(d))] == [sp.expand(v) for v in dx]
    # the printed matrix: W_1 W_2 W_3 shifted by the stride on each row
    text = fm.conv_matrix(5, 3, stride)
    first_row = text.removeprefix(r"\begin{bmatrix}").split(r" \\ ")[0]
    assert first_row == "K_{1} & K_{2} & K_{3} & 0 & 0"
    assert text.count(r"\\") == m.rows - 1


def test_tables_match_the_numbers():
    table = fm.backprop_input_table()
    assert r"$\delta_{1} K_{3} + \delta_{2} K_{2} + \delta_{3} K_{1}$" in table
    # evaluate each symbolic row at the example's numbers and compare with the bold value
    from snippets.convolution import worked as wk

    dx_sym = fm.backward_1d()[0]
    subs = {**dict(zip(fm.symbols("K", 3), wk.BP_W)), **dict(zip(fm.symbols("delta", 3), wk.BP_DELTA))}
    assert [int(v.subs(subs)) for v in dx_sym] == [int(v) for v in wk.bp1d_dx()]
    assert wk.num(wk.bp1d_dx()[2], "−") in table.splitlines()[4]


def test_aligned_formula_is_the_same_equation_with_its_equals_sign_marked():
    for name in fm.FORMULAS:
        plain, row = fm.formula(name), fm.formula(name, align=True)
        assert row.count("&") == 1 and row.replace(" &= ", " = ", 1) == plain, name
        # the mark sits at the equation's own '=', right after the left-hand side
        assert row.startswith(fm.FORMULAS[name][0] + " &= "), name


def test_formulas_is_the_only_snippet_module_importing_sympy():
    for path in sorted((ROOT / "snippets" / "convolution").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert ("sympy" in roots) == (path.name == "formulas.py"), path.name


def test_the_note_shows_the_formulas_from_here_not_typed_copies():
    note = (ROOT / "docs/til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md").read_text("utf-8")
    for name in ("output_size", "transposed_size", "params", "receptive_field", "macs", "activations"):
        assert f'formulas:formula("{name}")' in note or f'formulas:formula("{name}", align=True)' in note, name
    for generated in ("forward_equations_1d()", "input_gradient_1d(3)", "conv_matrix()", "conv_matrix(transpose=True)",
                      "output_size_cases()", "forward_2d()", "input_gradient_2d()", "weight_gradient_2d()",
                      "one_by_one_equations()", "backprop_input_table()", "backprop_weight_table()"):
        assert f"formulas:{generated}" in note, generated
    # typed versions of what is generated: the floor of eq. (6), the lecture's O_1 and dL/dX_3 lines
    for typed in (r"\lfloor", "Y_1 &=", r"\delta_1 K_3 + \delta_2 K_2", "K_1 & K_2 & K_3"):
        assert typed not in note, typed


def test_cost_table_claims_of_the_note():
    """What the note says about the cost table, checked on the table's own numbers (im2col as the oracle for MACs)."""
    costs = fm.layer_costs()
    vgg2, c33, c11 = costs["VGG 둘째 층"], costs["3×3 합성곱"], costs["1×1 합성곱"]
    assert vgg2["macs"] == c33["macs"]  # "곱셈-덧셈 수가 같다"
    assert fm.cost_ratio("VGG 둘째 층", "3×3 합성곱", "out") == 4 and fm.cost_ratio("3×3 합성곱", "VGG 둘째 층", "c_in") == 4
    assert fm.cost_ratio("3×3 합성곱", "1×1 합성곱", "macs") == 36  # 3*3 taps and 256/64 output channels
    with pytest.raises(ValueError):
        fm.cost_ratio("VGG 첫 층", "VGG 둘째 층", "macs")
    # MACs of the 1x1 layer from an im2col matrix product: (C_out, C_in) @ (C_in, H_out W_out)
    cols = im2col(np.zeros((1, c11["c_in"], c11["side"], c11["side"])), 1)
    assert c11["macs"] == c11["c_out"] * cols.shape[1] * cols.shape[2]
    # ResNet's stem carries no bias in this table
    stem = costs["ResNet 첫 층 (편향 없음)"]
    assert stem["params"] == np.zeros((64, 3, 7, 7)).size == 9408
    assert "| 9,408 |" in fm.layer_cost_table() and "9,472" not in fm.layer_cost_table()
