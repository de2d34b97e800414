"""The worked numbers of the convolution note, checked against independent oracles.

Oracles: numpy.convolve / numpy.correlate, scipy.signal, brute-force counting,
finite differences and arithmetic written out here.  The second half checks
the note itself: every directive resolves, computed numbers are never typed
by hand, snippet sections and equation references exist, and the companion
notebook's code runs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
from oracles import finite_difference
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import signal as scipy_signal

from snippets.convolution import worked as wk
from snippets.convolution.layers import conv1d, conv2d
from tilsite import execute as ex
from tilsite import figures, values

ROOT = Path(__file__).resolve().parents[1]
NOTE_DIR = ROOT / "docs" / "til-ml" / "boostcamp-2st" / "u-stage-1" / "ai-math"
NOTE = NOTE_DIR / "ai-math-9gang-cnn-cheotgeoleum.md"
NOTEBOOK = NOTE_DIR / "conv-practice.py"
WORKED = ROOT / "snippets" / "convolution" / "worked.py"


def bold_numbers(table: str) -> list[float]:
    """The **bold** numbers of a Markdown table, in order (typographic minus read as '-')."""
    return [float(m.replace("−", "-").replace(",", "")) for m in re.findall(r"\*\*([−\d.,]+)\*\*", table)]


# --------------------------------------------------------------------------- 1. why convolution


def test_fc_weights_mnist_by_arithmetic():
    # 784 inputs, 26*26 = 676 outputs, one weight per pair
    assert wk.fc_weights() == 784 * 676 == 529984
    assert wk.conv_weights() == 9


def test_fc_vs_conv_table_rows():
    table = wk.fc_vs_conv_table()
    rows = table.splitlines()[2:]
    assert len(rows) == 3
    for row, n in zip(rows, (28, 64, 224)):
        fc = (n * n) * (n - 2) ** 2
        assert f"{fc:,}" in row and f"{fc // 9:,}배" in row


# --------------------------------------------------------------------------- 2-3. convolution vs correlation


def test_corr_and_conv_1d_against_numpy():
    x, w = np.array(wk.X1D, float), np.array(wk.W1D, float)
    assert_allclose(wk.corr1d(), np.correlate(x, w, "valid"))
    assert_allclose(wk.conv1d_signal(), np.convolve(x, w, "valid"))
    # the first window (3, 1, 4) written out: as printed, then flipped
    assert wk.corr1d()[0] == 3 * 1 + 1 * 2 + 4 * 3
    assert wk.conv1d_signal()[0] == 3 * 3 + 1 * 2 + 4 * 1


def test_corr_vs_conv_table_matches_numbers():
    table = wk.corr_vs_conv_table()
    values = bold_numbers(table)
    assert values[0::2] == list(wk.corr1d()) and values[1::2] == list(wk.conv1d_signal())


def test_corr_and_conv_2d_against_scipy():
    x, k = np.array(wk.X2D, float), np.array(wk.K2D, float)
    assert_allclose(wk.corr2d(), scipy_signal.correlate2d(x, k, "valid"))
    assert_allclose(wk.conv2d_signal(), scipy_signal.convolve2d(x, k, "valid"))
    # eq. (4) in 2-D: convolution = correlation with the kernel turned by 180 degrees
    assert_allclose(wk.conv2d_signal(), scipy_signal.correlate2d(x, wk.rot180(k), "valid"))
    assert_allclose(wk.rot180(k), np.rot90(k, 2))


def test_latex_formatting():
    assert wk.latex_vector([3, -1.0, 0.5]) == r"\begin{bmatrix}3 & -1 & 0.5\end{bmatrix}"
    assert wk.latex_matrix([[1, 2], [3, 4]]) == r"\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}"
    assert wk.num(-0.0) == "0" and wk.num(0.1 * 3) == "0.3" and wk.num(-5.0, minus="−") == "−5"


# --------------------------------------------------------------------------- 4. dimensions


def test_dims_shapes_against_layers_and_arithmetic():
    # 1-D through the layer itself (batch 1, two filters: only the length matters)
    out = conv1d(np.zeros((1, 1, 16000)), np.zeros((2, 1, 400)), stride=160)
    assert wk.dims_output_shape((8, 1, 16000), (400,), 160, 0, 64) == (8, 64, out.shape[2])
    out2 = conv2d(np.zeros((1, 3, 224, 224)), np.zeros((2, 3, 3, 3)), padding=1)
    assert wk.dims_output_shape((8, 3, 224, 224), (3, 3), 1, 1, 64) == (8, 64) + out2.shape[2:]
    # 3-D: no conv3d in the library, so the arithmetic by hand: (n + 2p - k) // s + 1
    assert wk.dims_output_shape((8, 3, 16, 112, 112), (3, 3, 3), 1, 1, 64) == (8, 64, 16, 112, 112)
    table = wk.dims_table()
    assert "(8, 64, 98)" in table and len(table.splitlines()) == 2 + 3


# --------------------------------------------------------------------------- 5. output sizes


def brute_force_positions(n, k, s, p, d) -> int:
    """Window starts t*s in the padded input whose last tap t*s + d*(k-1) stays inside."""
    return sum(1 for start in range(0, n + 2 * p, s) if start + d * (k - 1) <= n + 2 * p - 1)


def test_output_size_table_by_brute_force():
    table = wk.output_size_table()
    rows = table.splitlines()[2:]
    assert len(rows) == len(wk._SIZE_CASES)
    for row, (_, n, k, p, s, d) in zip(rows, wk._SIZE_CASES):
        assert bold_numbers(row) == [brute_force_positions(n, k, s, p, d)], row
    # and the layer's real output agrees on the strided, dilated and padded cases
    x = np.zeros((1, 1, 28, 28))
    for _, n, k, p, s, d in wk._SIZE_CASES:
        if n == 28:
            out = conv2d(x, np.zeros((1, 1, k, k)), stride=s, padding=p, dilation=d)
            assert out.shape[2] == brute_force_positions(n, k, s, p, d)


def test_unused_rows_by_brute_force():
    # stride 2 over 28 rows, 3x3: windows start at 0, 2, ..., 24 and end at 26; row 27 is never read
    starts = range(0, 28 - 2, 2)
    read = {r for t in starts for r in range(t, t + 3)}
    assert wk.unused_rows(28, 3, 2) == 28 - len(read) == 1
    assert wk.unused_rows(28, 3, 1) == 0


def test_even_kernel_same_needs_asymmetric_padding():
    x = np.ones((28, 28))
    k = np.ones((4, 4))
    for before, after in [(1, 1), (2, 2), (1, 2)]:
        padded = np.pad(x, (before, after))
        expected = scipy_signal.correlate2d(padded, k, "valid").shape[0]
        assert wk.asymmetric_output_size(28, 4, before, after) == expected
    table = wk.even_kernel_table()
    assert [row.split("|")[3].strip() for row in table.splitlines()[2:]] == ["27", "29", "28"]


def test_im2col_shape_example():
    assert wk.im2col_shape_example() == (1, 3 * 3 * 3, 26 * 26)


# --------------------------------------------------------------------------- 6. channels


def test_conv_params_known_layers():
    # published counts: LeNet-5 C1 156, VGG conv1_1 1,792, ResNet conv1 (no bias) 9,408
    assert wk.conv_params(1, 6, 5) == 156
    assert wk.conv_params(3, 64, 3) == 64 * 27 + 64 == 1792
    assert wk.conv_params(3, 64, 7, bias=False) == 9408
    assert wk.conv_params(256, 64, 1) == 64 * 256 + 64
    assert bold_numbers(wk.conv_params_table()) == [156, 1792, 36928, 16448, 9408]


def test_fc_params_rgb():
    assert wk.fc_params_rgb() == (3 * 224 * 224) * (64 * 224 * 224)


# --------------------------------------------------------------------------- 7. backpropagation


def test_bp1d_against_numpy_and_finite_differences():
    x, w, d = (np.array(v, float) for v in (wk.BP_X, wk.BP_W, wk.BP_DELTA))
    assert_allclose(wk.bp1d_out(), np.correlate(x, w, "valid"))
    assert_allclose(wk.bp1d_dx(), np.convolve(d, w, "full"))  # eq. (8)
    assert_allclose(wk.bp1d_full_convolve(), np.convolve(d, w, "full"))
    assert_allclose(wk.bp1d_dw(), np.correlate(x, d, "valid"))  # eq. (9)
    assert wk.bp1d_db() == d.sum()  # eq. (10)
    loss_x = lambda xx: float(np.correlate(xx, w, "valid") @ d)  # noqa: E731
    loss_w = lambda ww: float(np.correlate(x, ww, "valid") @ d)  # noqa: E731
    assert_allclose(wk.bp1d_dx(), finite_difference(loss_x, x), atol=1e-6)
    assert_allclose(wk.bp1d_dw(), finite_difference(loss_w, w), atol=1e-6)
    # the lecture's X3, written out: delta1*W3 + delta2*W2 + delta3*W1
    assert wk.bp1d_dx()[2] == d[0] * w[2] + d[1] * w[1] + d[2] * w[0]


def _evaluate_symbolic(expr: str) -> float:
    """Evaluate '\\delta_{1} W_{3} + ...' with the example's numbers (1-based)."""
    values = {"delta": wk.BP_DELTA, "W": wk.BP_W, "X": wk.BP_X}
    total = 0.0
    for term in expr.split("+"):
        factors = re.findall(r"\\?(delta|W|X)_\{(\d+)\}", term)
        assert len(factors) == 2, term
        total += np.prod([values[name][int(i) - 1] for name, i in factors])
    return total


def test_backprop_tables_symbolic_terms_match_values():
    from snippets.convolution import formulas as fm

    for table in (fm.backprop_input_table(), fm.backprop_weight_table()):
        for row in table.splitlines()[2:]:
            cells = [c.strip() for c in row.strip("|").split("|")]
            expr, value = cells[-2].strip("$"), bold_numbers(cells[-1])[0]
            assert _evaluate_symbolic(expr) == value, row
    x3 = fm.backprop_input_table().splitlines()[2 + 2]
    assert r"\delta_{1} W_{3} + \delta_{2} W_{2} + \delta_{3} W_{1}" in x3


def test_conv_matrix_forward_and_transpose():
    x, w, d = (np.array(v, float) for v in (wk.BP_X, wk.BP_W, wk.BP_DELTA))
    m = wk.conv_matrix(w, len(x))
    assert_allclose(m @ x, wk.bp1d_out())
    assert_allclose(m.T @ d, wk.bp1d_dx())
    ms = wk.conv_matrix(w, len(x), wk.BP_STRIDE)
    assert_allclose(ms @ x, wk.bps_out())
    assert_allclose(ms.T @ np.array(wk.BP_DELTA_S2, float), wk.bps_dx())


def test_stride_backprop_zero_insertion():
    x, w = np.array(wk.BP_X, float), np.array(wk.BP_W, float)
    d = np.array(wk.BP_DELTA_S2, float)
    assert_allclose(wk.bps_out(), np.correlate(x, w, "valid")[::2])
    assert_array_equal(wk.bps_dilated(), [d[0], 0, d[1]])
    assert_allclose(wk.bps_dx(), np.convolve(wk.bps_dilated(), w, "full"))  # eq. (13)
    assert_allclose(wk.bps_dw(), np.correlate(x, wk.bps_dilated(), "valid"))
    loss_x = lambda xx: float(np.correlate(xx, w, "valid")[::2] @ d)  # noqa: E731
    assert_allclose(wk.bps_dx(), finite_difference(loss_x, x), atol=1e-6)


def test_bp2d_against_scipy():
    x, w, d = (np.array(v, float) for v in (wk.BP2_X, wk.BP2_W, wk.BP2_DELTA))
    assert_allclose(wk.bp2d_out(), scipy_signal.correlate2d(x, w, "valid"))
    assert_allclose(wk.bp2d_dx(), scipy_signal.convolve2d(d, w, "full"))  # eq. (11)
    assert_allclose(wk.bp2d_dw(), scipy_signal.correlate2d(x, d, "valid"))  # eq. (12)
    assert wk.bp2d_db() == d.sum()


# --------------------------------------------------------------------------- 8. image kernels


def test_transposed_example_is_two_aligned_rows_of_the_right_sizes():
    tex = wk.transposed_example()
    assert tex.startswith(r"\begin{aligned}") and tex.endswith(r"\end{aligned}")
    rows = tex.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(r" \\ ")
    # the arrows' labels aside, each row is a path of sizes; by arithmetic: 28 -> (28 - 3) // 2 + 1 = 13
    # -> (13 - 1) * 2 + 3 = 27 with a = 0, and 13 -> 27 + 1 = 28 with a = (28 - 3) mod 2 = 1
    sizes = [[int(n) for n in re.findall(r"\d+", re.sub(r"\{[^{}]*(\{[^{}]*\}[^{}]*)*\}", "", row))] for row in rows]
    assert sizes == [[28, 13, 27], [13, 28]]
    assert "a = 1" in rows[1] and "a = 0" in rows[0]
    # aligned at the transposed arrow: one & per row, just before it
    assert [row.count("&") for row in rows] == [1, 1]
    assert all(r"&\xrightarrow{\text{transposed}" in row for row in rows)


def test_flat_region_gives_c_times_kernel_sum():
    for name, k in wk.IMAGE_KERNELS.items():
        assert wk.kernel_response(name, wk.flat_image()) == pytest.approx(wk.FLAT_C * k.sum(), abs=1e-12)


def test_ramp_response_is_the_first_moment():
    q = np.array([-1.0, 0.0, 1.0])  # column offsets of a 3x3 kernel
    for name, k in wk.IMAGE_KERNELS.items():
        centre = wk.ramp_centre()
        expected = centre * k.sum() + wk.RAMP_SLOPE * float((k * q).sum())
        assert wk.kernel_response(name, wk.ramp_image()) == pytest.approx(expected, abs=1e-12), name
    assert wk.sobel_ramp_gain() == 8.0 == (1 + 2 + 1) * 2
    assert wk.ramp_centre() == pytest.approx(3 * wk.RAMP_SLOPE)


def test_kernel_table_and_border():
    rows = wk.kernel_table().splitlines()[2:]
    assert len(rows) == len(wk.IMAGE_KERNELS)
    assert wk.border_darkening() == pytest.approx(4 / 9)  # 2x2 of the 3x3 window lies inside


# --------------------------------------------------------------------------- the note


@pytest.fixture(scope="module")
def note() -> str:
    return NOTE.read_text("utf-8")


def test_worked_imports_only_numpy_and_sibling_snippets():
    for node in ast.parse(WORKED.read_text("utf-8")).body:
        if isinstance(node, ast.Import):
            assert [a.name for a in node.names] == ["numpy"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            assert node.module == "__future__" or node.module.startswith("snippets.convolution."), node.module


def test_every_directive_resolves(note):
    found = list(ex.DIRECTIVE.finditer(note))
    assert len(found) > 40
    for m in found:
        if m["kind"] == "value":
            text = values.evaluate(m["module"], m["expr"])
            assert text and "{{" not in text, m.group(0)
        else:
            spec = figures.parse_figure(m["expr"], m["module"])
            assert figures.caption(spec), m.group(0)  # the function exists and has a caption


def test_figures_referenced(note):
    names = {figures.parse_figure(m["expr"], m["module"]).func for m in ex.DIRECTIVE.finditer(note)
             if m["kind"] == "figure"}
    assert names >= {"plot_conv1d_sliding", "plot_param_counts", "plot_conv2d_grid",
                     "plot_padding_stride_dilation", "plot_channels", "plot_backprop_graph",
                     "plot_kernel_gallery"}
    assert "{{ figure convolution.figures:plot_kernel_gallery png }}" in note
    for line in note.splitlines():  # each figure on its own line
        if "{{ figure" in line:
            assert re.fullmatch(r"\{\{ figure [\w.]+:plot_\w+( png)? \}\}", line), line


def test_no_hand_typed_computed_numbers(note):
    def forms(n: int) -> set[str]:
        return {str(n), f"{n:,}"}

    computed = [
        wk.fc_weights(), wk.fc_params_rgb(), wk.conv_params(3, 64, 3), wk.conv_params(64, 64, 3),
        wk.conv_params(256, 64, 1), wk.conv_params(3, 64, 7, bias=False), wk.fc_weights() // 9,
        wk.output_size(28, 3) ** 2, wk.MNIST_SIDE ** 2,
    ]
    for n in computed:
        for text in forms(n):
            assert text not in note, f"{text} is typed by hand; use a {{{{ value ... }}}} directive"
    o = wk.output_size(28, 3)
    for text in (f"{o}×{o}", f"{o} × {o}", f"{o}x{o}", f"→ {o}"):
        assert text not in note
    # no matrices of results pasted into the math either
    assert r"\begin{bmatrix}" not in note


def test_structure(note):
    lines = note.splitlines()
    assert lines[0] == "# (AI Math 9강) CNN 첫걸음"
    assert "작성일: 2021-08-05" in lines[:4]
    assert "[실습: 합성곱 직접 구현하기](conv-practice.py)" in note
    for line in lines:
        if re.match(r"#{2,6} ", line):
            assert re.search(r"\{#[a-z0-9-]+\}$", line), f"heading without an ASCII id: {line}"
        # admonitions are notes; the collapsed kind only for the exercises' answers
        assert not line.startswith(("??? ", "!!! ")) or line.startswith(('!!! note "', '??? note "정답"')), line
    anchors = set(re.findall(r"\{#([a-z0-9-]+)\}", note))
    for target in re.findall(r"\]\(#([\w-]+)\)", note):
        assert target in anchors, target


def test_equation_references_exist(note):
    tags = re.findall(r"\\tag\{(\d+)\}", note)
    assert len(tags) == len(set(tags)) and tags == sorted(tags, key=int), "tags unique and in order"
    refs = set()
    for first, more in re.findall(r"식 \((\d+)\)((?:, \(\d+\))*)", note):
        refs |= {first, *re.findall(r"\d+", more)}
    assert refs and refs <= set(tags), refs - set(tags)
    for i, line in enumerate(note.splitlines(), 1):  # display math delimiters on their own lines
        if "$$" in line:
            assert line.strip() == "$$", f"line {i}: $$ not on its own line"


def test_snippet_sections_exist(note):
    for path, section in re.findall(r'--8<-- "([^":]+):(\w+)"', note):
        text = (ROOT / path).read_text("utf-8")
        assert f"# --8<-- [start:{section}]" in text, f"{path} has no section {section}"


# --------------------------------------------------------------------------- the notebook


def test_notebook_header_and_title():
    import jupytext

    nb = jupytext.read(NOTEBOOK)
    assert nb.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.splitlines()[0] == "# 실습: 합성곱 직접 구현하기"


def test_notebook_code_runs(monkeypatch, tmp_path):
    import matplotlib

    from tilsite.notebooks import notebook_code

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: plt.close("all"))
    monkeypatch.chdir(tmp_path)
    code = "\n\n".join(notebook_code(NOTEBOOK))  # IPython magics (%config) left out, as plain python reads them
    namespace: dict = {}
    exec(compile(code, str(NOTEBOOK), "exec"), namespace)  # noqa: S102
    for name, (analytic, numeric) in namespace["checks"].items():
        assert np.max(np.abs(analytic - numeric)) < 1e-6, name


# ---------------------------------------------------------------- build-time checks


def test_build_checks_pass_and_render_a_table():
    table = wk.build_checks()
    assert table.count("\n") >= 13  # header, rule, twelve checks
    assert "numpy.convolve" in table and "유한 차분" in table and "교차상관 정리" in table


def test_fft_theorems_against_a_dft_written_out():
    # The DFT as a matrix, not numpy.fft: F[m, t] = exp(-2 pi i m t / n)
    x, w = wk._theorem_signals()
    n = len(x) + len(w) - 1
    f = np.exp(-2j * np.pi * np.outer(np.arange(n), np.arange(n)) / n)
    xp, wp = np.pad(x, (0, n - len(x))), np.pad(w, (0, n - len(w)))
    assert_allclose(f @ np.convolve(x, w, "full"), (f @ xp) * (f @ wp), atol=1e-12)
    circular = np.array([sum(xp[(t + k) % n] * wp[t] for t in range(n)) for k in range(n)])  # sum_t x(t + k) w(t)
    assert_allclose(f @ circular, (f @ xp) * np.conj(f @ wp), atol=1e-12)
    assert wk.convolution_theorem_error() < 1e-12 and wk.correlation_theorem_error() < 1e-12
    assert re.fullmatch(r"\d\.\de-\d\d", wk.theorem_check("correlation"))


def test_receptive_field_table_and_pooling_examples():
    rows = wk.receptive_field_table().splitlines()[2:]
    assert "| 3×3 두 층 | 5×5 | 1 | 18 | 25 |" in rows
    x = np.array(wk.POOL_X, float)
    blocks = x.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)  # the four 2x2 windows
    assert_array_equal(wk.pool_max(), blocks.max(axis=2))
    assert_allclose(wk.pool_avg(), blocks.mean(axis=2))
    grad = wk.pool_max_grad()
    assert grad.sum() == np.sum(wk.POOL_GRAD) and np.count_nonzero(grad) == 4
    for i in range(2):
        for j in range(2):
            win = grad[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            assert win[np.unravel_index(np.argmax(x[2 * i:2 * i + 2, 2 * j:2 * j + 2]), (2, 2))] == wk.POOL_GRAD[i][j]
    assert wk.pool_shift_unchanged() > wk.conv_shift_unchanged()


_conv2d, _backward = wk.conv2d, wk.conv2d_backward
BROKEN = {  # one plausible mistake per function the page's numbers come from
    "conv2d": lambda x, w, b=None, **kw: _conv2d(x, w[..., ::-1, ::-1], b, **kw),  # convolution, not correlation
    "convolve": lambda a, v, mode="full": np.convolve(a, v[::-1], mode),  # forgot the flip
    "correlate": lambda a, v, mode="valid": np.correlate(a, v[::-1], mode),  # flipped where it must not
    "output_size": lambda n, k, stride=1, padding=0, dilation=1: (n + 2 * padding - k) // stride + 1,  # no dilation
    "conv2d_backward": lambda x, w, g, **kw: tuple(t * 1.001 for t in _backward(x, w, g, **kw)),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_build_checks_stop_the_build_when_the_library_is_wrong(monkeypatch, name):
    monkeypatch.setattr(wk, name, BROKEN[name])
    with pytest.raises(wk.CheckFailed, match=name):
        wk.build_checks()
