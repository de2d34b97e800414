"""Figures of the convolution note, drawn at build time from the tested library.

Each ``plot_*`` function returns a ``matplotlib.figure.Figure``; the first line
of its docstring is the caption shown under the figure.  The build calls each
one twice under ``matplotlib.rc_context`` (light and dark theme), so ink
colours come from rcParams and the backgrounds stay transparent.  Every
number drawn is computed by ``snippets.convolution`` modules; the ``*_example``
helpers return the data a figure draws so the tests can check it.

Size matters twice.  Text is saved as glyph outlines, and a Korean glyph
costs about 1 KB of SVG, so the in-figure text is short and the captions
explain.  And a figure is shown at most as wide as the page's text column
(358 px on a 390 px phone, 688 px on a desktop), scaled down if it is wider,
so every figure is about WIDTH inches wide and no glyph is smaller than
FONT points: that keeps it at least 8 px on a phone and 11 px on a desktop
(tests/test_figures.py measures it).  Mathtext draws sub- and superscripts
at 0.7 of the text's size, so a text with them is set in MATH points.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, PathPatch, Rectangle
from matplotlib.path import Path

from snippets.convolution.backprop import conv1d_backward, dilate_grad
from snippets.convolution.kernels import IMAGE_KERNELS, KERNEL_NAMES_KO, apply_kernel, load_sample_image
from snippets.convolution.layers import conv1d, conv2d
from snippets.convolution.shapes import output_size
from snippets.convolution.signal1d import convolve, convolve2d, correlate, correlate2d

# Mid-saturation colours that read on white and on Material's dark slate.
BLUE = "#3d85c6"
RED = "#d9534f"
YELLOW = "#e8b931"
GREEN = "#3fa34d"
ORANGE = "#e8832a"
PURPLE = "#9b6cc9"
GREY = "#8b949e"
CHANNEL_COLOURS = (RED, GREEN, BLUE)  # an RGB input, channel by channel
WEIGHT_COLOURS = (BLUE, ORANGE, GREEN)  # K1, K2, K3
PINK = "#d16ba5"
FILTER_COLOURS = (PURPLE, ORANGE, YELLOW, PINK)  # output maps: none is an input channel's colour
ARROW = "$\\rightarrow$"  # NanumGothic's own arrow glyph is tiny
WIDTH = 6.0  # inches: 576 px at 1:1, scaled to 358 px on a phone
FONT = 10.5  # points, the smallest text: 14 px at 1:1, 8.7 px on a phone at WIDTH
TITLE = 11.5  # points, panel titles
MATH = 15.0  # points, text with sub- or superscripts: mathtext draws those at 0.7 x, 10.5 pt = FONT
FAINT = 0.6  # alpha of context lines: lower and they vanish on the dark slate background


def _ink() -> str:
    """Text colour of the current theme (near-black on light, near-white on dark)."""
    return mpl.rcParams["text.color"]


def _fmt(v) -> str:
    """A number as printed in the figures: integers without '.0', a real minus sign."""
    v = float(v)
    s = f"{round(v)}" if abs(v - round(v)) < 1e-9 else f"{v:g}"
    return s.replace("-", "\u2212")


def _seq(arr) -> str:
    return "[" + ", ".join(_fmt(x) for x in arr) + "]"


def _no_frame(ax, sides=("top", "right")) -> None:
    for side in sides:
        ax.spines[side].set_visible(False)


def _cell_axes(ax) -> None:
    """An axes for drawing unit cells: y grows downwards, no frame."""
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set_axis_off()


def _grid_lines(ax, rows: int, cols: int, x0: float = 0, y0: float = 0) -> None:
    """The lines of a rows x cols grid of unit cells, top-left at (x0, y0).

    One Line2D broken by NaNs: a single SVG path (a LineCollection writes one element per segment).
    """
    segs = [[(x0, y0 + r), (x0 + cols, y0 + r)] for r in range(rows + 1)]
    segs += [[(x0 + c, y0), (x0 + c, y0 + rows)] for c in range(cols + 1)]
    pts = np.concatenate([np.vstack([seg, [(np.nan, np.nan)]]) for seg in segs])
    ax.plot(pts[:, 0], pts[:, 1], color=GREY, lw=0.8)


def _fill(ax, col: float, row: float, colour: str, alpha: float = 0.35, w: float = 1, h: float = 1) -> None:
    ax.add_patch(Rectangle((col, row), w, h, facecolor=colour, alpha=alpha, edgecolor="none"))


def _cells(ax, cells, colour: str, alpha: float, **kw) -> None:
    """Unit cells at (col, row) filled as one compound patch: one SVG element, not one per cell."""
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    verts = [[c + dx, r + dy] for c, r in cells for dx, dy in square]
    codes = ([Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]) * len(cells)
    kw.setdefault("lw", 0)
    ax.add_patch(PathPatch(Path(verts, codes), facecolor=colour, alpha=alpha, **kw))


def _outline(ax, col: float, row: float, w: float, h: float, colour: str, lw: float = 2.2, **kw) -> None:
    ax.add_patch(Rectangle((col, row), w, h, facecolor="none", edgecolor=colour, lw=lw, **kw))


def _numbers(ax, values, x0: float = 0, y0: float = 0, **kw) -> None:
    for r, row in enumerate(np.asarray(values)):
        for c, v in enumerate(row):
            ax.text(x0 + c + 0.5, y0 + r + 0.5, _fmt(v), ha="center", va="center", fontsize=FONT, **kw)


def _arrow(ax, x0, y0, x1, y1, colour=None, **kw) -> None:
    kw.setdefault("lw", 1.3)
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                 color=colour or _ink(), **kw))


# --------------------------------------------------------------------------- 1-D sliding


def conv1d_sliding_example(dt: float = 0.02):
    """Sampled signal, kernel and their convolution for plot_conv1d_sliding.

    Returns a dict: ``tau`` (N,) sample times from -1.5 to 3.5 with step dt;
    ``g`` (N,) a unit box on [0, 1); ``f`` (M,) the kernel exp(-2s) sampled at
    s = 0, dt, ...; ``out`` (N,) = convolve(g, f)[:N] * dt, the Riemann sum of
    the convolution integral, so ``out[n]`` is (f*g)(tau[n]); ``shifts`` the
    indices into tau of the panels' current times t.
    """
    n0 = round(1.5 / dt)
    tau = (np.arange(round(5.0 / dt)) - n0) * dt
    g = ((tau >= -1e-9) & (tau < 1 - 1e-9)).astype(float)
    f = np.exp(-2.0 * np.arange(round(2.5 / dt)) * dt)
    # g starts at tau[0] and f at 0, so the full convolution starts at tau[0] too.
    out = convolve(g, f)[: len(tau)] * dt
    shifts = [n0 + round(t / dt) for t in (-0.5, 0.5, 1.2, 2.2)]
    return {"tau": tau, "g": g, "f": f, "out": out, "shifts": shifts, "dt": dt}


def flipped_kernel(f: np.ndarray, t_index: int, n: int) -> np.ndarray:
    """f(t - tau) on the sample grid: entry m is f[t_index - m] (0 outside f), length n."""
    idx = t_index - np.arange(n)
    inside = (idx >= 0) & (idx < len(f))
    return np.where(inside, f[np.clip(idx, 0, len(f) - 1)], 0.0)


SLIDING_TICKS = (-1, 0, 1, 2, 3)


def plot_conv1d_sliding():
    """1차원 합성곱: 뒤집은 커널 f(t−τ)(빨강)를 신호 g(τ)(파랑) 위로 밀면, 겹친 넓이(노랑)가 출력 (f∗g)(t)의 높이가 된다.

    Four panels (2 x 2) at increasing shifts t, drawn against tau: the box
    signal g(tau) (blue), the flipped kernel f(t - tau) (red), their product
    (yellow area) and a dashed line at tau = t.  Below, across the width, the
    output (f*g)(t) against its own axis t, with a yellow stem at each
    panel's t whose height is that panel's yellow area.  The output comes
    from signal1d.convolve times the step.
    """
    ex = conv1d_sliding_example()
    tau, g, f, out = ex["tau"], ex["g"], ex["f"], ex["out"]
    ink = _ink()
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=[1, 1, 1.1])
    panels = [fig.add_subplot(grid[r, c]) for r in range(2) for c in range(2)]
    for ax, ti in zip(panels, ex["shifts"]):
        t = tau[ti]
        fk = flipped_kernel(f, ti, len(tau))
        prod = g * fk
        # Fill only where the product is non-zero: a polygon over the whole axis bloats the SVG.
        nz = np.flatnonzero(prod)
        part = slice(max(nz[0] - 1, 0), nz[-1] + 2) if nz.size else slice(0, 0)
        ax.fill_between(tau[part], 0, prod[part], color=YELLOW, alpha=0.7, lw=0, label="넓이 = (f∗g)(t)")
        ax.plot(tau, g, color=BLUE, lw=1.8, label="g(τ)")
        ax.plot(tau, fk, color=RED, lw=1.8, label="f(t−τ)")
        ax.axvline(t, color=GREY, lw=1, ls="--")
        ax.set_title(f"t = {_fmt(round(t, 2))}", fontsize=TITLE)
        ax.set_xlim(tau[0], tau[-1])
        ax.set_ylim(-0.05, 1.15)
        ax.set_xticks(SLIDING_TICKS, [_fmt(v) for v in SLIDING_TICKS])
        ax.set_yticks([0, 1])
        ax.set_xlabel("τ", fontsize=FONT, labelpad=1, loc="right")
        ax.tick_params(labelsize=FONT)
        _no_frame(ax)
    # The output on its own axis t: each panel's area is one height on this curve.
    ax = fig.add_subplot(grid[2, :])
    ax.plot(tau, out, color=ink, lw=2, label="(f∗g)(t)")
    ts = tau[ex["shifts"]]
    ax.vlines(ts, 0, out[ex["shifts"]], color=YELLOW, lw=5)
    ax.plot(ts, out[ex["shifts"]], "o", color=ink, ms=5)
    ax.set_xlim(tau[0], tau[-1])
    ax.set_ylim(0, 0.55)
    ax.set_xticks(SLIDING_TICKS, [_fmt(v) for v in SLIDING_TICKS])
    ax.set_yticks([0, 0.4], ["0", "0.4"])
    ax.set_xlabel("t", fontsize=FONT, labelpad=1, loc="right")
    ax.set_title("출력 (f∗g)(t)", fontsize=TITLE)
    ax.tick_params(labelsize=FONT)
    _no_frame(ax)
    handles, labels = panels[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside lower center", ncol=3, frameon=False, fontsize=FONT)
    return fig


# --------------------------------------------------------------------------- convolution vs correlation


def correlation_example():
    """x (3,), w (3,) and their full convolution / cross-correlation (5,) each, numpy semantics.

    Signal first, as numpy.correlate(x, w): (x ⋆ w)(i) = sum_a x(i + a) w(a),
    at lags ``corr_lags`` = -(K - 1) .. N - 1; (x * w)(i) = sum_a x(a) w(i - a)
    at ``conv_index`` = 0 .. N + K - 2.
    """
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([0.0, 1.0, 0.5])
    return {"x": x, "w": w, "conv": convolve(x, w, "full"), "corr": correlate(x, w, "full"),
            "conv_index": np.arange(len(x) + len(w) - 1), "corr_lags": np.arange(-(len(w) - 1), len(x))}


def plot_correlation_vs_convolution():
    """같은 신호 x와 커널 w의 합성곱 x ∗ w와 교차상관 x ⋆ w: 합성곱은 커널을 뒤집어 밀고, 교차상관은 그대로 민다.

    Top: the signal x = [1, 2, 3] (blue) and the kernel w = [0, 1, 0.5]
    (red) against their index.  Bottom left: the full convolution x * w at
    i = 0..4, with the kernel as it slides (flipped) written in red.  Bottom
    right: the full cross-correlation x ⋆ w (signal first, as
    numpy.correlate(x, w, "full")) at lags i = -2..2, the kernel as printed.
    Each value is written over its stem.  Computed with signal1d.convolve /
    signal1d.correlate.
    """
    ex = correlation_example()
    x, w = ex["x"], ex["w"]
    fig = Figure(figsize=(WIDTH, 4.4), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[0.8, 1])
    ax_in, ax_def = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    ax_conv, ax_corr = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    # The two definitions, signal first (numpy.correlate's order), as the note states them.
    ax_def.set_axis_off()
    ax_def.text(0.02, 0.72, "$(X * K)(i) = \\sum_a X(a)\\, K(i - a)$", fontsize=MATH, color=PURPLE,
                transform=ax_def.transAxes, va="center")
    ax_def.text(0.02, 0.28, "$(X \\star K)(i) = \\sum_a X(i + a)\\, K(a)$", fontsize=MATH, color=GREEN,
                transform=ax_def.transAxes, va="center")

    def stems(ax, idx, y, colour, dx=0.0, label=None):
        xs = np.asarray(idx, dtype=float) + dx
        # stems and heads as one line with markers: two SVG paths per series, not one per stem
        sx = np.column_stack([xs, xs, np.full_like(xs, np.nan)]).ravel()
        sy = np.column_stack([np.zeros_like(y), y, np.full_like(y, np.nan)]).ravel()
        ax.plot(sx, sy, color=colour, lw=2.2, marker="o", ms=6, markevery=list(range(1, len(sx), 3)),
                label=label)
        for xi, yi in zip(xs, y):
            ax.text(xi, yi + 0.3, _fmt(yi), ha="center", va="bottom", fontsize=FONT)

    idx = np.arange(len(x))
    stems(ax_in, idx, x, BLUE, -0.12, "X")
    stems(ax_in, idx, w, RED, 0.12, "K")
    ax_in.set_title("신호 X와 커널 K", fontsize=TITLE)
    ax_in.legend(frameon=False, fontsize=FONT, loc="upper left", handlelength=1.2)
    ax_in.set_xlim(-0.6, len(x) - 0.4)
    stems(ax_conv, ex["conv_index"], ex["conv"], PURPLE)
    ax_conv.set_title("합성곱 $X * K$", fontsize=TITLE)
    # the kernel as it slides: flipped for convolution, as printed for correlation
    ax_conv.text(0.0, 1.0, f"뒤집은 K = {_seq(w[::-1])}", transform=ax_conv.transAxes,
                 ha="left", va="top", fontsize=FONT, color=RED)
    stems(ax_corr, ex["corr_lags"], ex["corr"], GREEN)
    ax_corr.set_title("교차상관 $X \\star K$", fontsize=TITLE)
    ax_corr.text(0.0, 1.0, f"K = {_seq(w)}", transform=ax_corr.transAxes,
                 ha="left", va="top", fontsize=FONT, color=RED)
    for ax, ticks in ((ax_in, idx), (ax_conv, ex["conv_index"]), (ax_corr, ex["corr_lags"])):
        ax.set_ylim(0, 5.6 if ax is not ax_in else 4.4)
        ax.axhline(0, color=GREY, lw=0.8)
        ax.set_yticks([])  # every value is written on its stem
        ax.set_xticks(ticks, [_fmt(t) for t in ticks])
        ax.set_xlabel("i", fontsize=FONT, labelpad=1, loc="right")
        ax.tick_params(labelsize=FONT)
        _no_frame(ax, ("top", "right", "left"))
    return fig


# --------------------------------------------------------------------------- parameter counts


def param_counts_example(sizes=(28, 64, 128, 224), k: int = 3):
    """Rows (n, o, fc, conv) for square 1-channel n x n inputs and a k x k kernel, valid.

    o = output_size(n, k); a fully connected layer with the same output needs
    one weight per (input pixel, output pixel) pair: fc = n*n*o*o; the
    convolution shares one k*k kernel: conv = k*k, whatever n is.
    """
    rows = []
    for n in sizes:
        o = output_size(n, k)
        rows.append((n, o, n * n * o * o, k * k))
    return rows


def plot_param_counts():
    """파라미터 수(로그 눈금): 완전 연결 층의 가중치는 입력 한 변의 네제곱으로 늘지만, 3×3 합성곱 커널은 언제나 9개다.

    Grouped bars on a log scale for square 1-channel inputs of side 28, 64,
    128 and 224 mapped to a valid 3x3 output (size from shapes.output_size):
    fully connected weights H*W*H_out*W_out against the 9 weights of the kernel,
    every bar labelled with its value.
    """
    rows = param_counts_example()
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(rows))
    w = 0.38
    fc = [r[2] for r in rows]
    cv = [r[3] for r in rows]
    ax.bar(x - w / 2, fc, w, color=BLUE, alpha=0.85, label="완전 연결 층")
    ax.bar(x + w / 2, cv, w, color=ORANGE, alpha=0.85, label="합성곱 (3×3)")
    for xs, vals in ((x - w / 2, fc), (x + w / 2, cv)):
        for xi, v in zip(xs, vals):
            ax.text(xi, v * 1.6, f"{v:,}", ha="center", va="bottom", fontsize=FONT)
    ax.set_yscale("log")
    ax.set_ylim(1, max(fc) * 60)
    ax.set_xticks(x, [f"{n}×{n}\n{ARROW} {o}×{o}" for n, o, _, _ in rows])
    # Korean number words instead of 10^k: a superscript would be the smallest text in the figure
    ax.set_yticks([1, 1e3, 1e6, 1e9], ["1", "1천", "100만", "10억"])
    ax.minorticks_off()
    ax.legend(frameon=False, fontsize=FONT, loc="upper left")
    ax.tick_params(labelsize=FONT)
    _no_frame(ax)
    return fig


# --------------------------------------------------------------------------- 2-D grid


def conv2d_grid_example():
    """The 5x5 input, 3x3 kernel and 3x3 valid cross-correlation of plot_conv2d_grid.

    Returns a dict with ``x`` (5, 5), ``k`` (3, 3), ``out`` (3, 3) =
    signal1d.correlate2d(x, k, "valid") and ``cell`` (i, j), the highlighted
    output whose window is x[i:i+3, j:j+3].
    """
    x = np.array(
        [[1, 0, 2, 1, 0],
         [3, 1, 0, 2, 1],
         [0, 2, 1, 3, 0],
         [1, 0, 2, 1, 2],
         [2, 1, 0, 0, 1]]
    )
    k = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]])
    out = correlate2d(x, k, "valid")
    return {"x": x, "k": k, "out": out, "cell": (1, 2)}


def conv2d_grid_terms(ex=None) -> tuple[str, float]:
    """The sum of products of the highlighted output cell as text, and its value from the library."""
    ex = ex or conv2d_grid_example()
    (i, j), k = ex["cell"], ex["k"]
    kh, kw = k.shape
    window = ex["x"][i : i + kh, j : j + kw]
    terms = [f"{_fmt(xv)}·{_fmt(kv) if kv >= 0 else '(' + _fmt(kv) + ')'}"
             for xv, kv in zip(window.ravel(), k.ravel())]
    value = ex["out"][i, j]
    return " + ".join(terms) + f" = {_fmt(value)}", value


def plot_conv2d_grid():
    """2차원 합성곱(교차상관): 3×3 커널을 입력 위에 겹쳐 원소끼리 곱해 더하면 출력 한 칸이 된다.

    Input X (5x5), kernel K (3x3) and valid output (3x3) as numbered grids.
    The kernel window on X and the output cell it produces are highlighted;
    the sum of products for that cell is spelled out underneath.  Values from
    signal1d.correlate2d (no kernel flip, as in CNN layers).
    """
    ex = conv2d_grid_example()
    x, k, out = ex["x"], ex["k"], ex["out"]
    i, j = ex["cell"]
    kh, kw = k.shape
    fig = Figure(figsize=(WIDTH, 2.9), layout="constrained")
    ax = fig.subplots()
    _cell_axes(ax)
    # Three grids on one axes so that the star and the = sign sit between them.
    kx, ox = x.shape[1] + 1.5, x.shape[1] + kw + 3
    ky = (x.shape[0] - kh) / 2
    oy = (x.shape[0] - out.shape[0]) / 2
    _fill(ax, j, i, ORANGE, 0.3, kw, kh)
    _outline(ax, j, i, kw, kh, ORANGE)
    _fill(ax, kx, ky, ORANGE, 0.3, kw, kh)
    _fill(ax, ox + j, oy + i, GREEN, 0.45)
    _outline(ax, ox + j, oy + i, 1, 1, GREEN)
    _grid_lines(ax, *x.shape)
    _grid_lines(ax, kh, kw, kx, ky)
    _grid_lines(ax, *out.shape, ox, oy)
    _numbers(ax, x)
    _numbers(ax, k, kx, ky)
    _numbers(ax, out, ox, oy)
    ax.text(kx - 0.75, x.shape[0] / 2, "$\\star$", ha="center", va="center", fontsize=30)
    ax.text(ox - 0.75, x.shape[0] / 2, "=", ha="center", va="center", fontsize=18)
    labels = ((x.shape[1] / 2, -0.3, f"입력 X ({x.shape[0]}×{x.shape[1]})"),
              (kx + kw / 2, ky - 0.3, f"커널 K ({kh}×{kw})"),
              (ox + out.shape[1] / 2, oy - 0.3, f"출력 ({out.shape[0]}×{out.shape[1]})"))
    for lx, ly, text in labels:
        ax.text(lx, ly, text, ha="center", va="bottom", fontsize=FONT)
    text, _ = conv2d_grid_terms(ex)
    ax.text((ox + out.shape[1]) / 2, x.shape[0] + 0.4, f"출력[{i}, {j}] = " + text, ha="center", va="top",
            fontsize=FONT)
    ax.set_xlim(-0.2, ox + out.shape[1] + 0.2)
    ax.set_ylim(x.shape[0] + 1.2, -1.0)
    return fig


# --------------------------------------------------------------------------- padding, stride, dilation


def padding_stride_dilation_example(n: int = 5, k: int = 3):
    """The three panels' settings with their output sizes: a list of dicts.

    Each dict has name, n, k, stride, padding, dilation, out = output_size(n, k,
    stride, padding, dilation), and ``visits``: the offsets i * stride,
    i < out, of the windows along one axis, in padded coordinates.
    """
    panels = []
    for name, s, p, d in (("패딩", 1, 1, 1), ("보폭", 2, 0, 1), ("팽창", 1, 0, 2)):
        o = output_size(n, k, stride=s, padding=p, dilation=d)
        panels.append({"name": name, "n": n, "k": k, "stride": s, "padding": p, "dilation": d,
                       "out": o, "visits": [i * s for i in range(o)]})
    return panels


def _psd_panel(ax, pn, x0: float, y0: float) -> float:
    """One setting of plot_padding_stride_dilation with its top-left at (x0, y0); returns its width."""
    ink = _ink()
    n, k, s, p, d, o = pn["n"], pn["k"], pn["stride"], pn["padding"], pn["dilation"], pn["out"]
    m = n + 2 * p  # padded side
    if p:  # the padding ring: no fill (unlike the input), a 0 in every cell
        ring = [(c, r) for r in range(m) for c in range(m) if not (p <= r < p + n and p <= c < p + n)]
        for c, r in ring:
            ax.text(x0 + c + 0.5, y0 + r + 0.5, "0", ha="center", va="center", fontsize=FONT, color=GREY)
    _fill(ax, x0 + p, y0 + p, BLUE, 0.45, n, n)
    span = d * (k - 1) + 1
    _cells(ax, [(x0 + b * d, y0 + a * d) for a in range(k) for b in range(k)], ORANGE, 0.85)  # first window
    _outline(ax, x0, y0, span, span, ORANGE, lw=2.2)
    if o > 1:  # the next position along the row, s cells to the right
        _outline(ax, x0 + s, y0, span, span, ORANGE, lw=1.6, ls="--")
    centres = np.array([(r + span / 2, c + span / 2) for r in pn["visits"] for c in pn["visits"]])
    ax.plot(x0 + centres[:, 1], y0 + centres[:, 0], "o", color=ink, ms=4.5)
    _grid_lines(ax, m, m, x0, y0)
    ox, oy = x0 + m + 1.4, y0 + (m - o) / 2  # the output grid, right of the input
    _fill(ax, ox, oy, GREEN, 0.35, o, o)
    _fill(ax, ox, oy, GREEN, 0.6)
    _grid_lines(ax, o, o, ox, oy)
    _arrow(ax, x0 + m + 0.15, y0 + m / 2, ox - 0.15, y0 + m / 2)
    setting = {"패딩": f"p={p}", "보폭": f"s={s}"}.get(pn["name"], f"d={d}")
    ax.text(x0 + (m + 1.4 + o) / 2, y0 - 0.4, f"{pn['name']} {setting} {ARROW} {o}×{o}",
            ha="center", va="bottom", fontsize=TITLE)
    return m + 1.4 + o


def plot_padding_stride_dilation():
    """패딩·보폭·팽창: 5×5 입력에 3×3 커널을 쓸 때 각각이 출력 크기를 어떻게 바꾸는가. 점 하나가 커널이 멈추는 자리(창의 중심)이고, 점의 수가 출력 칸의 수다.

    All three settings at one scale (one cell is one cell everywhere), each
    with its output size from shapes.output_size in its title: padding p=1
    on top, stride s=2 and dilation d=2 below.  Input cells blue, the zero
    padding unfilled with a 0 in each cell, the cells the kernel touches at
    its first position orange (the next position along the row dashed), a
    dot at the centre of every position the kernel visits; right of each
    input its output grid (green), the first position's cell darker.
    """
    panels = padding_stride_dilation_example()
    pad, stride, dil = panels
    fig = Figure(figsize=(WIDTH, 5.2), layout="constrained")
    ax = fig.subplots()
    _cell_axes(ax)
    def panel_width(pn):
        return pn["n"] + 2 * pn["padding"] + 1.4 + pn["out"]

    top, gap = pad["n"] + 2 * pad["padding"], 1.6
    width = max(panel_width(pad), panel_width(stride) + gap + panel_width(dil))
    _psd_panel(ax, pad, (width - panel_width(pad)) / 2, 0)  # the top row centred
    y2 = top + 2.0
    _psd_panel(ax, stride, 0, y2)
    _psd_panel(ax, dil, panel_width(stride) + gap, y2)
    handles = [
        Rectangle((0, 0), 1, 1, facecolor=to_rgba(BLUE, 0.45), edgecolor=GREY, lw=0.8),
        Rectangle((0, 0), 1, 1, facecolor="none", edgecolor=GREY, lw=0.8),
        Rectangle((0, 0), 1, 1, facecolor=to_rgba(ORANGE, 0.85), edgecolor=ORANGE, lw=1.5),
        Rectangle((0, 0), 1, 1, facecolor="none", edgecolor=ORANGE, lw=1.5, ls="--"),
        Line2D([], [], ls="none", marker="o", ms=4.5, color=_ink()),
    ]
    labels = ["입력", "패딩 (값 0)", "커널이 닿는 칸", "보폭만큼 옮긴 다음 자리", "창의 중심 = 출력 한 칸"]
    fig.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False, fontsize=FONT)
    ax.set_xlim(-0.3, width + 0.3)
    ax.set_ylim(y2 + stride["n"] + 0.3, -1.3)
    return fig


# --------------------------------------------------------------------------- channels and filters


def channels_example(c_in: int = 3, c_out: int = 4, n: int = 5, k: int = 3):
    """Shapes drawn by plot_channels, from layers.conv2d on zeros: a dict of tuples.

    x (1, C_in, n, n), w (C_out, C_in, k, k), b (C_out,), out (1, C_out, O, O).
    """
    x = np.zeros((1, c_in, n, n))
    w = np.zeros((c_out, c_in, k, k))
    b = np.zeros(c_out)
    out = conv2d(x, w, b)
    return {"x": x.shape, "w": w.shape, "b": b.shape, "out": out.shape}


def _stack(ax, x0: float, y0: float, size: float, colours, step: float = 0.35, alpha: float = 0.45,
           lw: float = 1.2):
    """Squares drawn back to front, each shifted up-right by `step`: a stack of maps.

    (x0, y0) is the bottom-left of the front square; returns the top-right corner of the stack.
    """
    for i, colour in reversed(list(enumerate(colours))):
        corner = (x0 + i * step, y0 + i * step)
        ax.add_patch(Rectangle(corner, size, size, facecolor=to_rgba(colour, alpha), edgecolor=colour, lw=lw))
    top = (len(colours) - 1) * step + size
    return x0 + top, y0 + top


def plot_channels():
    """채널과 필터: 필터 하나는 입력 채널마다 커널을 하나씩 두고, 채널별 결과를 모두 더해(편향 b도 더해) 특성 맵 하나를 낸다. 필터 수만큼 특성 맵이 나온다.

    Top: the 3-channel input (C_in, H, W), channels red, green, blue, one
    filter made of 3 kernels (one per channel, same colours), the
    per-channel results summed, plus the bias, into one feature map.
    Bottom: the same input and C_out filters, each framed in its own colour
    (none of them an input channel's colour), giving C_out stacked feature
    maps in the filters' colours; the weight and bias shapes are written
    out.  Side lengths are proportional to the true sizes and all shapes
    come from layers.conv2d run on arrays of those shapes.
    """
    ex = channels_example()
    _, c_in, h, w_ = ex["x"]
    c_out, _, kh, kw = ex["w"]
    _, _, oh, ow = ex["out"]
    fig = Figure(figsize=(WIDTH, 5.0), layout="constrained")
    ax = fig.subplots()
    ax.set_aspect("equal")
    ax.set_axis_off()
    cols = CHANNEL_COLOURS[:c_in]
    u, step = 0.42, 0.35  # one pixel; offset between stacked maps
    big, small, res = h * u, kh * u, oh * u
    in_top = big + (c_in - 1) * step

    def input_stack(y0):
        x_top, _ = _stack(ax, 0, y0, big, cols, step)
        ax.text(x_top / 2, y0 - 0.25, f"입력 ({c_in}, {h}, {w_})", ha="center", va="top", fontsize=FONT)
        ax.text(x_top + 0.45, y0 + in_top / 2, "$\\star$", ha="center", va="center", fontsize=22)
        return x_top + 0.9

    # Top row: one filter -> one feature map.
    y_top = 6.3
    cy = y_top + in_top / 2  # the line everything is centred on
    ax.text(0, y_top + in_top + 0.5, f"필터 1개 {ARROW} 특성 맵 1개", ha="left", va="bottom", fontsize=TITLE)
    kx0 = input_stack(y_top)
    ky0 = cy - (small + (c_in - 1) * step) / 2
    kx_top, _ = _stack(ax, kx0, ky0, small, cols, step)
    ax.add_patch(Rectangle((kx0 - 0.12, ky0 - 0.12), kx_top - kx0 + 0.24, kx_top - kx0 + 0.24, facecolor="none",
                           edgecolor=FILTER_COLOURS[0], lw=2.2))
    ax.text((kx0 + kx_top) / 2, ky0 - 0.4, f"필터 ({c_in}, {kh}, {kw})", ha="center", va="top", fontsize=FONT)
    sx = kx_top + 1.5  # the per-channel results are summed into one
    _arrow(ax, kx_top + 0.15, cy, sx - 0.75, cy)
    ax.text(sx, cy, "Σ + $b$", ha="center", va="center", fontsize=TITLE)
    ox0 = sx + 1.5
    _arrow(ax, sx + 0.75, cy, ox0 - 0.15, cy)
    _stack(ax, ox0, cy - res / 2, res, [PURPLE])
    ax.text(ox0 + res / 2, cy - res / 2 - 0.25, f"특성 맵 ({oh}, {ow})", ha="center", va="top", fontsize=FONT)

    # Bottom row: C_out filters -> C_out feature maps.
    y_bot = 1.2
    cy = y_bot + in_top / 2
    ax.text(0, y_bot + in_top + 0.5, f"필터 {c_out}개 {ARROW} 특성 맵 {c_out}개", ha="left", va="bottom",
            fontsize=TITLE)
    fx = f_left = input_stack(y_bot)
    fstep = 0.2
    f_side = small + (c_in - 1) * fstep
    for colour in FILTER_COLOURS[:c_out]:
        fy = cy - f_side / 2
        _stack(ax, fx, fy, small, cols, fstep, lw=0.9)
        ax.add_patch(Rectangle((fx - 0.12, fy - 0.12), f_side + 0.24, f_side + 0.24, facecolor="none",
                               edgecolor=colour, lw=2.2))
        fx += f_side + 0.45
    ax.text((f_left + fx - 0.45) / 2, cy - f_side / 2 - 0.3,
            f"필터 {c_out}개, 각각 ({c_in}, {kh}, {kw})", ha="center", va="top", fontsize=FONT)
    out_step = 0.3
    o_side = res + (c_out - 1) * out_step
    ox0 = fx + 1.1
    _arrow(ax, fx - 0.15, cy, ox0 - 0.15, cy)
    _stack(ax, ox0, cy - o_side / 2, res, FILTER_COLOURS[:c_out], out_step, alpha=0.55)
    ax.text(ox0 + o_side / 2, cy - o_side / 2 - 0.25, f"특성 맵 ({c_out}, {oh}, {ow})", ha="center",
            va="top", fontsize=FONT)
    ax.text(0, -0.35, f"$K$: $(C_{{\\mathrm{{out}}}}, C_{{\\mathrm{{in}}}}, k_h, k_w)$ = ({c_out}, {c_in}, {kh}, {kw}),"
            f"   $b$: ({c_out},)", ha="left", va="top", fontsize=MATH)
    ax.set_xlim(-0.2, ox0 + o_side + 0.3)
    ax.set_ylim(-1.1, y_top + in_top + 1.2)
    return fig


# --------------------------------------------------------------------------- backprop graph


def backprop_edges(n_in: int = 5, k: int = 3):
    """Edges (j, i, w) of O = conv1d(X, W): input X_j reaches output O_i through weight W_w.

    1-based indices, sorted.  Found from layers.conv1d itself: with one-hot
    X = e_j and W = e_w the output is non-zero exactly where O_i contains X_j W_w.
    """
    edges = []
    for j in range(n_in):
        for w in range(k):
            x = np.zeros((1, 1, n_in))
            x[0, 0, j] = 1.0
            kern = np.zeros((1, 1, k))
            kern[0, 0, w] = 1.0
            out = conv1d(x, kern)[0, 0]
            edges += [(j + 1, int(i) + 1, w + 1) for i in np.flatnonzero(out)]
    return sorted(edges)


def backprop_terms(n_in: int = 5, k: int = 3, x_index: int = 3, w_index: int = 1):
    """Terms of dL/dX_x and dL/dW_w from backprop.conv1d_backward, 1-based.

    Returns (x_terms, w_terms): x_terms are (i, w) pairs meaning δ_i W_w
    appears in dL/dX_x; w_terms are (i, j) pairs meaning δ_i X_j appears in
    dL/dW_w, where δ_i = dL/dO_i.  Each pair is probed with one-hot arrays.
    """
    n_out = output_size(n_in, k)
    x_terms, w_terms = [], []
    for i in range(n_out):
        delta = np.zeros((1, 1, n_out))
        delta[0, 0, i] = 1.0
        for w in range(k):
            kern = np.zeros((1, 1, k))
            kern[0, 0, w] = 1.0
            dx, _, _ = conv1d_backward(np.zeros((1, 1, n_in)), kern, delta)
            if dx[0, 0, x_index - 1] != 0:
                x_terms.append((i + 1, w + 1))
        for j in range(n_in):
            x = np.zeros((1, 1, n_in))
            x[0, 0, j] = 1.0
            _, dw, _ = conv1d_backward(x, np.zeros((1, 1, k)), delta)
            if dw[0, 0, w_index - 1] != 0:
                w_terms.append((i + 1, j + 1))
    return x_terms, w_terms


EQ_X, FORMULA_Y = 1.25, -1.6  # plot_backprop_graph: where each panel's gradient is written


def _column_sum(ax, x: float, y: float, lhs: str, terms, fontsize: float) -> None:
    """Mathtext "lhs = t0 + t1 + ...", one term per line: = and the +s centred at (x, y) in data.

    Each piece is its own annotation, offset in points: the column stays aligned
    at whatever scale the layout gives the axes.  lhs and terms are mathtext without $.
    """
    gap, step = 0.7 * fontsize, 1.45 * fontsize

    def put(text, dx, dy, ha):
        ax.annotate(f"${text}$", (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va="baseline",
                    fontsize=fontsize)

    put(lhs, -gap, 0, "right")
    for k, term in enumerate(terms):
        put("+" if k else "=", 0, -k * step, "center")
        put(term, gap, -k * step, "left")


def plot_backprop_graph():
    """1차원 합성곱의 계산 그래프: 출력 하나의 순전파(왼쪽), 입력 하나의 기울기(가운데)와 가중치 하나의 기울기(오른쪽). 기울기 δ는 순전파의 간선을 거꾸로 지난다.

    Three panels on the same graph (inputs X1..X5 left, outputs O1..O3 right,
    one edge per product X_{i+k-1} W_k, coloured by weight: W1 blue, W2
    orange, W3 green).  Left: the forward pass, O1's three incoming edges
    highlighted and its equation O1 = X1W1 + X2W2 + X3W3 below.  Middle: the
    deltas flowing back along X3's edges, dL/dX3 = δ1W3 + δ2W2 + δ3W1.
    Right: the three edges that use W1, each sending its product δi Xi to a
    W1 node, dL/dW1 = δ1X1 + δ2X2 + δ3X3.  Edges come from layers.conv1d
    and the gradient terms from backprop.conv1d_backward.  Each equation is
    written one term per line: at MATH size a sum on one line is wider than
    its panel.
    """
    n_in, k = 5, 3
    n_out = output_size(n_in, k)
    edges = backprop_edges(n_in, k)
    x_terms, w_terms = backprop_terms(n_in, k, x_index=3, w_index=1)
    fig = Figure(figsize=(WIDTH, 5.0), layout="constrained")
    axes = fig.subplots(1, 3)
    xs, xo = 0.0, 2.2
    w_node = np.array([(xs + xo) / 2, -0.5])  # where the W1 panel collects its terms

    def y_in(j):
        return float(n_in - j)

    def y_out(i):
        return (n_in - 1) / 2 + (n_out + 1) / 2 - i

    o1 = [f"X_{j} K_{w}" for j, i, w in sorted(edges, key=lambda e: e[2]) if i == 1]
    dx = [f"\\delta_{i} K_{w}" for i, w in sorted(x_terms)]
    dw = [f"\\delta_{i} X_{j}" for i, j in sorted(w_terms)]
    panels = [
        ("순전파 ($Y_1$)", {e for e in edges if e[1] == 1}, "forward", "Y_1", o1),
        ("역전파 ($X_3$)", {(j, i, w) for j, i, w in edges if j == 3 and (i, w) in x_terms}, "input",
         "\\partial \\mathcal{L} / \\partial X_3", dx),
        ("역전파 ($K_1$)", {(j, i, w) for j, i, w in edges if w == 1 and (i, j) in w_terms}, "weight",
         "\\partial \\mathcal{L} / \\partial K_1", dw),
    ]
    for ax, (title, hot, kind, lhs, terms) in zip(axes, panels):
        ax.set_axis_off()
        ax.set_title(title, fontsize=MATH)
        ends = {e: (np.array([xs + 0.3, y_in(e[0])]), np.array([xo - 0.3, y_out(e[1])])) for e in edges}
        faint = [e for e in edges if e not in hot]
        ax.add_collection(LineCollection([ends[e] for e in faint], linewidths=1.0,
                                         colors=[to_rgba(WEIGHT_COLOURS[e[2] - 1], FAINT) for e in faint]))
        for e in sorted(hot):
            (p0, p1), colour = ends[e], WEIGHT_COLOURS[e[2] - 1]
            if kind == "input":  # delta_i flows back from O_i to X_3
                ax.add_patch(FancyArrowPatch(tuple(p1), tuple(p0), arrowstyle="-|>", mutation_scale=12,
                                             color=colour, lw=2.4, shrinkA=2, shrinkB=2))
            else:
                ax.plot(*np.transpose([p0, p1]), color=colour, lw=2.6)
            # where the edges are furthest apart: near X in the forward panel, near O in the input one
            mid = p0 + (0.4 if kind == "forward" else 0.6) * (p1 - p0)
            if kind == "weight":  # each W1 edge hands delta_i X_i to the W1 node; start points fan out
                start = p0 + (0.2 + 0.3 * (e[1] - 1)) * (p1 - p0)
                ax.add_patch(FancyArrowPatch(tuple(start), tuple(w_node), arrowstyle="-|>", mutation_scale=11,
                                             color=colour, lw=1.4, ls=(0, (3, 2)), shrinkA=0, shrinkB=13))
            else:  # the weight's name just above its edge
                ax.text(mid[0], mid[1] + 0.1, f"$K_{e[2]}$", ha="center", va="bottom", fontsize=MATH,
                        color=colour)
        # All nodes in one scatter: one shared marker definition in the SVG.
        hot_in = {e[0] for e in hot}
        hot_out = {e[1] for e in hot}
        node_xy = [(xs, y_in(j)) for j in range(1, n_in + 1)] + [(xo, y_out(i)) for i in range(1, n_out + 1)]
        node_rgba = [to_rgba(BLUE, 0.75 if j in hot_in else 0.4) for j in range(1, n_in + 1)]
        node_rgba += [to_rgba(ORANGE, 0.75 if i in hot_out else 0.4) for i in range(1, n_out + 1)]
        if kind == "weight":
            node_xy.append(tuple(w_node))
            node_rgba.append(to_rgba(WEIGHT_COLOURS[0], 0.75))
        ax.scatter(*np.transpose(node_xy), s=820, c=node_rgba, lw=0)
        for j in range(1, n_in + 1):
            ax.text(xs, y_in(j), f"$X_{j}$", ha="center", va="center", fontsize=MATH)
        for i in range(1, n_out + 1):
            ax.text(xo, y_out(i), f"$Y_{i}$", ha="center", va="center", fontsize=MATH)
            if kind != "forward":
                ax.text(xo + 0.36, y_out(i), f"$\\delta_{i}$", ha="left", va="center", fontsize=MATH,
                        color=RED)
        if kind == "weight":
            ax.text(*w_node, "$K_1$", ha="center", va="center", fontsize=MATH)
        _column_sum(ax, EQ_X, FORMULA_Y, lhs, terms, MATH)
        ax.set_xlim(-0.45, 3.0)
        ax.set_ylim(FORMULA_Y - 1.45, n_in - 0.55)
        ax.set_aspect("equal")
    return fig


# --------------------------------------------------------------------------- kernel gallery

GALLERY_KERNELS = tuple(IMAGE_KERNELS)  # all of them, in the order the code block lists them
GALLERY_LEVELS = 48  # grey levels shown
GALLERY_SIDE = 96  # pixels per side of each panel's image
GALLERY_BLOCK = 3  # each shown pixel averages GALLERY_BLOCK x GALLERY_BLOCK photo pixels
GALLERY_CENTRE = (200, 256)  # (row, col) of the face, with the cap, in the (600, 512) photo
GALLERY_CLIP = 99  # edge panels: |response| clipped at this percentile


def gallery_crop() -> dict:
    """Where the gallery's image comes from, for the note's text: a dict of ints and tuples.

    ``photo`` the grayscale photo's shape (H, W); ``crop`` the side of the
    square cut out of it, ``top`` and ``left`` its corner; ``block`` the side
    of the blocks averaged into one pixel; ``side`` the side of the result.
    """
    photo = load_sample_image().shape
    crop = GALLERY_SIDE * GALLERY_BLOCK
    top, left = GALLERY_CENTRE[0] - crop // 2, GALLERY_CENTRE[1] - crop // 2
    if top < 0 or left < 0 or top + crop > photo[0] or left + crop > photo[1]:
        raise ValueError(f"a {crop}x{crop} crop around {GALLERY_CENTRE} does not fit in the photo {photo}")
    return {"photo": photo, "crop": crop, "top": top, "left": left, "block": GALLERY_BLOCK, "side": GALLERY_SIDE}


def gallery_image() -> np.ndarray:
    """The sample photo cropped to the face and block-averaged, (side, side) in [0, 1] (see gallery_crop).

    Small on purpose: nine filtered copies go into one PNG, and photo pixels
    cost about a byte each there even with few grey levels.
    """
    c = gallery_crop()
    img = load_sample_image()  # (600, 512)
    crop = img[c["top"] : c["top"] + c["crop"], c["left"] : c["left"] + c["crop"]]
    return crop.reshape(c["side"], c["block"], c["side"], c["block"]).mean(axis=(1, 3))


def gallery_panels():
    """(name, kernel sum, displayed image) per panel of plot_kernel_gallery.

    The image is apply_kernel(gallery_image(), kernel) without its one-pixel
    border (where zero padding makes a false edge), mapped to integer grey
    levels 0..GALLERY_LEVELS-1: kernels summing to 1 from [0, 1], edge
    detectors (sum 0) from [-m, m], m the GALLERY_CLIP-th percentile of
    |response|, so that mid grey means 0, "no change", lighter a positive
    and darker a negative response.
    """
    img = gallery_image()
    panels = []
    for name in GALLERY_KERNELS:
        kern = IMAGE_KERNELS[name]
        total = float(kern.sum())
        res = apply_kernel(img, kern)[1:-1, 1:-1]
        if abs(total) < 1e-9:
            m = float(np.percentile(np.abs(res), GALLERY_CLIP))
            lo, hi = -m, m
        else:
            lo, hi = 0.0, 1.0
        shown = np.round((np.clip(res, lo, hi) - lo) / (hi - lo) * (GALLERY_LEVELS - 1))
        panels.append((name, total, shown))
    return panels


def plot_kernel_gallery():
    """이미지 커널 모음: 같은 사진에 3×3 커널을 적용한 결과(제목의 괄호는 커널 원소의 합). 합이 1인 커널은 밝기를 유지하고, 합이 0인 커널은 경계만 남긴다. 합이 0인 칸에서는 중간 회색이 0(변화 없음)이고, 밝을수록 양의 응답, 어두울수록 음의 응답이다.

    A 3x3 grid of the grayscale sample photo (a face crop block-averaged to
    GALLERY_SIDE px, see gallery_crop) filtered with kernels.apply_kernel,
    one panel per kernel in IMAGE_KERNELS; each title gives the kernel's
    Korean name, as the note's table does (kernels.KERNEL_NAMES_KO, without
    the English in parentheses, to fit), and its sum.  See gallery_panels for
    the grey scale.
    """
    fig = Figure(figsize=(WIDTH, 6.7), layout="constrained")
    axes = fig.subplots(3, 3)
    for ax, (name, total, shown) in zip(axes.ravel(), gallery_panels()):
        ax.imshow(shown, cmap="gray", vmin=0, vmax=GALLERY_LEVELS - 1, interpolation="nearest")
        ax.set_title(f"{KERNEL_NAMES_KO[name].split('(')[0]} (합 {_fmt(round(total, 6))})", fontsize=FONT)
        ax.set_axis_off()
    return fig


# --------------------------------------------------------------------------- transposed convolution


def transposed_conv_example():
    """The 2-D transposed convolution drawn by plot_transposed_conv, step by step: a dict.

    ``x`` (2, 2) the input, ``w`` (3, 3) the kernel, ``stride`` 2;
    ``inserted`` (3, 3) = backprop.dilate_grad(x, stride): stride - 1 zeros
    between neighbours; ``padded`` (7, 7) that with K - 1 zeros around it;
    ``out`` (5, 5) = signal1d.convolve2d(inserted, w, "full"), the full
    convolution, which is correlate2d(padded, w rotated 180 degrees, "valid");
    ``cell`` the highlighted output cell, whose window is padded[r:r+3, c:c+3].
    Output side (n - 1) S + K = 5.
    """
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 2.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, -1.0]])
    stride = 2
    inserted = dilate_grad(x[None, None], stride)[0, 0]
    k = w.shape[0]
    padded = np.pad(inserted, k - 1)
    out = convolve2d(inserted, w, "full")
    return {"x": x, "w": w, "stride": stride, "inserted": inserted, "padded": padded, "out": out,
            "cell": (2, 2)}


def transposed_conv_terms(ex=None) -> str:
    """The highlighted output cell as a sum of (input entry)·(flipped kernel entry), zeros left out."""
    ex = ex or transposed_conv_example()
    (r, c), w = ex["cell"], ex["w"]
    k = w.shape[0]
    window = ex["padded"][r : r + k, c : c + k]
    flipped = w[::-1, ::-1]
    terms = [f"{_fmt(a)}·{_fmt(b) if b >= 0 else '(' + _fmt(b) + ')'}"
             for a, b in zip(window.ravel(), flipped.ravel()) if a != 0]
    return f"출력[{r}, {c}] = " + " + ".join(terms) + f" = {_fmt(ex['out'][r, c])}"


def plot_transposed_conv():
    """전치 합성곱(보폭 2, 3×3 커널): 입력 칸 사이에 0을 하나씩 끼워 넣고(회색 칸), 둘레에 K−1 = 2칸의 0을 두른 뒤, 뒤집은 커널을 보폭 1로 밀면(full 합성곱) 2×2가 5×5로 커진다.

    In the style of Dumoulin & Visin's figures, all grids at one scale.
    Top: the input x (2x2, blue), the kernel w (3x3, orange) and the output
    side (n - 1) S + K.  Bottom left: x with S - 1 zeros inserted between
    neighbours (grey cells), surrounded by K - 1 = 2 rings of zero padding
    (unfilled), and the 3x3 window of the highlighted output cell (orange
    outline).  Bottom right: the 5x5 output with that cell highlighted
    (green), and its sum of products spelled out underneath.  Values from
    backprop.dilate_grad and signal1d.convolve2d.
    """
    ex = transposed_conv_example()
    x, w, padded, out = ex["x"], ex["w"], ex["padded"], ex["out"]
    r, c = ex["cell"]
    k, s = w.shape[0], ex["stride"]
    m, o = padded.shape[0], out.shape[0]
    grey = GREY
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    ax = fig.subplots()
    _cell_axes(ax)

    # Top row: the input and the kernel.
    _fill(ax, 0, 0, BLUE, 0.45, *x.shape)
    _grid_lines(ax, *x.shape)
    _numbers(ax, x)
    ax.text(x.shape[1] / 2, -0.3, f"입력 x ({x.shape[0]}×{x.shape[1]})", ha="center", va="bottom", fontsize=FONT)
    kx = x.shape[1] + 2.5
    _fill(ax, kx, 0, ORANGE, 0.35, k, k)
    _grid_lines(ax, k, k, kx)
    _numbers(ax, w, kx)
    ax.text(kx + k / 2, -0.3, f"커널 w ({k}×{k})", ha="center", va="bottom", fontsize=FONT)
    ax.text(kx + k + 0.6, 0.2, f"보폭 S = {s}\n출력 ({x.shape[0]}−1)·{s} + {k} = {o}", ha="left", va="top",
            fontsize=FONT, linespacing=1.6)

    # Bottom left: zero insertion and padding, the window of the highlighted output cell.
    y0 = k + 1.6
    rows, cols = np.indices(padded.shape)
    inner = (rows >= k - 1) & (rows < m - k + 1) & (cols >= k - 1) & (cols < m - k + 1)
    is_input = inner & ((rows - (k - 1)) % s == 0) & ((cols - (k - 1)) % s == 0)
    _cells(ax, [(cc, y0 + rr) for rr, cc in zip(*np.nonzero(is_input))], BLUE, 0.45)
    _cells(ax, [(cc, y0 + rr) for rr, cc in zip(*np.nonzero(inner & ~is_input))], grey, 0.25)
    _grid_lines(ax, m, m, 0, y0)
    for rr, cc in zip(*np.nonzero(~is_input)):
        ax.text(cc + 0.5, y0 + rr + 0.5, "0", ha="center", va="center", fontsize=FONT, color=grey)
    for rr, cc in zip(*np.nonzero(is_input)):
        ax.text(cc + 0.5, y0 + rr + 0.5, _fmt(padded[rr, cc]), ha="center", va="center", fontsize=FONT)
    _outline(ax, c, y0 + r, k, k, ORANGE, lw=2.6)
    ax.text(m / 2, y0 - 0.3, f"0 끼워 넣기 + 둘레 {k - 1}칸 0 ({m}×{m})", ha="center", va="bottom", fontsize=FONT)

    # Bottom right: the output, the highlighted cell and the arrow from its window.
    ox, oy = m + 2.0, y0 + (m - o) / 2
    _fill(ax, ox, oy, GREEN, 0.3, o, o)
    _fill(ax, ox + c, oy + r, GREEN, 0.6)
    _outline(ax, ox + c, oy + r, 1, 1, GREEN, lw=2.2)
    _grid_lines(ax, o, o, ox, oy)
    _numbers(ax, out, ox, oy)
    ax.text(ox + o / 2, oy - 0.3, f"출력 ({o}×{o})", ha="center", va="bottom", fontsize=FONT)
    _arrow(ax, m + 0.2, y0 + m / 2, ox - 0.2, y0 + m / 2)
    ax.text(m + 1.0, y0 + m / 2 + 0.3, "뒤집은 w,\n보폭 1", ha="center", va="top", fontsize=FONT,
            linespacing=1.4)
    ax.text((ox + o) / 2, y0 + m + 0.35, transposed_conv_terms(ex), ha="center", va="top", fontsize=FONT)
    ax.set_xlim(-0.2, ox + o + 0.2)
    ax.set_ylim(y0 + m + 1.3, -1.2)
    return fig
