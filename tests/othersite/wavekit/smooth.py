"""Moving averages of 1-D signals, shape (N,)."""

import numpy as np

WIDTH = 3


def _kernel(width):
    return np.full(width, 1.0 / width)


# --8<-- [start:moving-average]
def moving_average(x, width=WIDTH):
    """Mean of each window of `width` samples of x, shape (N - width + 1,)."""
    return np.convolve(np.asarray(x, dtype=float), _kernel(width), mode="valid")
# --8<-- [end:moving-average]


def smoothed_sum():
    """Sum of the moving average of 1..5: 3 windows with means 2, 3, 4."""
    return moving_average([1, 2, 3, 4, 5]).sum()


def plot_moving_average():
    """A noisy ramp and its moving average."""
    from matplotlib.figure import Figure

    x = np.linspace(0.0, 1.0, 40) + 0.1 * np.sin(np.arange(40) * 1.7)
    fig = Figure(figsize=(4, 2.5))
    ax = fig.subplots()
    ax.plot(x, label="signal")
    ax.plot(np.arange(WIDTH - 1, 40), moving_average(x), label="moving average")
    ax.legend()
    return fig
