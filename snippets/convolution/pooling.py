"""Max and average pooling on (N, C, H, W) and their backward passes, numpy only.

Same semantics as torch.nn.functional.max_pool2d / avg_pool2d with
dilation=1, ceil_mode=False and (for avg) count_include_pad=True:

    x (N, C, H, W) -> (N, C, H_out, W_out),  H_out = floor((H + 2p - k) / s) + 1

per spatial axis.  kernel_size, stride (default: kernel_size) and padding
(per side, at most half the kernel) are an int or a pair.  Each channel is
pooled on its own: pooling has no weights.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward"]


def _pair(name: str, value) -> tuple[int, int]:
    """An int or a pair of ints -> (int, int)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a tuple of 2 ints, got {value!r}")
        return operator.index(value[0]), operator.index(value[1])
    v = operator.index(value)
    return v, v


def _pool_args(x, kernel_size, stride, padding):
    """Validated x (N, C, H, W) and the (kernel, stride, padding, output) pairs of the pooling."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    k = _pair("kernel_size", kernel_size)
    s = k if stride is None else _pair("stride", stride)
    p = _pair("padding", padding)
    if min(k) <= 0:
        raise ValueError(f"kernel_size must be positive, got {k}")
    if min(s) <= 0:
        raise ValueError(f"stride must be positive, got {s}")
    if min(p) < 0 or p[0] > k[0] // 2 or p[1] > k[1] // 2:
        # A window made of padding alone would have no input to pool (torch has the same rule).
        raise ValueError(f"padding must be >= 0 and at most half the kernel size, got {p} for kernel {k}")
    out = []
    for n, kk, ss, pp, axis in zip(x.shape[2:], k, s, p, ("height", "width")):
        if n + 2 * pp < kk:
            raise ValueError(f"input {axis} {n} (+ padding {pp} per side) is smaller than the kernel {axis} {kk}")
        out.append((n + 2 * pp - kk) // ss + 1)
    return x, k, s, p, tuple(out)


def _windows(xp: np.ndarray, k, s, out) -> np.ndarray:
    """(N, C, H_out, W_out, k_h, k_w) view of the windows of the padded input xp."""
    w = sliding_window_view(xp, k, axis=(2, 3))[:, :, :: s[0], :: s[1]]
    return w[:, :, : out[0], : out[1]]


# --8<-- [start:max_pool2d]
def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Largest value of each k_h x k_w window, windows s apart, like torch's max_pool2d.

    x (N, C, H, W) -> (N, C, H_out, W_out).  Padding is -inf, so it never wins.

    >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x, k, s, p, out = _pool_args(x, kernel_size, stride, padding)
    x = x.astype(np.result_type(x.dtype, np.float32), copy=False)  # -inf needs a float
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=-np.inf)
    return _windows(xp, k, s, out).max(axis=(4, 5))
# --8<-- [end:max_pool2d]


# --8<-- [start:avg_pool2d]
def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Mean of each k_h x k_w window, windows s apart, like torch's avg_pool2d.

    x (N, C, H, W) -> (N, C, H_out, W_out).  Padding zeros count in the mean
    (count_include_pad=True): every window divides by k_h * k_w.

    >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x, k, s, p, out = _pool_args(x, kernel_size, stride, padding)
    x = x.astype(np.result_type(x.dtype, np.float32), copy=False)
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    return _windows(xp, k, s, out).mean(axis=(4, 5))
# --8<-- [end:avg_pool2d]


def _check_grad(grad_out, x, out) -> np.ndarray:
    g = np.asarray(grad_out)
    want = x.shape[:2] + out
    if g.shape != want:
        raise ValueError(f"grad_out must have the forward output's shape {want}, got {g.shape}")
    return g


# --8<-- [start:max_pool2d_backward]
def max_pool2d_backward(x, grad_out, kernel_size, stride=None, padding=0) -> np.ndarray:
    """dL/dx of max_pool2d: each window's gradient goes to its arg-max, all others get 0.

    x (N, C, H, W), grad_out (N, C, H_out, W_out) -> dx (N, C, H, W).  On a tie the
    first maximum in row-major order wins (as in torch); overlapping windows
    (stride < kernel) add up at an input that is the maximum of several.

    >>> max_pool2d_backward(np.arange(4.0).reshape(1, 1, 2, 2), np.ones((1, 1, 1, 1)), 2)[0, 0]
    array([[0., 0.],
           [0., 1.]])
    """
    x, k, s, p, out = _pool_args(x, kernel_size, stride, padding)
    g = _check_grad(grad_out, x, out)
    dtype = np.result_type(x.dtype, g.dtype, np.float32)
    xp = np.pad(x.astype(dtype), ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=-np.inf)
    windows = _windows(xp, k, s, out)
    flat = windows.reshape(windows.shape[:4] + (-1,)).argmax(axis=4)  # (N, C, H_out, W_out)
    di, dj = np.divmod(flat, k[1])  # arg-max row and column inside the window
    rows = np.arange(out[0])[:, None] * s[0] + di  # ... and in the padded input
    cols = np.arange(out[1])[None, :] * s[1] + dj
    n, c = np.indices(x.shape[:2])[..., None, None]
    dxp = np.zeros(xp.shape, dtype=dtype)
    np.add.at(dxp, (n, c, rows, cols), g)  # add.at: a cell can win several windows
    return dxp[:, :, p[0] : p[0] + x.shape[2], p[1] : p[1] + x.shape[3]]
# --8<-- [end:max_pool2d_backward]


# --8<-- [start:avg_pool2d_backward]
def avg_pool2d_backward(x, grad_out, kernel_size, stride=None, padding=0) -> np.ndarray:
    """dL/dx of avg_pool2d: each window spreads its gradient evenly, 1/(k_h k_w) per cell.

    x (N, C, H, W), grad_out (N, C, H_out, W_out) -> dx (N, C, H, W).  The share of
    padding cells is dropped; overlapping windows add up.

    >>> avg_pool2d_backward(np.zeros((1, 1, 2, 2)), np.ones((1, 1, 1, 1)), 2)[0, 0]
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    x, k, s, p, out = _pool_args(x, kernel_size, stride, padding)
    g = _check_grad(grad_out, x, out)
    dtype = np.result_type(x.dtype, g.dtype, np.float32)
    hp, wp = x.shape[2] + 2 * p[0], x.shape[3] + 2 * p[1]
    dxp = np.zeros(x.shape[:2] + (hp, wp), dtype=dtype)
    share = g.astype(dtype) / (k[0] * k[1])
    # One strided slice per window cell: k_h * k_w small loops instead of one per window.
    for a in range(k[0]):
        for b in range(k[1]):
            dxp[:, :, a : a + (out[0] - 1) * s[0] + 1 : s[0], b : b + (out[1] - 1) * s[1] + 1 : s[1]] += share
    return dxp[:, :, p[0] : p[0] + x.shape[2], p[1] : p[1] + x.shape[3]]
# --8<-- [end:avg_pool2d_backward]
