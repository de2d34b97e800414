"""Backpropagation through conv1d / conv2d, written as the textbook derivation, numpy only.

For out = conv(x, w) + b (cross-correlation, PyTorch layout, zero padding p,
stride s, dilation d) and an upstream gradient grad_out = dL/d(out):

    dx = full convolution of the zero-inserted grad_out with the kernel
       = correlation of the (padded) zero-inserted grad_out with the flipped
         kernel, channels in/out swapped; then crop the padding p
    dw = correlation of the padded input with the zero-inserted grad_out
         (the kernel's dilation d becomes the stride of this correlation)
    db = sum of grad_out over the batch and spatial axes

"Zero-inserted" undoes the stride: see dilate_grad.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["dilate_grad", "conv1d_backward", "conv2d_backward"]


def _ntuple(name: str, value, n: int) -> tuple[int, ...]:
    """An int or a length-n sequence of ints -> tuple of n ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(operator.index(v) for v in value)
    return (operator.index(value),) * n


def _check(x, w, grad_out, stride, padding, dilation, nd: int):
    """Validated arrays (common float dtype) and hyper-parameter tuples."""
    layout, w_layout = (
        ("(N, C_in, L)", "(C_out, C_in, k)") if nd == 1 else ("(N, C_in, H, W)", "(C_out, C_in, k_h, k_w)")
    )
    x, w, g = np.asarray(x), np.asarray(w), np.asarray(grad_out)
    if x.ndim != nd + 2:
        raise ValueError(f"x must be {layout}, got shape {x.shape}")
    if w.ndim != nd + 2:
        raise ValueError(f"w must be {w_layout}, got shape {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but w expects {w.shape[1]}")
    stride = _ntuple("stride", stride, nd)
    padding = _ntuple("padding", padding, nd)
    dilation = _ntuple("dilation", dilation, nd)
    if any(s <= 0 for s in stride):
        raise ValueError(f"stride must be positive, got {stride}")
    if any(d <= 0 for d in dilation):
        raise ValueError(f"dilation must be positive, got {dilation}")
    if any(p < 0 for p in padding):
        raise ValueError(f"padding must be >= 0, got {padding}")
    out_shape = [x.shape[0], w.shape[0]]
    for n, k, s, p, d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation):
        span = d * (k - 1) + 1
        if n + 2 * p < span:
            raise ValueError(
                f"input size {n} (+ padding {p} per side) is smaller than the dilated "
                f"kernel size {span} (kernel {k}, dilation {d})"
            )
        out_shape.append((n + 2 * p - span) // s + 1)
    if g.shape != tuple(out_shape):
        raise ValueError(f"grad_out must have the forward output's shape {tuple(out_shape)}, got {g.shape}")
    dtype = np.result_type(x.dtype, w.dtype, g.dtype, np.float32)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), g.astype(dtype, copy=False), stride, padding, dilation


# --8<-- [start:dilate_grad]
def dilate_grad(grad_out, stride) -> np.ndarray:
    """Insert (stride - 1) zeros between neighbouring entries of grad_out along each spatial axis.

    grad_out (N, C, L_out) or (N, C, H_out, W_out) -> spatial size (L_out - 1) * stride + 1.
    A strided convolution is a stride-1 convolution that keeps only every
    s-th output; the outputs it dropped get zero gradient, and this puts
    them back.  Inserting zeros between inputs and then running a stride-1
    convolution is exactly how a transposed ("fractionally strided")
    convolution works: dx is the transposed convolution of grad_out with w.

    >>> dilate_grad(np.array([[[1.0, 2.0, 3.0]]]), 2).tolist()
    [[[1.0, 0.0, 2.0, 0.0, 3.0]]]
    """
    g = np.asarray(grad_out)
    strides = _ntuple("stride", stride, g.ndim - 2)
    shape = g.shape[:2] + tuple((o - 1) * s + 1 for o, s in zip(g.shape[2:], strides))
    out = np.zeros(shape, dtype=g.dtype)
    out[(..., *(slice(None, None, s) for s in strides))] = g
    return out
# --8<-- [end:dilate_grad]


def _correlate1d(x, k, stride: int, dilation: int) -> np.ndarray:
    """No-padding multi-channel correlation: x (N, C_in, L), k (C_out, C_in, k) -> (N, C_out, L_out)."""
    span = dilation * (k.shape[2] - 1) + 1
    windows = sliding_window_view(x, span, axis=2)[:, :, ::stride, ::dilation]  # (N, C_in, L_out, k)
    return np.einsum("ncik,ock->noi", windows, k, optimize=True)


def _correlate2d(x, k, stride, dilation) -> np.ndarray:
    """No-padding multi-channel correlation: x (N, C_in, H, W), k (C_out, C_in, k_h, k_w) -> (N, C_out, H_out, W_out)."""
    (sh, sw), (dh, dw) = stride, dilation
    kh, kw = k.shape[2:]
    windows = sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C_in, H_out, W_out, k_h, k_w)
    return np.einsum("ncijpq,ocpq->noij", windows, k, optimize=True)


# --8<-- [start:conv1d_backward]
def conv1d_backward(x, w, grad_out, stride=1, padding=0, dilation=1):
    """Gradients (dx, dw, db) of L = sum(grad_out * conv1d(x, w, b, stride, padding, dilation)).

    x (N, C_in, L), w (C_out, C_in, k), grad_out (N, C_out, L_out)
    -> dx (N, C_in, L), dw (C_out, C_in, k), db (C_out,).

    >>> dx, dw, db = conv1d_backward([[[1, 2, -1, 3, 0]]], [[[2, -1, 1]]], [[[1, -2, 3]]])
    >>> dx.tolist(), dw.tolist(), db.tolist()
    ([[[2.0, -5.0, 9.0, -5.0, 3.0]]], [[[-6.0, 13.0, -7.0]]], [2.0])
    """
    x, w, g, (s,), (p,), (d,) = _check(x, w, grad_out, stride, padding, dilation, nd=1)
    length, k = x.shape[2], w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p)))
    gd = dilate_grad(g, s)  # (N, C_out, G), G = (L_out - 1) * s + 1
    used = gd.shape[2] + d * (k - 1)  # xp[:, :, used:] never reached an output

    # dx: full convolution of gd with w = correlate the padded gd with flipped w.
    halo = d * (k - 1)
    gd_padded = np.pad(gd, ((0, 0), (0, 0), (halo, halo)))
    w_flipped = w[:, :, ::-1].transpose(1, 0, 2)  # (C_in, C_out, k)
    dxp = np.zeros_like(xp)
    dxp[:, :, :used] = _correlate1d(gd_padded, w_flipped, 1, d)
    dx = dxp[:, :, p : p + length]  # gradient w.r.t. the padding is dropped

    # dw[o, c, k] = sum_{n, t} gd[n, o, t] xp[n, c, t + k*d]: batch plays the channel role.
    dw = _correlate1d(xp[:, :, :used].transpose(1, 0, 2), gd.transpose(1, 0, 2), d, 1).transpose(1, 0, 2)

    db = g.sum(axis=(0, 2))
    return dx, dw, db
# --8<-- [end:conv1d_backward]


# --8<-- [start:conv2d_backward]
def conv2d_backward(x, w, grad_out, stride=1, padding=0, dilation=1):
    """Gradients (dx, dw, db) of L = sum(grad_out * conv2d(x, w, b, stride, padding, dilation)).

    x (N, C_in, H, W), w (C_out, C_in, k_h, k_w), grad_out (N, C_out, H_out, W_out)
    -> dx (N, C_in, H, W), dw (C_out, C_in, k_h, k_w), db (C_out,).

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> dx, dw, db = conv2d_backward(x, np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)))
    >>> dx[0, 0].tolist()
    [[1.0, 2.0, 2.0, 1.0], [2.0, 4.0, 4.0, 2.0], [2.0, 4.0, 4.0, 2.0], [1.0, 2.0, 2.0, 1.0]]
    >>> dw.tolist(), db.tolist()
    ([[[[45.0, 54.0], [81.0, 90.0]]]], [9.0])
    """
    x, w, g, (sh, sw), (ph, pw), (dh, dw_) = _check(x, w, grad_out, stride, padding, dilation, nd=2)
    height, width = x.shape[2:]
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    gd = dilate_grad(g, (sh, sw))  # (N, C_out, G_H, G_W)
    # Rows/columns of xp past these were never reached when H + 2p - d(k - 1) - 1
    # is not a multiple of s; their gradient stays 0.
    used_h, used_w = gd.shape[2] + dh * (kh - 1), gd.shape[3] + dw_ * (kw - 1)

    # dx: full convolution of gd with w = correlate the padded gd with flipped w.
    halo_h, halo_w = dh * (kh - 1), dw_ * (kw - 1)
    gd_padded = np.pad(gd, ((0, 0), (0, 0), (halo_h, halo_h), (halo_w, halo_w)))
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C_in, C_out, k_h, k_w)
    dxp = np.zeros_like(xp)
    dxp[:, :, :used_h, :used_w] = _correlate2d(gd_padded, w_flipped, (1, 1), (dh, dw_))
    dx = dxp[:, :, ph : ph + height, pw : pw + width]  # gradient w.r.t. the padding is dropped

    # dw[o, c, p, q] = sum_{n, i, j} gd[n, o, i, j] xp[n, c, i + p*D_H, j + q*D_W]:
    # correlate xp with gd, batch in the channel role, stride d.
    xp_used = xp[:, :, :used_h, :used_w].transpose(1, 0, 2, 3)  # (C_in, N, ., .)
    dw = _correlate2d(xp_used, gd.transpose(1, 0, 2, 3), (dh, dw_), (1, 1)).transpose(1, 0, 2, 3)

    db = g.sum(axis=(0, 2, 3))
    return dx, dw, db
# --8<-- [end:conv2d_backward]
