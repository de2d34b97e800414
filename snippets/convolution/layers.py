"""Deep-learning convolution layers (cross-correlation) in numpy only.

Same layout and semantics as torch.nn.functional.conv1d / conv2d with
groups=1 and zero padding:

    x (N, C_in, L)     w (C_out, C_in, k)         -> (N, C_out, L_out)
    x (N, C_in, H, W)  w (C_out, C_in, k_h, k_w)  -> (N, C_out, H_out, W_out)

with L_out = floor((L + 2 * padding - dilation * (k - 1) - 1) / stride) + 1 per
spatial axis; stride, padding (per side) and dilation are an int or a tuple.

conv_transpose1d / conv_transpose2d follow torch's conv_transpose1d / 2d
(groups=1): weights (C_in, C_out, k...), and per spatial axis
L_out = (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["conv1d", "conv2d", "conv2d_naive", "im2col", "conv_transpose1d", "conv_transpose2d"]


def _ntuple(name: str, value, n: int) -> tuple[int, ...]:
    """An int or a length-n sequence of ints -> tuple of n ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(operator.index(v) for v in value)
    return (operator.index(value),) * n


def _hyper(stride, padding, dilation, n: int):
    """Validated (stride, padding, dilation) tuples for n spatial axes."""
    stride = _ntuple("stride", stride, n)
    padding = _ntuple("padding", padding, n)
    dilation = _ntuple("dilation", dilation, n)
    if any(s <= 0 for s in stride):
        raise ValueError(f"stride must be positive, got {stride if n > 1 else stride[0]}")
    if any(d <= 0 for d in dilation):
        raise ValueError(f"dilation must be positive, got {dilation if n > 1 else dilation[0]}")
    if any(p < 0 for p in padding):
        raise ValueError(f"padding must be >= 0, got {padding if n > 1 else padding[0]}")
    return stride, padding, dilation


def _out_size(n: int, k: int, s: int, p: int, d: int, axis: str) -> int:
    """floor((n + 2p - d(k - 1) - 1) / s) + 1, or a ValueError if the kernel does not fit."""
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        raise ValueError(
            f"input {axis} {n} (+ padding {p} per side) is smaller than the dilated "
            f"kernel {axis} {span} (kernel {k}, dilation {d})"
        )
    return (n + 2 * p - span) // s + 1


def _check_shapes(x, w, layout: str, w_layout: str, nd: int, w_in_axis: int = 1):
    """x and w as arrays of nd + 2 axes whose input channels agree (w's axis `w_in_axis`)."""
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != nd + 2:
        raise ValueError(f"x must be {layout}, got shape {x.shape}")
    if w.ndim != nd + 2:
        raise ValueError(f"w must be {w_layout}, got shape {w.shape}")
    if x.shape[1] != w.shape[w_in_axis]:
        raise ValueError(f"x has {x.shape[1]} channels but w expects {w.shape[w_in_axis]}")
    return x, w


def _check_args(x, w, b, layout: str, w_layout: str, nd: int):
    """Arrays with a common float dtype, or a ValueError naming the problem."""
    x, w = _check_shapes(x, w, layout, w_layout, nd)
    if any(k <= 0 for k in w.shape[2:]) or w.shape[0] == 0:
        raise ValueError(f"w must have positive sizes, got shape {w.shape}")
    # float32 stays float32 (fast BLAS); integers become float64.
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    if b is not None:
        b = np.asarray(b)
        if b.shape != (w.shape[0],):
            raise ValueError(f"b must have shape (C_out,) = ({w.shape[0]},), got shape {b.shape}")
        dtype = np.result_type(dtype, b.dtype)
        b = b.astype(dtype, copy=False)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b


def _pad2d(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    if ph == 0 and pw == 0:
        return x  # skip the copy
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


# --8<-- [start:conv2d_naive]
def conv2d_naive(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution (cross-correlation) with explicit loops: the definition, slowly.

    out[n, o, i, j] = b[o] + sum_{c, p, q} x_pad[n, c, i*S_H + p*D_H, j*S_W + q*D_W] * w[o, c, p, q]

    x (N, C_in, H, W), w (C_out, C_in, k_h, k_w), b (C_out,) or None
    -> (N, C_out, H_out, W_out).

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d_naive(x, np.ones((1, 1, 2, 2)), stride=2).tolist()
    [[[[10.0, 18.0], [42.0, 50.0]]]]
    """
    x, w, b = _check_args(x, w, b, "(N, C_in, H, W)", "(C_out, C_in, k_h, k_w)", 2)
    (sh, sw), (ph, pw), (dh, dw) = _hyper(stride, padding, dilation, 2)
    n_batch, _, height, width = x.shape
    c_out, _, kh, kw = w.shape
    oh = _out_size(height, kh, sh, ph, dh, "height")
    ow = _out_size(width, kw, sw, pw, dw, "width")
    xp = _pad2d(x, ph, pw)
    out = np.zeros((n_batch, c_out, oh, ow), dtype=x.dtype)
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(oh):
                for j in range(ow):
                    # The patch this output sees: kernel taps are d apart, windows s apart.
                    top, left = i * sh, j * sw
                    patch = xp[n, :, top : top + dh * (kh - 1) + 1 : dh, left : left + dw * (kw - 1) + 1 : dw]
                    out[n, o, i, j] = np.sum(patch * w[o])
            if b is not None:
                out[n, o] += b[o]
    return out
# --8<-- [end:conv2d_naive]


# --8<-- [start:im2col]
def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Unfold every sliding patch of x into a column, like torch.nn.functional.unfold.

    x (N, C_in, H, W) -> (N, C_in*k_h*k_w, H_out*W_out).  Rows run
    channel-major, then kernel row, then kernel column; columns run over
    output positions row by row.

    >>> im2col(np.arange(9.0).reshape(1, 1, 3, 3), 2)[0].tolist()
    [[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C_in, H, W), got shape {x.shape}")
    kh, kw = _ntuple("kernel_size", kernel_size, 2)
    if kh <= 0 or kw <= 0:
        raise ValueError(f"kernel_size must be positive, got {(kh, kw)}")
    (sh, sw), (ph, pw), (dh, dw) = _hyper(stride, padding, dilation, 2)
    n, c, height, width = x.shape
    oh = _out_size(height, kh, sh, ph, dh, "height")
    ow = _out_size(width, kw, sw, pw, dw, "width")
    xp = _pad2d(x, ph, pw)
    # A view, no copy yet: every window the dilated kernel's span covers ...
    windows = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    # ... keeping every s-th window and every d-th tap: (N, C, H_out, W_out, k_h, k_w).
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]
    # The one copy: reorder to (N, C, k_h, k_w, H_out, W_out) and flatten.
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)
# --8<-- [end:im2col]


# --8<-- [start:conv2d]
def conv2d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution (cross-correlation) as one matrix product per image, like torch's conv2d.

    x (N, C_in, H, W), w (C_out, C_in, k_h, k_w), b (C_out,) or None
    -> (N, C_out, H_out, W_out).  im2col turns the sliding dot products into
    (C_out, C_in*k_h*k_w) @ (C_in*k_h*k_w, H_out*W_out) per image, which BLAS
    does fast.

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2).tolist()
    [[[[10.0, 18.0], [42.0, 50.0]]]]
    """
    x, w, b = _check_args(x, w, b, "(N, C_in, H, W)", "(C_out, C_in, k_h, k_w)", 2)
    (sh, sw), (ph, pw), (dh, dw) = _hyper(stride, padding, dilation, 2)
    n, _, height, width = x.shape
    c_out, _, kh, kw = w.shape
    oh = _out_size(height, kh, sh, ph, dh, "height")
    ow = _out_size(width, kw, sw, pw, dw, "width")
    w_mat = w.reshape(c_out, -1)  # (C_out, C_in*k_h*k_w), same row order as im2col
    out = np.empty((n, c_out, oh * ow), dtype=x.dtype)
    # One image at a time: its column matrix stays in cache for the matmul,
    # faster than unfolding the whole batch at once.
    for i in range(n):
        cols = im2col(x[i : i + 1], (kh, kw), (sh, sw), (ph, pw), (dh, dw))[0]  # (C_in*k_h*k_w, H_out*W_out)
        np.matmul(w_mat, cols, out=out[i])
    if b is not None:
        out += b[:, None]
    return out.reshape(n, c_out, oh, ow)
# --8<-- [end:conv2d]


# --8<-- [start:conv1d]
def conv1d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """1-D convolution (cross-correlation), like torch.nn.functional.conv1d.

    out[n, o, i] = b[o] + sum_{c, k} x_pad[n, c, i*s + k*d] * w[o, c, k]

    x (N, C_in, L), w (C_out, C_in, k), b (C_out,) or None -> (N, C_out, L_out).

    >>> x = np.arange(6.0).reshape(1, 1, 6)
    >>> conv1d(x, np.array([[[1.0, 0.0, -1.0]]]), stride=2, padding=1).tolist()
    [[[-1.0, -2.0, -2.0]]]
    """
    x, w, b = _check_args(x, w, b, "(N, C_in, L)", "(C_out, C_in, k)", 1)
    (s,), (p,), (d,) = _hyper(stride, padding, dilation, 1)
    k = w.shape[2]
    _out_size(x.shape[2], k, s, p, d, "length")  # validates
    xp = np.pad(x, ((0, 0), (0, 0), (p, p))) if p else x
    # (N, C_in, L_out, k): every s-th window, every d-th tap inside it (a view).
    windows = sliding_window_view(xp, d * (k - 1) + 1, axis=2)[:, :, ::s, ::d]
    out = np.einsum("nclk,ock->nol", windows, w, optimize=True)
    if b is not None:
        out = out + b[:, None]
    return np.ascontiguousarray(out)
# --8<-- [end:conv1d]


def _transposed_args(x, w, b, stride, padding, output_padding, dilation, nd: int):
    """Validated arrays and (stride, padding, output_padding, dilation, output size) per axis."""
    names = ("L",) if nd == 1 else ("H", "W")
    ks = ("K",) if nd == 1 else ("k_h", "k_w")
    # transposed weights are (C_in, C_out, k...): the input channels are w's axis 0
    x, w = _check_shapes(x, w, f"(N, C_in, {', '.join(names)})", f"(C_in, C_out, {', '.join(ks)})", nd,
                         w_in_axis=0)
    stride, padding, dilation = _hyper(stride, padding, dilation, nd)
    output_padding = _ntuple("output_padding", output_padding, nd)
    sizes = []
    for n, k, s, p, a, d in zip(x.shape[2:], w.shape[2:], stride, padding, output_padding, dilation):
        if not 0 <= a < max(s, d):
            raise ValueError(f"output_padding must be >= 0 and smaller than stride or dilation, got {a}")
        size = (n - 1) * s - 2 * p + d * (k - 1) + a + 1
        if size <= 0:
            raise ValueError(f"padding {p} removes the whole output (it would have size {size})")
        sizes.append(size)
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    if b is not None:
        b = np.asarray(b)
        if b.shape != (w.shape[1],):
            raise ValueError(f"b must have shape (C_out,) = ({w.shape[1]},), got shape {b.shape}")
        dtype = np.result_type(dtype, b.dtype)
        b = b.astype(dtype, copy=False)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b, stride, padding, dilation, sizes


# --8<-- [start:conv_transpose1d]
def conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """1-D transposed convolution, like torch.nn.functional.conv_transpose1d.

    x (N, C_in, L), w (C_in, C_out, k), b (C_out,) or None -> (N, C_out, L_out) with
    L_out = (L - 1)*s - 2p + d(k - 1) + output_padding + 1.  Input i adds
    x[i] * w (taps d apart) to the full output starting at i*s; padding then
    cuts p positions off each end.  This is the adjoint of conv1d: the map
    that multiplies by M^T where conv1d multiplies by M.

    >>> conv_transpose1d(np.array([[[1.0, 2.0]]]), np.array([[[1.0, 1.0, 1.0]]]), stride=2)
    array([[[1., 1., 3., 2., 2.]]])
    """
    x, w, b, (s,), (p,), (d,), (o,) = _transposed_args(x, w, b, stride, padding, output_padding, dilation, 1)
    n_batch, _, length = x.shape
    k = w.shape[2]
    # The full result, long enough for the output_padding positions past its end (they stay 0).
    full = np.zeros((n_batch, w.shape[1], max((length - 1) * s + d * (k - 1) + 1, o + p)), dtype=x.dtype)
    for t in range(k):
        # Tap t of every input's copy of the kernel lands on t*d + i*s, i = 0..L-1.
        full[:, :, t * d : t * d + (length - 1) * s + 1 : s] += np.einsum("nci,co->noi", x, w[:, :, t])
    out = full[:, :, p : p + o]
    return out + b[:, None] if b is not None else out
# --8<-- [end:conv_transpose1d]


# --8<-- [start:conv_transpose2d]
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """2-D transposed convolution, like torch.nn.functional.conv_transpose2d.

    x (N, C_in, H, W), w (C_in, C_out, k_h, k_w), b (C_out,) or None
    -> (N, C_out, H_out, W_out), per axis H_out = (H - 1)*s - 2p + d(k - 1) + output_padding + 1.
    Each input pixel adds its value times the kernel to the output, at
    (i*S_H, j*S_W); padding then cuts p rows / columns off each border.

    >>> conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _transposed_args(
        x, w, b, stride, padding, output_padding, dilation, 2
    )
    n_batch, _, height, width = x.shape
    kh, kw = w.shape[2:]
    full_h = max((height - 1) * sh + dh * (kh - 1) + 1, oh + ph)
    full_w = max((width - 1) * sw + dw * (kw - 1) + 1, ow + pw)
    full = np.zeros((n_batch, w.shape[1], full_h, full_w), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p * dh, p * dh + (height - 1) * sh + 1, sh)
            cols = slice(q * dw, q * dw + (width - 1) * sw + 1, sw)
            full[:, :, rows, cols] += np.einsum("ncij,co->noij", x, w[:, :, p, q])
    out = full[:, :, ph : ph + oh, pw : pw + ow]
    return out + b[:, None, None] if b is not None else out
# --8<-- [end:conv_transpose2d]
