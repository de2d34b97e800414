"""Worked numbers and Markdown tables quoted by the note "(AI Math 9강) CNN 첫걸음".

The page asks for each of them with ``{{ value convolution.worked:EXPR }}``, so
every number it shows is computed here, at build time, by the tested library
in the sibling modules; nothing on the page is typed by hand.

Functions return an int (printed with thousands separators), a LaTeX string
(to be placed inside ``$...$`` / ``$$...$$``) or a Markdown table string.
Indices in symbolic output are 1-based, as in the lecture (X1..X5, W1..W3).
"""

from __future__ import annotations

import numpy as np

from snippets.convolution.backprop import conv1d_backward, conv2d_backward, dilate_grad
from snippets.convolution.kernels import IMAGE_KERNELS, KERNEL_NAMES_KO, apply_kernel
from snippets.convolution.layers import conv1d, conv2d, conv_transpose1d, im2col
from snippets.convolution.pooling import avg_pool2d, max_pool2d, max_pool2d_backward
from snippets.convolution.shapes import output_size, receptive_field, transposed_output_size
from snippets.convolution.signal1d import convolve, convolve2d, correlate, correlate2d

# ---------------------------------------------------------------------------
# The example inputs (the only literal numbers; the page shows them via latex_*).
# ---------------------------------------------------------------------------

MNIST_SIDE = 28  # an MNIST digit is 28x28

# Correlation vs convolution: an asymmetric kernel, so the flip shows.
X1D = (3, 1, 4, 1, 5)
W1D = (1, 2, 3)
X2D = ((1, 2, 3), (4, 5, 6), (7, 8, 9))
K2D = ((1, 2), (3, 4))

# Backpropagation, 1-D: X1..X5, W1..W3, upstream gradient delta1..delta3.
BP_X = (1, 2, -1, 3, 0)
BP_W = (2, -1, 1)
BP_DELTA = (1, -2, 3)
BP_STRIDE = 2
BP_DELTA_S2 = (2, -1)  # the stride-2 layer has only two outputs

# Backpropagation, 2-D: X 3x3, W 2x2 -> output and delta 2x2.
BP2_X = ((1, 2, 0), (0, 1, 3), (2, 1, 1))
BP2_W = ((1, -1), (2, 0))
BP2_DELTA = ((1, 2), (-1, 1))

# Pooling: a 4x4 single-channel map, 2x2 windows, and an upstream gradient for the 2x2 output.
POOL_X = ((1, 3, 2, 0), (4, 2, 1, 5), (0, 1, 7, 2), (3, 6, 1, 1))
POOL_GRAD = ((1, 2), (3, 4))

# Image kernels: a flat patch of brightness c and a ramp rising by `slope` per column.
FLAT_C = 0.5
RAMP_SLOPE = 0.1



# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def num(v, minus: str = "-") -> str:
    """A number as text: integral values without '.0', others with up to 4 significant digits."""
    v = float(v)
    if abs(v) < 1e-12:
        v = 0.0  # no '-0'
    text = str(int(round(v))) if abs(v - round(v)) < 1e-9 else f"{v:.4g}"
    return text.replace("-", minus)


def _text_num(v) -> str:
    # Prose and tables get the typographic minus sign.
    return num(v, minus="−")


def _grouped(n: int) -> str:
    return f"{int(n):,}"


def latex_vector(values) -> str:
    """A 1-D array as a LaTeX row vector: [3, 1, 4] -> \\begin{bmatrix}3 & 1 & 4\\end{bmatrix}."""
    return r"\begin{bmatrix}" + " & ".join(num(v) for v in np.ravel(values)) + r"\end{bmatrix}"


def latex_matrix(a) -> str:
    """A 2-D array (or nested tuples) as a LaTeX bmatrix, one row per line."""
    rows = np.atleast_2d(np.asarray(a, dtype=float))
    body = r" \\ ".join(" & ".join(num(v) for v in row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def shape_text(shape) -> str:
    """(8, 1, 16000) -> '(8, 1, 16000)': shapes without thousands separators."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    align = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# 1. Why convolution: fully connected vs a shared 3x3 kernel
# ---------------------------------------------------------------------------


def fc_weights(n: int = MNIST_SIDE, k: int = 3) -> int:
    """Weights of a fully connected layer from an n x n image to the (n-k+1)^2 outputs a k x k conv makes."""
    o = output_size(n, k)
    return (n * n) * (o * o)


def conv_weights(k: int = 3) -> int:
    """Weights of one k x k kernel (one channel in, one out, no bias)."""
    return k * k


def fc_vs_conv_table(sides=(MNIST_SIDE, 64, 224), k: int = 3) -> str:
    """Markdown table: weights of a fully connected layer vs one k x k kernel, per input size."""
    rows = []
    for n in sides:
        o = output_size(n, k)
        fc, cv = fc_weights(n, k), conv_weights(k)
        rows.append([f"{n}×{n}", f"{o}×{o}", _grouped(fc), _grouped(cv), f"{fc // cv:,}배"])
    return _table(
        ["입력", "출력", "완전연결 가중치", f"{k}×{k} 합성곱 가중치", "비율 (완전연결 ÷ 합성곱)"],
        rows,
        ["---:", "---:", "---:", "---:", "---:"],
    )


# ---------------------------------------------------------------------------
# 2-3. Convolution vs cross-correlation
# ---------------------------------------------------------------------------


def _terms(window, kernel) -> str:
    return " + ".join(f"{num(a)}·{num(b)}" for a, b in zip(window, kernel)).replace("-", "−")


def corr_vs_conv_table(x=X1D, w=W1D) -> str:
    """Markdown table: each valid output of correlate(x, w) and convolve(x, w), with its products spelled out."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    corr, conv = correlate(x, w, "valid"), convolve(x, w, "valid")
    rows = []
    for i in range(len(corr)):
        window = x[i : i + len(w)]
        rows.append([
            str(i + 1),
            "(" + ", ".join(_text_num(v) for v in window) + ")",
            f"{_terms(window, w)} = **{_text_num(corr[i])}**",
            f"{_terms(window, w[::-1])} = **{_text_num(conv[i])}**",
        ])
    return _table(
        ["출력 위치", "입력 창", "교차상관: 커널 그대로", "합성곱: 커널 뒤집어서"],
        rows,
        ["---:", "---", "---", "---"],
    )


def corr1d() -> np.ndarray:
    """correlate(X1D, W1D, 'valid')."""
    return correlate(np.asarray(X1D, float), np.asarray(W1D, float), "valid")


def conv1d_signal() -> np.ndarray:
    """convolve(X1D, W1D, 'valid')."""
    return convolve(np.asarray(X1D, float), np.asarray(W1D, float), "valid")


def corr2d() -> np.ndarray:
    """correlate2d(X2D, K2D, 'valid'): what a CNN layer computes."""
    return correlate2d(np.asarray(X2D, float), np.asarray(K2D, float), "valid")


def conv2d_signal() -> np.ndarray:
    """convolve2d(X2D, K2D, 'valid'): the textbook convolution."""
    return convolve2d(np.asarray(X2D, float), np.asarray(K2D, float), "valid")


def rot180(a) -> np.ndarray:
    """The kernel turned by 180 degrees: flipped along both axes."""
    return np.asarray(a, float)[::-1, ::-1]


# ---------------------------------------------------------------------------
# 4. 1-D, 2-D, 3-D
# ---------------------------------------------------------------------------

# (data, example, input shape (N, C, ...), kernel, stride, padding, C_out)
_DIM_EXAMPLES = [
    ("음성 (1차원)", "16 kHz 모노 1초", (8, 1, 16000), (400,), 160, 0, 64),
    ("이미지 (2차원)", "224×224 RGB", (8, 3, 224, 224), (3, 3), 1, 1, 64),
    ("동영상 (3차원)", "112×112 RGB 16프레임", (8, 3, 16, 112, 112), (3, 3, 3), 1, 1, 64),
]


def dims_output_shape(in_shape, kernel, stride, padding, c_out) -> tuple[int, ...]:
    """Output shape of an nD convolution: batch kept, C_out channels, each spatial axis by output_size."""
    spatial = in_shape[2:]
    return (in_shape[0], c_out) + tuple(
        output_size(n, k, stride, padding) for n, k in zip(spatial, kernel)
    )


def dims_table() -> str:
    """Markdown table: data kind and example, input shape, kernel and the output shape it gives."""
    rows = []
    for kind, example, shape, kernel, s, p, c_out in _DIM_EXAMPLES:
        out = dims_output_shape(shape, kernel, s, p, c_out)
        rows.append([
            f"{kind}: {example}", shape_text(shape),
            "×".join(map(str, kernel)) + f", s={s}, p={p}, 필터 {c_out}개", shape_text(out),
        ])
    return _table(["데이터", "입력", "커널", "출력"], rows)


# ---------------------------------------------------------------------------
# 5. Output sizes
# ---------------------------------------------------------------------------

# (case, H, K, P, S, D)
_SIZE_CASES = [
    ("valid", 28, 3, 0, 1, 1),
    ("same (half)", 28, 3, 1, 1, 1),
    ("full", 28, 3, 2, 1, 1),
    ("same, 5×5", 28, 5, 2, 1, 1),
    ("보폭 2", 28, 3, 1, 2, 1),
    ("보폭 2, 나누어떨어지지 않음", 28, 3, 0, 2, 1),
    ("팽창 2", 28, 3, 0, 1, 2),
    ("ResNet 첫 층", 224, 7, 3, 2, 1),
]


def output_size_table() -> str:
    """Markdown table: H_out = floor((H + 2p - d(k-1) - 1)/s) + 1 evaluated for typical settings."""
    rows = []
    for case, h, k, p, s, d in _SIZE_CASES:
        o = output_size(h, k, s, p, d)
        numer = h + 2 * p - d * (k - 1) - 1
        setting = f"{h}, {k}, {p}, {s}, {d}"
        calc = f"⌊({h} + {2 * p} − {d * (k - 1)} − 1) / {s}⌋ + 1 = ⌊{numer} / {s}⌋ + 1"
        rows.append([case, setting, calc, f"**{o}**"])
    return _table(["경우", "$H, k, p, s, d$", "계산", "$H_\\text{out}$"], rows, ["---", "---", "---", "---:"])


def unused_rows(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Rows at the end of the padded input that no window reaches (the floor's leftover)."""
    o = output_size(n, k, stride, padding, dilation)
    last_row = (o - 1) * stride + dilation * (k - 1)  # 0-based index of the last row read
    return n + 2 * padding - (last_row + 1)


def asymmetric_output_size(n: int, k: int, before: int, after: int, stride: int = 1) -> int:
    """Output size with `before` zeros on one side and `after` on the other: pad first, then no padding."""
    return output_size(n + before + after, k, stride)


def even_kernel_table(n: int = MNIST_SIDE, k: int = 4) -> str:
    """Markdown table: which paddings of an even kernel keep the size n (only an asymmetric one does)."""
    cases = [("한쪽에 1씩", 1, 1), ("한쪽에 2씩", 2, 2), ("앞 1, 뒤 2 (비대칭)", 1, 2)]
    rows = []
    for label, a, b in cases:
        o = asymmetric_output_size(n, k, a, b)
        rows.append([label, str(a + b), str(o), "예" if o == n else "아니요"])
    return _table(["패딩", "합계", f"$H_\\text{{out}}$ ($H = {n}$, $k = {k}$)", "크기 유지"], rows, ["---", "---:", "---:", "---"])


def tf_same(n: int, k: int, stride: int) -> tuple[int, int, int]:
    """TensorFlow's padding="SAME": (zeros before, zeros after, output size) on one axis.

    Total padding max((ceil(n/S) - 1) S + K - n, 0), the odd one after; the
    output is then computed by output_size with that asymmetric padding.
    """
    target = -(-n // stride)  # ceil(n / S), what SAME promises
    total = max((target - 1) * stride + k - n, 0)
    before, after = total // 2, total - total // 2
    return before, after, asymmetric_output_size(n, k, before, after, stride)


def im2col_shape_example(c_in: int = 3, n: int = MNIST_SIDE, k: int = 3) -> tuple[int, ...]:
    """Shape of im2col's output for one c_in x n x n image and a k x k kernel: (1, c_in*k*k, O*O)."""
    return im2col(np.zeros((1, c_in, n, n)), k).shape


# ---------------------------------------------------------------------------
# 5b. Receptive field
# ---------------------------------------------------------------------------

# (label, layers as (kernel, stride[, dilation]))
_RF_CASES = [
    ("3×3 한 층", [(3, 1)]),
    ("3×3 두 층", [(3, 1)] * 2),
    ("3×3 세 층", [(3, 1)] * 3),
    ("3×3 보폭 2, 이어서 3×3 두 층", [(3, 2), (3, 1), (3, 1)]),
    ("3×3, 팽창 1·2·4", [(3, 1, 1), (3, 1, 2), (3, 1, 4)]),
    ("3×3, 팽창 1·2·4·8·16", [(3, 1, 2**i) for i in range(5)]),
]


def stack_weights(layers) -> int:
    """Weights of a stack of single-channel k x k layers (no bias): the sum of k*k."""
    return sum(k * k for k, *_ in layers)


def receptive_field_table() -> str:
    """Markdown table: receptive field r and jump j of stacks of 3x3 layers (shapes.receptive_field), and their weights vs one r x r kernel."""
    rows = []
    for label, layers in _RF_CASES:
        r, j = receptive_field(layers)
        weights = stack_weights(layers)
        rows.append([label, f"{r}×{r}", str(j), _grouped(weights), _grouped(r * r)])
    return _table(
        ["층 구성 (한 채널)", "수용 영역", "점프", "가중치 수", "같은 영역을 한 층으로"],
        rows, ["---", "---:", "---:", "---:", "---:"],
    )


# ---------------------------------------------------------------------------
# 5c. Pooling
# ---------------------------------------------------------------------------


def _pool_x() -> np.ndarray:
    return np.asarray(POOL_X, float)[None, None]


def pool_max() -> np.ndarray:
    """max_pool2d(POOL_X, 2): 2x2 windows, stride 2."""
    return max_pool2d(_pool_x(), 2)[0, 0]


def pool_avg() -> np.ndarray:
    """avg_pool2d(POOL_X, 2)."""
    return avg_pool2d(_pool_x(), 2)[0, 0]


def pool_max_grad() -> np.ndarray:
    """max_pool2d_backward of POOL_GRAD: each window's gradient lands on its arg-max."""
    return max_pool2d_backward(_pool_x(), np.asarray(POOL_GRAD, float)[None, None], 2)[0, 0]


# Shift study: feature maps after a ReLU, i.e. non-negative and about half zero.
SHIFT_MAPS = 400
SHIFT_SIDE = 8
SHIFT_SEED = 0


def shift_study(shift: int = 1, maps: int = SHIFT_MAPS, side: int = SHIFT_SIDE, seed: int = SHIFT_SEED) -> dict[str, float]:
    """Share (%) of non-zero outputs that stay exactly the same when a feature map moves `shift` columns right.

    The maps are ReLU(standard normal), shape (maps, 1, side, side); the move is circular (np.roll), so no
    edge effect enters. Compared: the map itself, 2x2 average pooling and 2x2 max pooling (stride 2).
    Outputs that are 0 before and after the move are left out: a ReLU map is about half zeros, and
    zero staying zero says nothing about the features.
    """
    rng = np.random.default_rng(seed)
    x = np.maximum(rng.standard_normal((maps, 1, side, side)), 0.0)
    moved = np.roll(x, shift, axis=-1)
    pairs = {"map": (x, moved), "avg": (avg_pool2d(x, 2), avg_pool2d(moved, 2)),
             "max": (max_pool2d(x, 2), max_pool2d(moved, 2))}
    return {name: float(100 * np.mean((a == b)[(a != 0) | (b != 0)])) for name, (a, b) in pairs.items()}


def shift_table() -> str:
    """Markdown table: share of outputs unchanged by a one-column move, with and without pooling."""
    share = shift_study()
    names = {"map": "풀링 없음 (특성 맵 그대로)", "avg": "2×2 평균 풀링", "max": "2×2 최대 풀링"}
    rows = [[label, f"{share[key]:.0f}%"] for key, label in names.items()]
    return _table(["출력", "한 칸 옮겨도 그대로인 값 (0이 아닌 출력 중)"], rows, ["---", "---:"])


# ---------------------------------------------------------------------------
# 6. Channels and filters
# ---------------------------------------------------------------------------


def conv_params(c_in: int, c_out: int, kh: int, kw: int | None = None, bias: bool = True) -> int:
    """Parameters of a conv layer: C_out * (C_in * k_h * k_w) weights plus C_out biases (if bias)."""
    kw = kh if kw is None else kw
    return c_out * (c_in * kh * kw + (1 if bias else 0))


# (layer, C_in, C_out, k, bias)
_PARAM_CASES = [
    ("LeNet-5 첫 층", 1, 6, 5, True),
    ("VGG 첫 층", 3, 64, 3, True),
    ("VGG 둘째 층", 64, 64, 3, True),
    ("1×1 합성곱 (채널 줄이기)", 256, 64, 1, True),
    ("ResNet 첫 층 (편향 없음)", 3, 64, 7, False),
]
RESNET_STEM = (3, 64, 7)  # (C_in, C_out, k): 7x7 conv, 64 filters on RGB


def resnet_stem_params(bias: bool) -> int:
    """Parameters of ResNet's 7x7 stem: without bias (as published, batch norm follows) or with one bias per filter."""
    return conv_params(*RESNET_STEM, bias=bias)


def conv_params_table() -> str:
    """Markdown table: weight shape (C_out, C_in, k_h, k_w), weights, biases and total parameters of typical layers."""
    rows = []
    for label, c_in, c_out, k, bias in _PARAM_CASES:
        w = np.zeros((c_out, c_in, k, k))
        b = np.zeros(c_out) if bias else np.zeros(0)
        total = conv_params(c_in, c_out, k, bias=bias)
        assert total == w.size + b.size  # formula and array sizes must agree
        rows.append([label, f"`{shape_text(w.shape)}`", _grouped(w.size), _grouped(b.size), f"**{_grouped(total)}**"])
    return _table(
        ["층", "가중치 형태", "가중치", "편향", "파라미터 (가중치 + 편향)"], rows, ["---", "---", "---:", "---:", "---:"]
    )


IMAGENET_SIDE = 224  # ImageNet crops are 224x224


def fc_params_rgb(n: int = IMAGENET_SIDE, c_in: int = 3, c_out: int = 64) -> int:
    """Weights of a fully connected map from a c_in x n x n image to c_out x n x n (what a same conv outputs)."""
    return (c_in * n * n) * (c_out * n * n)


# ---------------------------------------------------------------------------
# 7. Backpropagation
# ---------------------------------------------------------------------------


def conv_matrix(w, n: int, stride: int = 1) -> np.ndarray:
    """The (O, n) matrix M with conv1d(x, w, stride) == M @ x: row i holds w starting at column i*stride."""
    w = np.asarray(w, float)
    o = output_size(n, len(w), stride)
    m = np.zeros((o, n))
    for i in range(o):
        m[i, i * stride : i * stride + len(w)] = w
    return m




def _bp1d(x, w, delta, stride=1):
    x = np.asarray(x, float)[None, None]
    w = np.asarray(w, float)[None, None]
    d = np.asarray(delta, float)[None, None]
    out = conv1d(x, w, stride=stride)[0, 0]
    dx, dw, db = conv1d_backward(x, w, d, stride=stride)
    return out, dx[0, 0], dw[0, 0], db[0]


def bp1d_out() -> np.ndarray:
    """O = conv1d(BP_X, BP_W): the forward pass of the 1-D example."""
    return _bp1d(BP_X, BP_W, BP_DELTA)[0]


def bp1d_dx() -> np.ndarray:
    """dL/dX of the 1-D example (full convolution of BP_DELTA with BP_W)."""
    return _bp1d(BP_X, BP_W, BP_DELTA)[1]


def bp1d_dw() -> np.ndarray:
    """dL/dW of the 1-D example (correlation of BP_X with BP_DELTA)."""
    return _bp1d(BP_X, BP_W, BP_DELTA)[2]


def bp1d_db():
    """dL/db of the 1-D example: the sum of BP_DELTA."""
    return _bp1d(BP_X, BP_W, BP_DELTA)[3]






def bp1d_full_convolve() -> np.ndarray:
    """signal1d.convolve(BP_DELTA, BP_W) in full mode: must equal bp1d_dx()."""
    return convolve(np.asarray(BP_DELTA, float), np.asarray(BP_W, float), "full")


def bps_out() -> np.ndarray:
    """Forward pass of the stride-2 example: conv1d(BP_X, BP_W, stride=2)."""
    return _bp1d(BP_X, BP_W, BP_DELTA_S2, BP_STRIDE)[0]


def bps_dilated() -> np.ndarray:
    """BP_DELTA_S2 with stride-1 zeros inserted between its entries (dilate_grad)."""
    return dilate_grad(np.asarray(BP_DELTA_S2, float)[None, None], BP_STRIDE)[0, 0]


def bps_dx() -> np.ndarray:
    """dL/dX of the stride-2 example."""
    return _bp1d(BP_X, BP_W, BP_DELTA_S2, BP_STRIDE)[1]


def bps_dw() -> np.ndarray:
    """dL/dW of the stride-2 example."""
    return _bp1d(BP_X, BP_W, BP_DELTA_S2, BP_STRIDE)[2]


def _bp2d():
    x = np.asarray(BP2_X, float)[None, None]
    w = np.asarray(BP2_W, float)[None, None]
    d = np.asarray(BP2_DELTA, float)[None, None]
    out = conv2d(x, w)[0, 0]
    dx, dw, db = conv2d_backward(x, w, d)
    return out, dx[0, 0], dw[0, 0], db[0]


def bp2d_out() -> np.ndarray:
    """Forward pass of the 2-D example: conv2d(BP2_X, BP2_W)."""
    return _bp2d()[0]


def bp2d_dx() -> np.ndarray:
    """dL/dX of the 2-D example: full convolution of BP2_DELTA with BP2_W."""
    return _bp2d()[1]


def bp2d_dw() -> np.ndarray:
    """dL/dW of the 2-D example: correlation of BP2_X with BP2_DELTA."""
    return _bp2d()[2]


def bp2d_db():
    """dL/db of the 2-D example."""
    return _bp2d()[3]


def transposed_example(n: int = MNIST_SIDE, k: int = 3, stride: int = 2) -> str:
    """LaTeX (aligned, two rows): n -> conv (stride S) -> O -> transposed conv -> back, with output_padding 0,
    then O -> transposed conv with a = (n - K) mod S; the two transposed arrows are aligned under each other."""
    o = output_size(n, k, stride)
    a = (n - k) % stride
    # one row per path: side by side they are wider than a phone
    return (r"\begin{aligned}"
            rf"{n} \xrightarrow{{\text{{conv}}}} {o} &\xrightarrow{{\text{{transposed}},\ a = 0}} "
            rf"{transposed_output_size(o, k, stride)}, \\ "
            rf"{o} &\xrightarrow{{\text{{transposed}},\ a = {a}}} {transposed_output_size(o, k, stride, output_padding=a)}"
            r"\end{aligned}")


def transposed_roundtrip() -> tuple[np.ndarray, np.ndarray]:
    """(y, z): y = conv1d(BP_X, BP_W, stride 2), z = conv_transpose1d(y, BP_W, stride 2, output_padding 0) of length 5."""
    x = np.asarray(BP_X, float)[None, None]
    w = np.asarray(BP_W, float)[None, None]
    y = conv1d(x, w, stride=BP_STRIDE)
    return y[0, 0], conv_transpose1d(y, w, stride=BP_STRIDE)[0, 0]


# ---------------------------------------------------------------------------
# 8. Image kernels
# ---------------------------------------------------------------------------


def kernel_response(kernel, image) -> float:
    """apply_kernel(image, kernel) at the centre pixel (far from the zero-padded border)."""
    out = apply_kernel(np.asarray(image, float), kernel)
    return float(out[out.shape[0] // 2, out.shape[1] // 2])


def flat_image(c: float = FLAT_C, size: int = 7) -> np.ndarray:
    """A size x size patch of constant brightness c."""
    return np.full((size, size), float(c))


def ramp_image(slope: float = RAMP_SLOPE, size: int = 7) -> np.ndarray:
    """A size x size patch whose brightness grows by `slope` per column: X[i, j] = slope * j."""
    return np.tile(slope * np.arange(size, dtype=float), (size, 1))


def ramp_centre(slope: float = RAMP_SLOPE, size: int = 7) -> float:
    """The centre pixel of ramp_image: the value a brightness-keeping kernel returns there."""
    return float(ramp_image(slope, size)[size // 2, size // 2])


def kernel_sum(name: str) -> float:
    """Sum of the entries of IMAGE_KERNELS[name]."""
    return float(IMAGE_KERNELS[name].sum())


def kernel_table() -> str:
    """Markdown table: each kernel's entry sum, its output on a flat patch (c * sum) and on a left-to-right ramp."""
    rows = []
    for name in IMAGE_KERNELS:
        s = kernel_sum(name)
        flat = kernel_response(name, flat_image())
        ramp = kernel_response(name, ramp_image())
        rows.append([f"{KERNEL_NAMES_KO.get(name, name)}", _text_num(s), _text_num(flat), _text_num(ramp)])
    return _table(
        ["커널", "원소 합 ΣK", f"평평한 곳 (c = {num(FLAT_C)})", f"경사 (열마다 +{num(RAMP_SLOPE)})"],
        rows, ["---", "---:", "---:", "---:"],
    )


def emboss_antisymmetric() -> np.ndarray:
    """A = emboss - identity: the part of the emboss kernel that turning by 180 degrees negates."""
    return IMAGE_KERNELS["emboss"] - IMAGE_KERNELS["identity"]


def sobel_ramp_gain(name: str = "sobel_x") -> float:
    """Output of a kernel on a ramp of slope 1 per column: sum_{p,q} k[p, q] * q (q = -1, 0, 1)."""
    return kernel_response(name, ramp_image(1.0))


def border_darkening(name: str = "box_blur", c: float = 1.0) -> float:
    """Corner pixel of a constant-c image after filtering: the zeros outside the image pull it down."""
    return float(apply_kernel(flat_image(c), name)[0, 0])



# ---------------------------------------------------------------------------
# Build-time checks: the page's library against oracles it was not built from
# ---------------------------------------------------------------------------

CHECK_TOL = 1e-9  # float64 throughout


class CheckFailed(AssertionError):
    """The library disagrees with an independent oracle: the build stops here."""


def _theorem_signals():
    rng = np.random.default_rng(1)
    return rng.normal(size=9), rng.normal(size=4)


def convolution_theorem_error() -> float:
    """max |F{x * w} - F{x} F{w}| for the full convolution, both zero-padded to length N + M - 1 (numpy.fft)."""
    x, w = _theorem_signals()
    n = len(x) + len(w) - 1
    return float(np.max(np.abs(np.fft.fft(convolve(x, w, "full")) - np.fft.fft(x, n) * np.fft.fft(w, n))))


def correlation_theorem_error() -> float:
    """max |F{x ⋆ w} - F{x} conj(F{w})| for real x, w, the correlation's lags taken mod N + M - 1 (numpy.fft)."""
    x, w = _theorem_signals()
    n = len(x) + len(w) - 1
    # correlate(.., "full")[j] is lag j - (M - 1); put lag k at index k mod n
    lags = np.roll(correlate(x, w, "full"), -(len(w) - 1))
    return float(np.max(np.abs(np.fft.fft(lags) - np.fft.fft(x, n) * np.conj(np.fft.fft(w, n)))))


def theorem_check(name: str) -> str:
    """The error of one theorem check as text ('3.1e-15'), or CheckFailed: the page shows it next to the theorem."""
    err = {"convolution": convolution_theorem_error, "correlation": correlation_theorem_error}[name]()
    if not err <= CHECK_TOL:
        raise CheckFailed(f"{name} theorem: numpy.fft disagrees by {err:.3g} (tolerance {CHECK_TOL:g})")
    return f"{err:.1e}"


def _direct_conv2d(x, w, b, stride: int, padding: int, dilation: int) -> np.ndarray:
    """Output of a conv layer read straight off its definition, one output cell at a time.

    x (N, C_in, H, W), w (C_out, C_in, K, K): O[n, o, i, j] = b[o] + sum over c, p, q of
    x_pad[n, c, i*S + p*D, j*S + q*D] * w[o, c, p, q], summed with numpy's tensordot.
    """
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    k = w.shape[-1]
    span = dilation * (k - 1) + 1
    oh = (xp.shape[2] - span) // stride + 1
    ow = (xp.shape[3] - span) // stride + 1
    out = np.empty((x.shape[0], w.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            r, c = i * stride, j * stride
            window = xp[:, :, r:r + span:dilation, c:c + span:dilation]  # (N, C_in, K, K)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def _numeric_grad(f, a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of the scalar f() with respect to every entry of a (in place)."""
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        keep = a[idx]
        a[idx] = keep + eps
        up = f()
        a[idx] = keep - eps
        down = f()
        a[idx] = keep
        g[idx] = (up - down) / (2 * eps)
    return g


def build_checks(indent: int = 0) -> str:
    """A Markdown table of the checks run while the page was built; raises CheckFailed on any mismatch.

    indent: spaces put before every line after the first, so the table can sit inside a
    collapsed block (the directive's own line carries the first line's indent).

    Each row compares the library with something it was not derived from:
    numpy.convolve / numpy.correlate, the layer's definition evaluated cell by
    cell, the number of window positions counted one by one, and finite
    differences of the loss.
    """
    rng = np.random.default_rng(0)
    rows = []

    def check(what: str, oracle: str, err: float, tol: float = CHECK_TOL) -> None:
        if not err <= tol:  # also catches NaN
            raise CheckFailed(f"{what}: off by {err:.3g} from {oracle} (tolerance {tol:g})")
        rows.append([what, oracle, f"{err:.1e}"])

    a, v = rng.normal(size=9), rng.normal(size=4)
    check("convolve (full, same, valid)", "numpy.convolve",
          max(float(np.max(np.abs(convolve(a, v, m) - np.convolve(a, v, m)))) for m in ("full", "same", "valid")))
    check("correlate (full, same, valid)", "numpy.correlate",
          max(float(np.max(np.abs(correlate(a, v, m) - np.correlate(a, v, m)))) for m in ("full", "same", "valid")))

    u = rng.normal(size=3)
    check("교환법칙 X * K = K * X", "두 순서의 convolve", float(np.max(np.abs(convolve(a, v) - convolve(v, a)))))
    check("결합법칙 (X * K) * G = X * (K * G)", "두 순서의 convolve",
          float(np.max(np.abs(convolve(convolve(a, v), u) - convolve(a, convolve(v, u))))))
    check("식 (4) X * K = X ⋆ K̄", "뒤집은 커널의 correlate",
          float(np.max(np.abs(convolve(a, v) - correlate(a, v[::-1], "full")))))
    check("(K ⋆ X)(i) = (X ⋆ K)(−i)", "뒤집은 correlate",
          float(np.max(np.abs(correlate(v, a, "full") - correlate(a, v, "full")[::-1]))))
    check("합성곱 정리", "numpy.fft", convolution_theorem_error())
    check("교차상관 정리", "numpy.fft", correlation_theorem_error())

    x, w, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    worst = 0.0
    for s, p, d in ((1, 0, 1), (2, 1, 1), (1, 2, 2), (3, 1, 2)):
        got = conv2d(x, w, b, stride=s, padding=p, dilation=d)
        want = _direct_conv2d(x, w, b, s, p, d)
        if got.shape != want.shape:
            raise CheckFailed(f"conv2d(stride={s}, padding={p}, dilation={d}) has shape {got.shape}, "
                              f"the definition gives {want.shape}")
        worst = max(worst, float(np.max(np.abs(got - want))))
    check("conv2d (stride, padding, dilation)", "정의대로 한 칸씩 계산 (numpy.tensordot)", worst)

    counted = max(abs(output_size(n, k, s, p, d) - len(range(0, n + 2 * p - d * (k - 1), s)))
                  for n in (5, 7, 28) for k in (1, 2, 3) for s in (1, 2, 3) for p in (0, 1, 2) for d in (1, 2)
                  if n + 2 * p >= d * (k - 1) + 1)
    check("output_size", "창 위치를 하나씩 센 수", float(counted), 0.0)

    x, w = rng.normal(size=(1, 2, 6, 7)), rng.normal(size=(3, 2, 3, 2))
    g = rng.normal(size=conv2d(x, w, stride=2, padding=1).shape)
    dx, dw, db = conv2d_backward(x, w, g, stride=2, padding=1)

    def loss() -> float:
        return float(np.sum(g * conv2d(x, w, stride=2, padding=1)))

    check("conv2d_backward dX, dK (stride 2)", "유한 차분(finite differences)",
          max(float(np.max(np.abs(dx - _numeric_grad(loss, x)))),
              float(np.max(np.abs(dw - _numeric_grad(loss, w))))), 1e-6)
    check("conv2d_backward db", "출력 기울기의 합", float(np.max(np.abs(db - g.sum(axis=(0, 2, 3))))))
    table = _table(["검사한 함수", "독립적인 기준", "최대 오차"], rows, ["---", "---", "---:"])
    return table.replace("\n", "\n" + " " * indent)
