"""Figures of the note's sections on learning a kernel and on a whole CNN.

Same rules as figures.py, whose sizes and colours they share: each
``plot_*`` returns a Figure whose first docstring line is the caption, ink
comes from the theme's rcParams, the figure is WIDTH inches wide and no
glyph is under FONT points (mathtext scripts are set in MATH points).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from snippets.convolution.figures import BLUE, FONT, GREEN, GREY, MATH, ORANGE, RED, TITLE, WIDTH
from snippets.convolution.learning import STEPS, note_run, target_kernel

# One colour per value of the target kernel: its entries are -2, -1, 0, 1, 2.
TARGET_COLOURS = {-2.0: BLUE, -1.0: GREEN, 0.0: GREY, 1.0: ORANGE, 2.0: RED}
SNAPSHOTS = (0, 5, STEPS)  # steps whose kernels are drawn as grids
STEP_TICKS = tuple(range(0, STEPS + 1, 20))


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")


def kernel_learning_example():
    """What plot_kernel_learning draws: the note's run from learning.note_run.

    Returns a dict: ``kernels`` (STEPS + 1, k_h, k_w) after each step,
    ``losses`` (STEPS + 1,), ``target`` (k_h, k_w) and ``snapshots``, the
    steps drawn as grids.
    """
    _, _, kernels, _, losses = note_run()
    return {"kernels": kernels[:, 0, 0], "losses": losses, "target": target_kernel(), "snapshots": SNAPSHOTS}


def _kernel_grid(ax, k: np.ndarray, title: str) -> None:
    """A k_h x k_w grid of cells, tinted red for positive and blue for negative, each value written."""
    ax.set_aspect("equal")
    ax.set_xlim(0, k.shape[1])
    ax.set_ylim(k.shape[0], 0)
    ax.set_axis_off()
    for r in range(k.shape[0]):
        for c in range(k.shape[1]):
            v = float(k[r, c])
            alpha = min(abs(v) / 2, 1) * 0.55
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=RED if v > 0 else BLUE, alpha=alpha, lw=0))
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor="none", edgecolor=GREY, lw=0.8))
            ax.text(c + 0.5, r + 0.5, _minus(f"{round(v, 2) + 0.0:.2f}"), ha="center", va="center", fontsize=FONT)
    ax.set_title(title, fontsize=TITLE)


def plot_kernel_learning():
    """경사 하강으로 커널 배우기: 무작위 커널에서 시작해 손실이 줄고, 아홉 원소가 소벨 x의 값으로 다가간다.

    Top: the 3x3 kernel after 0, 5 and the last step, each cell tinted by its
    sign and written to two decimals.  Bottom left: the loss against the step
    on a log axis.  Bottom right: the nine entries against the step, each
    coloured by the target value it approaches, with the targets dotted.
    Everything comes from learning.note_run (conv2d_backward gradients).
    """
    ex = kernel_learning_example()
    kernels, losses, target = ex["kernels"], ex["losses"], ex["target"]
    ink = mpl.rcParams["text.color"]
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    grid = fig.add_gridspec(2, 3, height_ratios=[1, 1.25])
    for i, step in enumerate(ex["snapshots"]):
        title = "처음" if step == 0 else f"{step}단계 뒤"
        _kernel_grid(fig.add_subplot(grid[0, i]), kernels[step], title)

    steps = np.arange(len(losses))
    ax = fig.add_subplot(grid[1, 0])
    ax.semilogy(steps, losses, color=ink, lw=1.8)
    exps = np.arange(0, int(np.floor(np.log10(losses.min()))) - 1, -5)
    ax.set_yticks([10.0**e for e in exps], [f"$10^{{{e}}}$" if e else "$1$" for e in exps], fontsize=MATH)
    ax.minorticks_off()
    ax.set_xticks(STEP_TICKS, [str(t) for t in STEP_TICKS])
    ax.set_xlabel("단계", fontsize=FONT)
    ax.set_title("손실", fontsize=TITLE)
    ax.tick_params(axis="x", labelsize=FONT)  # the y labels are mathtext, set in MATH above
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    ax = fig.add_subplot(grid[1, 1:])
    for value in sorted(set(target.ravel().tolist())):
        ax.axhline(value, color=TARGET_COLOURS[value], lw=1, ls=":")
    for (r, c), value in np.ndenumerate(target):
        ax.plot(steps, kernels[:, r, c], color=TARGET_COLOURS[float(value)], lw=1.5)
    ax.set_yticks(sorted(TARGET_COLOURS), [_minus(f"{v:g}") for v in sorted(TARGET_COLOURS)])
    ax.set_xticks(STEP_TICKS, [str(t) for t in STEP_TICKS])
    ax.set_xlabel("단계", fontsize=FONT)
    ax.set_title("커널 원소 (점선: 소벨 x)", fontsize=TITLE)
    ax.tick_params(labelsize=FONT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig
