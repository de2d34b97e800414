"""Figures of the convolution note, drawn at build time from the tested library.

Each ``plot_*`` function returns a ``matplotlib.figure.Figure``; the first line
of its docstring is the caption shown under the figure.  The build calls each
one twice under ``matplotlib.rc_context`` (light and dark theme), so ink
colours come from rcParams and the backgrounds stay transparent.  Every
number drawn is computed by ``snippets.convolution`` modules; the ``*_example``
helpers return the data a figure draws so the tests can check it.

Size matters: text is saved as glyph outlines, and a Korean glyph costs
about 1 KB of SVG, so the in-figure text is short and the captions explain.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, PathPatch, Rectangle
from matplotlib.path import Path

from snippets.convolution.backprop import conv1d_backward
from snippets.convolution.kernels import IMAGE_KERNELS, apply_kernel, load_sample_image
from snippets.convolution.layers import conv1d, conv2d
from snippets.convolution.shapes import output_size
from snippets.convolution.signal1d import convolve, correlate, correlate2d

# Mid-saturation colours that read on white and on Material's dark slate.
BLUE = "#3d85c6"
RED = "#d9534f"
YELLOW = "#e8b931"
GREEN = "#3fa34d"
ORANGE = "#e8832a"
PURPLE = "#9b6cc9"
GREY = "#8b949e"
CHANNEL_COLOURS = (RED, GREEN, BLUE)  # an RGB input, channel by channel
WEIGHT_COLOURS = (BLUE, ORANGE, GREEN)  # W1, W2, W3
FILTER_COLOURS = (PURPLE, ORANGE, GREEN, BLUE)
ARROW = "$\\rightarrow$"  # NanumGothic's own arrow glyph is tiny


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


def _cells(ax, cells, colour: str, alpha: float) -> None:
    """Unit cells at (col, row) filled as one compound patch: one SVG element, not one per cell."""
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    verts = [[c + dx, r + dy] for c, r in cells for dx, dy in square]
    codes = ([Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]) * len(cells)
    ax.add_patch(PathPatch(Path(verts, codes), facecolor=colour, alpha=alpha, lw=0))


def _outline(ax, col: float, row: float, w: float, h: float, colour: str, lw: float = 2.2, **kw) -> None:
    ax.add_patch(Rectangle((col, row), w, h, facecolor="none", edgecolor=colour, lw=lw, **kw))


def _numbers(ax, values, x0: float = 0, y0: float = 0, **kw) -> None:
    for r, row in enumerate(np.asarray(values)):
        for c, v in enumerate(row):
            ax.text(x0 + c + 0.5, y0 + r + 0.5, _fmt(v), ha="center", va="center", fontsize=11, **kw)


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


def plot_conv1d_sliding():
    """1차원 합성곱: 뒤집은 커널 f(빨강)를 신호 g(파랑) 위로 밀 때, 겹친 부분의 넓이(노랑)가 그 위치의 출력값이 된다.

    Four panels at increasing shifts t: the box signal g(tau) (blue), the
    flipped, shifted kernel f(t - tau) (red), their product (yellow area) and
    the output (f*g)(t) traced up to t in the text colour, with a dot at the
    current value.  The output comes from signal1d.convolve times the step.
    """
    ex = conv1d_sliding_example()
    tau, g, f, out = ex["tau"], ex["g"], ex["f"], ex["out"]
    ink = _ink()
    fig = Figure(figsize=(9, 2.8), layout="constrained")
    axes = fig.subplots(1, len(ex["shifts"]), sharey=True)
    for ax, ti in zip(axes, ex["shifts"]):
        t = tau[ti]
        fk = flipped_kernel(f, ti, len(tau))
        prod = g * fk
        # Fill only where the product is non-zero: a polygon over the whole axis bloats the SVG.
        nz = np.flatnonzero(prod)
        part = slice(max(nz[0] - 1, 0), nz[-1] + 2) if nz.size else slice(0, 0)
        ax.fill_between(tau[part], 0, prod[part], color=YELLOW, alpha=0.6, lw=0, label="g(τ) f(t−τ)")
        ax.plot(tau, g, color=BLUE, lw=1.8, label="g(τ)")
        ax.plot(tau, fk, color=RED, lw=1.8, label="f(t−τ)")
        # Full length, NaN after t: paths of 128+ points get simplified when saved.
        ax.plot(tau, np.where(np.arange(len(tau)) <= ti, out, np.nan), color=ink, lw=2, label="(f∗g)(t)")
        ax.plot([t], [out[ti]], "o", color=ink, ms=5)
        ax.axvline(t, color=GREY, lw=0.8, ls="--")
        ax.set_title(f"t = {_fmt(round(t, 2))}", fontsize=10)
        ax.set_xlim(tau[0], tau[-1])
        ax.set_ylim(-0.05, 1.15)
        ax.set_xticks([0, 1, 2, 3], ["0", "1", "", ""])  # the box's edges
        ax.set_yticks([0, 1])
        ax.set_xlabel("τ")
        _no_frame(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, frameon=False, fontsize=9)
    return fig


# --------------------------------------------------------------------------- convolution vs correlation


def correlation_example():
    """a (3,), v (3,) and their full convolution / cross-correlation (5,) each, numpy semantics."""
    a = np.array([1.0, 2.0, 3.0])
    v = np.array([0.0, 1.0, 0.5])
    return {"a": a, "v": v, "conv": convolve(a, v, "full"), "corr": correlate(a, v, "full")}


def plot_correlation_vs_convolution():
    """같은 두 수열의 합성곱과 교차상관: 합성곱은 커널을 뒤집어서 밀고, 교차상관은 그대로 민다.

    Left: a = [1, 2, 3] and the kernel v = [0, 1, 0.5]; middle: the full
    convolution a * v (the kernel slides flipped); right: the full
    cross-correlation a ⋆ v (the kernel slides as printed), each output value
    written over its stem and the kernel as it slides written in red.
    Computed with signal1d.convolve / signal1d.correlate.
    """
    ex = correlation_example()
    a, v = ex["a"], ex["v"]
    fig = Figure(figsize=(9, 2.6), layout="constrained")
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.35, 1.35]})

    def stems(ax, y, colour, dx=0.0, label=None):
        x = np.arange(len(y)) + dx
        # stems and heads as one line with markers: two SVG paths per series, not one per stem
        sx = np.column_stack([x, x, np.full_like(x, np.nan)]).ravel()
        sy = np.column_stack([np.zeros_like(y), y, np.full_like(y, np.nan)]).ravel()
        ax.plot(sx, sy, color=colour, lw=2.2, marker="o", ms=6, markevery=list(range(1, len(sx), 3)),
                label=label)
        for xi, yi in zip(x, y):
            ax.text(xi, yi + 0.25, _fmt(yi), ha="center", va="bottom", fontsize=9)

    stems(axes[0], a, BLUE, -0.12, "a")
    stems(axes[0], v, RED, 0.12, "v")
    axes[0].legend(frameon=False, fontsize=9, loc="upper left", handlelength=1)
    stems(axes[1], ex["conv"], PURPLE)
    axes[1].set_title("합성곱 $a * v$", fontsize=10)
    # the kernel as it slides: flipped for convolution, as printed for correlation
    axes[1].text(0.02, 0.97, f"$\\overleftarrow{{v}}$ = {_seq(v[::-1])}", transform=axes[1].transAxes,
                 ha="left", va="top", fontsize=9, color=RED)
    stems(axes[2], ex["corr"], GREEN)
    axes[2].set_title("교차상관 $a \\star v$", fontsize=10)
    axes[2].text(0.02, 0.97, f"$v$ = {_seq(v)}", transform=axes[2].transAxes,
                 ha="left", va="top", fontsize=9, color=RED)
    for ax, n in zip(axes, (len(a), len(ex["conv"]), len(ex["corr"]))):
        ax.set_ylim(0, 5.2)
        ax.axhline(0, color=GREY, lw=0.8)
        ax.set_yticks([])  # every value is written on its stem
        ax.set_xticks(range(n))
        ax.set_xlabel("n")
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
    """파라미터 수(로그 눈금): 완전연결층의 가중치는 입력 한 변의 네제곱으로 늘지만, 3×3 합성곱 커널은 언제나 9개다.

    Grouped bars on a log scale for square 1-channel inputs of side 28, 64,
    128 and 224 mapped to a valid 3x3 output (size from shapes.output_size):
    fully connected weights H*W*O_H*O_W against the 9 weights of the kernel,
    every bar labelled with its value.
    """
    rows = param_counts_example()
    fig = Figure(figsize=(8, 3.3), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(rows))
    w = 0.38
    fc = [r[2] for r in rows]
    cv = [r[3] for r in rows]
    ax.bar(x - w / 2, fc, w, color=BLUE, alpha=0.85, label="완전연결층")
    ax.bar(x + w / 2, cv, w, color=ORANGE, alpha=0.85, label="합성곱 (3×3)")
    for xs, vals in ((x - w / 2, fc), (x + w / 2, cv)):
        for xi, v in zip(xs, vals):
            ax.text(xi, v * 1.6, f"{v:,}", ha="center", va="bottom", fontsize=9)
    ax.set_yscale("log")
    ax.set_ylim(1, max(fc) * 60)
    ax.set_xticks(x, [f"{n}×{n} {ARROW} {o}×{o}" for n, o, _, _ in rows])
    ax.set_yticks([1, 1e3, 1e6, 1e9])
    ax.minorticks_off()
    ax.legend(frameon=False, fontsize=9, loc="upper left")
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
    fig = Figure(figsize=(8, 3.3), layout="constrained")
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
        ax.text(lx, ly, text, ha="center", va="bottom", fontsize=10)
    text, _ = conv2d_grid_terms(ex)
    ax.text((ox + out.shape[1]) / 2, x.shape[0] + 0.4, f"출력[{i}, {j}] = " + text, ha="center", va="top",
            fontsize=10)
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
    for name, s, p, d in (("패딩", 1, 1, 1), ("스트라이드", 2, 0, 1), ("팽창", 1, 0, 2)):
        o = output_size(n, k, stride=s, padding=p, dilation=d)
        panels.append({"name": name, "n": n, "k": k, "stride": s, "padding": p, "dilation": d,
                       "out": o, "visits": [i * s for i in range(o)]})
    return panels


def plot_padding_stride_dilation():
    """패딩·스트라이드·팽창: 5×5 입력에 3×3 커널을 쓸 때 각각이 출력 크기를 어떻게 바꾸는가.

    One panel per hyper-parameter (P=1, S=2, D=2), each with its output size
    from shapes.output_size in the title.  Left grid: the input (blue), zero
    padding hatched grey, the cells the kernel touches at its first position
    (orange, the next position along the row dashed) and a dot at the centre
    of every position the kernel visits.  Right grid: the output, the cell of
    the first position highlighted.
    """
    panels = padding_stride_dilation_example()
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    axes = fig.subplots(1, 3)
    ink = _ink()
    for ax, pn in zip(axes, panels):
        _cell_axes(ax)
        n, k, s, p, d, o = pn["n"], pn["k"], pn["stride"], pn["padding"], pn["dilation"], pn["out"]
        m = n + 2 * p  # padded side
        if p:  # the padding ring as one hatched shape: the padded square with the input cut out
            verts = [[0, 0], [m, 0], [m, m], [0, m], [0, 0],
                     [p, p], [p, p + n], [p + n, p + n], [p + n, p], [p, p]]
            codes = ([Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]) * 2
            ax.add_patch(PathPatch(Path(verts, codes), facecolor=GREY, alpha=0.3, hatch="///",
                                   edgecolor=GREY, lw=0))
        _fill(ax, p, p, BLUE, 0.22, n, n)
        span = d * (k - 1) + 1
        _cells(ax, [(b * d, a * d) for a in range(k) for b in range(k)], ORANGE, 0.6)  # first window
        _outline(ax, 0, 0, span, span, ORANGE, lw=2)
        if o > 1:  # the next position along the row, s cells to the right
            _outline(ax, s, 0, span, span, ORANGE, lw=1.5, ls="--")
        centres = np.array([(r + span / 2, c + span / 2) for r in pn["visits"] for c in pn["visits"]])
        ax.plot(centres[:, 1], centres[:, 0], "o", color=ink, ms=3.5)
        _grid_lines(ax, m, m)
        ox, oy = m + 1.3, (m - o) / 2  # the output grid, right of the input
        _fill(ax, ox, oy, GREEN, 0.2, o, o)
        _fill(ax, ox, oy, GREEN, 0.45)
        _grid_lines(ax, o, o, ox, oy)
        _arrow(ax, m + 0.15, m / 2, ox - 0.15, m / 2)
        setting = {"패딩": f"P={p}", "스트라이드": f"S={s}"}.get(pn["name"], f"D={d}")
        ax.set_title(f"{pn['name']} {setting} {ARROW} {o}×{o}", fontsize=10)
        ax.set_xlim(-0.3, ox + o + 0.3)
        ax.set_ylim(m + 0.3, -0.3)
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


def _stack(ax, x0: float, y0: float, size: float, colours, step: float = 0.35, alpha: float = 0.3,
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
    """채널과 필터: 채널마다 커널을 하나씩 적용해 모두 더하면 출력 맵 하나, 필터가 C_out개면 출력 맵도 C_out개다.

    Left: a 3-channel input (C_in, H, W), one filter made of 3 kernels (one per
    channel), the per-channel results summed, plus a bias, into one output
    map.  Right: C_out filters give C_out stacked output maps; the weight
    shape (C_out, C_in, K_H, K_W) and the bias shape are written out.  All
    shapes come from layers.conv2d run on arrays of those shapes.
    """
    ex = channels_example()
    _, c_in, h, w_ = ex["x"]
    c_out, _, kh, kw = ex["w"]
    _, _, oh, ow = ex["out"]
    fig = Figure(figsize=(9, 3.1), layout="constrained")
    ax_l, ax_r = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    for ax in (ax_l, ax_r):
        ax.set_aspect("equal")
        ax.set_axis_off()
    cols = CHANNEL_COLOURS[:c_in]

    # Left: one filter.  Side lengths are proportional to the true sizes.
    u, step = 0.42, 0.35  # one pixel; offset between stacked maps
    big, small, res = h * u, kh * u, oh * u
    cy = (big + (c_in - 1) * step) / 2  # the row everything is centred on
    ax_l.set_title(f"필터 1개 {ARROW} 출력 맵 1개", fontsize=10)
    x_top, y_top = _stack(ax_l, 0, 0, big, cols, step)
    ax_l.text(x_top / 2, -0.3, f"입력 ({c_in}, {h}, {w_})", ha="center", va="top", fontsize=9)
    ax_l.text(x_top + 0.4, cy, "$\\star$", ha="center", va="center", fontsize=24)
    kx0, ky0 = x_top + 0.8, cy - (small + (c_in - 1) * step) / 2
    kx_top, _ = _stack(ax_l, kx0, ky0, small, cols, step)
    ax_l.text((kx0 + kx_top) / 2, ky0 - 0.3, f"필터 ({c_in}, {kh}, {kw})", ha="center", va="top", fontsize=9)
    sx = kx_top + 1.4  # the per-channel maps are summed into one
    _arrow(ax_l, kx_top + 0.15, cy, sx - 0.55, cy)
    ax_l.text(sx, cy, "Σ + b", ha="center", va="center", fontsize=11)
    ox0 = sx + 1.3
    _arrow(ax_l, sx + 0.55, cy, ox0 - 0.15, cy)
    _stack(ax_l, ox0, cy - res / 2, res, [PURPLE], alpha=0.35)
    ax_l.text(ox0 + res / 2, cy - res / 2 - 0.3, f"출력 ({oh}, {ow})", ha="center", va="top", fontsize=9)
    ax_l.set_xlim(-0.2, ox0 + res + 0.5)
    ax_l.set_ylim(-1.0, y_top + 0.2)

    # Right: C_out filters, each a (C_in, K_H, K_W) stack (drawn smaller), and the output maps.
    ax_r.set_title(f"필터 {c_out}개 {ARROW} 출력 맵 {c_out}개", fontsize=10)
    fcol = FILTER_COLOURS[:c_out]
    fs, fstep, gap = 0.75, 0.18, 1.3
    f_h = fs + (c_in - 1) * fstep
    r_cy = ((c_out - 1) * gap + f_h) / 2
    out_x, out_step = 3.6, 0.3
    o_h = res + (c_out - 1) * out_step
    for f_i, colour in enumerate(fcol):
        y0 = (c_out - 1 - f_i) * gap
        _stack(ax_r, 0, y0, fs, cols, step=fstep, alpha=0.25, lw=0.8)
        _arrow(ax_r, f_h + 0.2, y0 + f_h / 2, out_x - 0.2, r_cy + ((c_out - 1) / 2 - f_i) * 0.25,
               colour=colour, lw=1.2)
    _stack(ax_r, out_x, r_cy - o_h / 2, res, fcol, step=out_step, alpha=0.3)
    ax_r.text(out_x + o_h / 2, r_cy - o_h / 2 - 0.3, f"출력 ({c_out}, {oh}, {ow})", ha="center", va="top",
              fontsize=9)
    ax_r.text(2.2, -0.35, f"W: (C_out, C_in, K_H, K_W) = ({c_out}, {c_in}, {kh}, {kw}),   b: ({c_out},)",
              ha="center", va="top", fontsize=9)
    ax_r.set_xlim(-0.6, out_x + o_h + 0.6)
    ax_r.set_ylim(-1.1, (c_out - 1) * gap + f_h + 0.2)
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


def plot_backprop_graph():
    """1차원 합성곱의 역전파: X3은 세 출력에 서로 다른 가중치로 닿고, 기울기 δ도 같은 길을 거꾸로 지난다.

    Three panels on the same graph (inputs X1..X5 left, outputs O1..O3 right,
    one edge per product X_{i+k-1} W_k, coloured by weight: W1 blue, W2
    orange, W3 green).  Left: the forward pass with X3's three paths
    highlighted.  Middle: the deltas flowing back to X3,
    dL/dX3 = δ1W3 + δ2W2 + δ3W1.  Right: the gradient of W1,
    dL/dW1 = δ1X1 + δ2X2 + δ3X3.  Edges come from layers.conv1d and the
    gradient terms from backprop.conv1d_backward.
    """
    n_in, k = 5, 3
    n_out = output_size(n_in, k)
    edges = backprop_edges(n_in, k)
    x_terms, w_terms = backprop_terms(n_in, k, x_index=3, w_index=1)
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    axes = fig.subplots(1, 3)
    xs, xo = 0.0, 3.0

    def y_in(j):
        return float(n_in - j)

    def y_out(i):
        return (n_in - 1) / 2 + (n_out + 1) / 2 - i

    o1 = " + ".join(f"X_{j} W_{w}" for j, i, w in sorted(edges, key=lambda e: e[2]) if i == 1)
    dx = " + ".join(f"\\delta_{i} W_{w}" for i, w in sorted(x_terms))
    dw = " + ".join(f"\\delta_{i} X_{j}" for i, j in sorted(w_terms))
    panels = [
        ("순전파", {e for e in edges if e[0] == 3}, False, f"$O_1 = {o1}$"),
        ("역전파 ($X_3$)", {(j, i, w) for j, i, w in edges if j == 3 and (i, w) in x_terms}, True,
         f"$\\partial L / \\partial X_3 = {dx}$"),
        ("역전파 ($W_1$)", {(j, i, w) for j, i, w in edges if w == 1 and (i, j) in w_terms}, True,
         f"$\\partial L / \\partial W_1 = {dw}$"),
    ]
    for ax, (title, hot, backward, formula) in zip(axes, panels):
        ax.set_axis_off()
        ax.set_title(title, fontsize=10)
        ends = {e: (np.array([xs + 0.3, y_in(e[0])]), np.array([xo - 0.3, y_out(e[1])])) for e in edges}
        faint = [e for e in edges if e not in hot]
        ax.add_collection(LineCollection([ends[e] for e in faint], linewidths=0.9,
                                         colors=[to_rgba(WEIGHT_COLOURS[e[2] - 1], 0.35) for e in faint]))
        for e in sorted(hot):
            (p0, p1), colour = ends[e], WEIGHT_COLOURS[e[2] - 1]
            if backward:
                ax.add_patch(FancyArrowPatch(tuple(p1), tuple(p0), arrowstyle="-|>", mutation_scale=11,
                                             color=colour, lw=2.2, shrinkA=2, shrinkB=2))
            else:
                ax.plot(*np.transpose([p0, p1]), color=colour, lw=2.4)
            lx, ly = p0 + 0.5 * (p1 - p0)  # the weight's name just above the middle of the edge
            ax.text(lx, ly + 0.1, f"$W_{e[2]}$", ha="center", va="bottom", fontsize=9, color=colour)
        # All nodes in one scatter: one shared marker definition in the SVG.
        hot_in = {j for j in range(1, n_in + 1) if any(e[0] == j for e in hot)}
        node_xy = [(xs, y_in(j)) for j in range(1, n_in + 1)] + [(xo, y_out(i)) for i in range(1, n_out + 1)]
        node_rgba = [to_rgba(BLUE, 0.5 if j in hot_in else 0.2) for j in range(1, n_in + 1)]
        node_rgba += [to_rgba(ORANGE, 0.3)] * n_out
        ax.scatter(*np.transpose(node_xy), s=380, c=node_rgba, lw=0)
        for j in range(1, n_in + 1):
            ax.text(xs, y_in(j), f"$X_{j}$", ha="center", va="center", fontsize=10)
        for i in range(1, n_out + 1):
            ax.text(xo, y_out(i), f"$O_{i}$", ha="center", va="center", fontsize=10)
            if backward:
                ax.text(xo + 0.35, y_out(i), f"$\\delta_{i}$", ha="left", va="center", fontsize=10, color=RED)
        ax.text(1.5, -0.6, formula, ha="center", va="top", fontsize=10)
        ax.set_xlim(-0.45, 3.75)
        ax.set_ylim(-1.25, n_in - 0.6)
        ax.set_aspect("equal")
    return fig


# --------------------------------------------------------------------------- kernel gallery

GALLERY_KERNELS = ("identity", "box_blur", "gaussian_blur", "sharpen",
                   "sobel_x", "sobel_y", "laplacian", "emboss")
GALLERY_LEVELS = 64  # grey levels shown


def gallery_image(side: int = 112) -> np.ndarray:
    """The sample photo cropped to the face and block-averaged to (side, side), values in [0, 1].

    Small on purpose: eight filtered copies go into one PNG, and photo pixels
    cost about a byte each there even with few grey levels (112 px: ~115 KB).
    """
    img = load_sample_image()  # (600, 512)
    f = 3  # block size: 3 * side pixels of the portrait -> side
    centre_row, centre_col = 200, 256  # the face, with the cap
    top, left = centre_row - side * f // 2, centre_col - side * f // 2
    crop = img[top : top + side * f, left : left + side * f]
    return crop.reshape(side, f, side, f).mean(axis=(1, 3))


def gallery_panels():
    """(name, kernel sum, displayed image) per panel of plot_kernel_gallery.

    The image is apply_kernel(gallery_image(), kernel) without its one-pixel
    border (where zero padding makes a false edge), mapped to integer grey
    levels 0..GALLERY_LEVELS-1: kernels summing to 1 from [0, 1], edge
    detectors (sum 0) from [-m, m], m the 99th percentile of |response|, so
    that mid grey means "no change".
    """
    img = gallery_image()
    panels = []
    for name in GALLERY_KERNELS:
        kern = IMAGE_KERNELS[name]
        total = float(kern.sum())
        res = apply_kernel(img, kern)[1:-1, 1:-1]
        if abs(total) < 1e-9:
            m = float(np.percentile(np.abs(res), 99))
            lo, hi = -m, m
        else:
            lo, hi = 0.0, 1.0
        shown = np.round((np.clip(res, lo, hi) - lo) / (hi - lo) * (GALLERY_LEVELS - 1))
        panels.append((name, total, shown))
    return panels


def plot_kernel_gallery():
    """이미지 커널 모음: 같은 사진에 3×3 커널을 적용한 결과. 합이 1인 커널은 밝기를 유지하고, 합이 0인 커널은 경계만 남긴다.

    A 2x4 grid of the grayscale sample photo (face crop, 112 x 112 px)
    filtered with kernels.apply_kernel: identity, box and Gaussian blur,
    sharpen, Sobel x/y, Laplacian and emboss; each title names the kernel
    and its sum.  See gallery_panels for the grey scale of each panel.
    """
    fig = Figure(figsize=(8.4, 4.6), layout="constrained")
    axes = fig.subplots(2, 4)
    for ax, (name, total, shown) in zip(axes.ravel(), gallery_panels()):
        ax.imshow(shown, cmap="gray", vmin=0, vmax=GALLERY_LEVELS - 1, interpolation="nearest")
        ax.set_title(f"{name}  (합 {_fmt(round(total, 6))})", fontsize=10)
        ax.set_axis_off()
    return fig
