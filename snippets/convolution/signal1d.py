"""Signal-processing convolution and correlation in 1-D and 2-D, numpy only.

The 1-D functions follow numpy.convolve / numpy.correlate exactly; the 2-D
ones follow scipy.signal.convolve2d / correlate2d with zero fill.  Everything
is built from one idea: slide a window over the (zero-padded) input and take
a dot product with the kernel.  Real inputs only.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d"]

_MODES = ("full", "same", "valid")


def _check_mode(mode) -> None:
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be one of 'full', 'same', 'valid', got {mode!r}")


def _as_1d(a, name: str) -> np.ndarray:
    a = np.atleast_1d(np.asarray(a))
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} cannot be empty")
    return a


def _as_2d(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} cannot be empty")
    return a


def _correlate1d(a: np.ndarray, v: np.ndarray, mode: str) -> np.ndarray:
    """c[k] = sum_n a[n + k] * v[n] for len(a) >= len(v), numpy's padding per mode."""
    m = len(v)
    if mode == "valid":
        pad = (0, 0)
    elif mode == "same":
        pad = (m // 2, m - 1 - m // 2)  # numpy puts the extra zero on the left
    else:
        pad = (m - 1, m - 1)
    windows = sliding_window_view(np.pad(a, pad), m)  # (n_out, m), a view
    return windows @ v


# --8<-- [start:convolve]
def convolve(a, v, mode: str = "full") -> np.ndarray:
    """Discrete linear convolution (a * v)[n] = sum_m a[m] v[n - m], like numpy.convolve.

    a (N,), v (M,) -> "full" (N + M - 1,), "same" (max(N, M),),
    "valid" (max(N, M) - min(N, M) + 1,).

    >>> convolve([1, 2, 3], [0, 1, 0.5]).tolist()
    [0.0, 1.0, 2.5, 4.0, 1.5]
    """
    a, v = _as_1d(a, "a"), _as_1d(v, "v")
    _check_mode(mode)
    if len(v) > len(a):  # convolution commutes; numpy slides the shorter one
        a, v = v, a
    # Convolution is correlation with the flipped kernel.
    return _correlate1d(a, v[::-1], mode)
# --8<-- [end:convolve]


# --8<-- [start:correlate]
def correlate(a, v, mode: str = "valid") -> np.ndarray:
    """Cross-correlation c[k] = sum_n a[n + k] v[n], like numpy.correlate.

    a (N,), v (M,); output lengths as for convolve.  Unlike convolution,
    correlation does not commute: correlate(a, v) == correlate(v, a)[::-1],
    which is how numpy handles len(v) > len(a).

    >>> correlate([1, 2, 3, 4], [1, 0, -1], "same").tolist()
    [-2, -2, -2, 3]
    """
    a, v = _as_1d(a, "a"), _as_1d(v, "v")
    _check_mode(mode)
    if len(v) > len(a):
        return _correlate1d(v, a, mode)[::-1]
    return _correlate1d(a, v, mode)
# --8<-- [end:correlate]


def _correlate2d_valid(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Positions where k fits entirely inside x: (H - k_h + 1, W - k_w + 1)."""
    windows = sliding_window_view(x, k.shape)  # (H_out, W_out, k_h, k_w), a view
    return np.einsum("ijkl,kl->ij", windows, k)


def _correlate2d_full(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Every overlap of k with x, zero fill: (H + k_h - 1, W + k_w - 1)."""
    kh, kw = k.shape
    return _correlate2d_valid(np.pad(x, ((kh - 1, kh - 1), (kw - 1, kw - 1))), k)


def _valid_swap_needed(x_shape, k_shape) -> bool:
    """scipy's "valid" rule: the larger array (in every dimension) is the image."""
    x_fits = all(a >= b for a, b in zip(x_shape, k_shape))
    k_fits = all(b >= a for a, b in zip(x_shape, k_shape))
    if not (x_fits or k_fits):
        raise ValueError(
            "For 'valid' mode, one must be at least as large as the other in every "
            f"dimension, got shapes {tuple(x_shape)} and {tuple(k_shape)}"
        )
    return not x_fits


# --8<-- [start:convolve2d]
def convolve2d(x, k, mode: str = "full") -> np.ndarray:
    """2-D convolution with zero fill, like scipy.signal.convolve2d.

    x (H, W), k (k_h, k_w) -> "full" (H + k_h - 1, W + k_w - 1), "same" (H, W)
    centred like scipy (offset (k - 1) // 2 into the full result), "valid"
    (|H - k_h| + 1, |W - k_w| + 1), where one array must contain the other.
    """
    x, k = _as_2d(x, "x"), _as_2d(k, "k")
    _check_mode(mode)
    if mode == "valid":
        if _valid_swap_needed(x.shape, k.shape):
            x, k = k, x  # convolution commutes
        return _correlate2d_valid(x, k[::-1, ::-1])
    full = _correlate2d_full(x, k[::-1, ::-1])
    if mode == "full":
        return full
    top, left = (k.shape[0] - 1) // 2, (k.shape[1] - 1) // 2
    return full[top : top + x.shape[0], left : left + x.shape[1]]
# --8<-- [end:convolve2d]


# --8<-- [start:correlate2d]
def correlate2d(x, k, mode: str = "full") -> np.ndarray:
    """2-D cross-correlation with zero fill, like scipy.signal.correlate2d.

    out[i, j] = sum_{p, q} x[i + p, j + q] k[p, q] (indices shifted per mode).
    x (H, W), k (k_h, k_w); shapes as in convolve2d, but "same" is taken at
    offset k // 2 into the full result, and a swapped "valid" result is
    reversed, because correlation does not commute.
    """
    x, k = _as_2d(x, "x"), _as_2d(k, "k")
    _check_mode(mode)
    if mode == "valid":
        if _valid_swap_needed(x.shape, k.shape):
            return _correlate2d_valid(k, x)[::-1, ::-1]
        return _correlate2d_valid(x, k)
    full = _correlate2d_full(x, k)
    if mode == "full":
        return full
    top, left = k.shape[0] // 2, k.shape[1] // 2
    return full[top : top + x.shape[0], left : left + x.shape[1]]
# --8<-- [end:correlate2d]
