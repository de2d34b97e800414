"""conv1d / conv2d / im2col against an oracle built from scipy.signal, plus bad-input messages.

The oracle works per (sample, output channel): sum over input channels of
scipy.signal.correlate2d(padded input, kernel, "valid"), then keep every
stride-th output; dilation by writing the kernel out with zeros between taps.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import signal as scipy_signal

from snippets.convolution.layers import conv1d, conv2d, conv2d_naive, im2col


def _pair(v):
    return tuple(v) if isinstance(v, tuple) else (v, v)


def scipy_conv2d(x, w, b, stride, padding, dilation):
    """Deep-learning conv2d from scipy.signal.correlate2d, in float64."""
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    c_out, c_in, kh, kw = w.shape
    w_dilated = np.zeros((c_out, c_in, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    w_dilated[:, :, ::dh, ::dw] = w
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = []
    for n in range(x.shape[0]):
        maps = []
        for o in range(c_out):
            acc = sum(scipy_signal.correlate2d(xp[n, c], w_dilated[o, c], mode="valid") for c in range(c_in))
            maps.append(acc[::sh, ::sw] + (0.0 if b is None else b[o]))
        out.append(maps)
    return np.array(out)


def scipy_conv1d(x, w, b, stride, padding, dilation):
    """Deep-learning conv1d from scipy.signal.correlate (1-D, "valid"), in float64."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    c_out, c_in, k = w.shape
    w_dilated = np.zeros((c_out, c_in, dilation * (k - 1) + 1))
    w_dilated[:, :, ::dilation] = w
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    out = np.array(
        [
            [
                sum(scipy_signal.correlate(xp[n, c], w_dilated[o, c], mode="valid") for c in range(c_in))[::stride]
                + (0.0 if b is None else b[o])
                for o in range(c_out)
            ]
            for n in range(x.shape[0])
        ]
    )
    return out


def _tol(dtype):
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}


# --- hypothesis strategies --------------------------------------------------------


def _int_or_pair(lo, hi):
    return st.one_of(st.integers(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi)))


@st.composite
def conv2d_case(draw):
    n = draw(st.integers(1, 2))
    c_in = draw(st.integers(1, 3))
    c_out = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))  # non-square allowed
    stride = draw(_int_or_pair(1, 3))
    padding = draw(_int_or_pair(0, 2))
    dilation = draw(_int_or_pair(1, 3))
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    # Input at least as large as the dilated kernel once padded (sometimes exactly).
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), dh * (kh - 1) + 7))
    w_ = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), dw * (kw - 1) + 7))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with_bias = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, c_in, h, w_)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, kh, kw)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype) if with_bias else None
    return x, w, b, stride, padding, dilation


@st.composite
def conv1d_case(draw):
    n = draw(st.integers(1, 2))
    c_in = draw(st.integers(1, 3))
    c_out = draw(st.integers(1, 3))
    k = draw(st.integers(1, 5))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, 3))
    dilation = draw(st.integers(1, 3))
    length = draw(st.integers(max(1, dilation * (k - 1) + 1 - 2 * padding), dilation * (k - 1) + 9))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with_bias = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, c_in, length)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, k)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype) if with_bias else None
    # conv1d also takes 1-tuples, like torch.
    as_tuple = draw(st.booleans())
    if as_tuple:
        stride, padding, dilation = (stride,), (padding,), (dilation,)
    return x, w, b, stride, padding, dilation


# --- against the scipy oracle -----------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(case=conv2d_case())
def test_conv2d_matches_scipy_oracle(case):
    x, w, b, stride, padding, dilation = case
    got = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    expected = scipy_conv2d(x, w, b, stride, padding, dilation)
    assert got.dtype == x.dtype
    assert got.shape == expected.shape
    assert_allclose(got, expected, **_tol(x.dtype))


@settings(max_examples=80, deadline=None)
@given(case=conv1d_case())
def test_conv1d_matches_scipy_oracle(case):
    x, w, b, stride, padding, dilation = case
    got = conv1d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    unpack = (lambda v: v[0]) if isinstance(stride, tuple) else (lambda v: v)
    expected = scipy_conv1d(x, w, b, unpack(stride), unpack(padding), unpack(dilation))
    assert got.dtype == x.dtype
    assert got.shape == expected.shape
    assert_allclose(got, expected, **_tol(x.dtype))


@settings(max_examples=40, deadline=None)
@given(case=conv2d_case())
def test_conv2d_matches_naive_loops(case):
    x, w, b, stride, padding, dilation = case
    fast = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    slow = conv2d_naive(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert slow.dtype == fast.dtype
    assert_allclose(fast, slow, **_tol(x.dtype))


@settings(max_examples=40, deadline=None)
@given(case=conv2d_case())
def test_im2col_matches_direct_reading(case):
    x, w, _, stride, padding, dilation = case
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    kh, kw = w.shape[2:]
    cols = im2col(x, (kh, kw), stride, padding, dilation)
    n, c, h, w_ = x.shape
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w_ + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    assert cols.shape == (n, c * kh * kw, oh * ow)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    expected = np.empty_like(cols)
    for b in range(n):
        for ch in range(c):
            for p in range(kh):
                for q in range(kw):
                    row = (ch * kh + p) * kw + q  # channel-major, then kernel row, then column
                    for i in range(oh):
                        for j in range(ow):
                            expected[b, row, i * ow + j] = xp[b, ch, i * sh + p * dh, j * sw + q * dw]
    assert_array_equal(cols, expected)


def test_hand_worked_2x2_sum_kernel():
    # Each output is the sum of a 2x2 block of 0..15: x[i,j] + x[i,j+1] + x[i+1,j] + x[i+1,j+1]
    # = 4 * (4i + j) + 10.
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2))
    expected = [[10, 14, 18], [26, 30, 34], [42, 46, 50]]
    assert_array_equal(conv2d(x, w)[0, 0], expected)
    assert_array_equal(conv2d_naive(x, w)[0, 0], expected)
    # stride 2 keeps every other window; bias adds to all.
    assert_array_equal(conv2d(x, w, b=np.array([1.0]), stride=2)[0, 0], [[11, 19], [43, 51]])


def test_integer_input_becomes_float64():
    x = np.arange(16).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 3, 3), dtype=np.int64)
    assert conv2d(x, w).dtype == np.float64
    assert conv1d(x[:, :, 0], w[:, :, 0]).dtype == np.float64


# --- against torch, when it is installed (an extra: scipy is the main oracle) -----


@settings(max_examples=40, deadline=None)
@given(case=conv2d_case())
def test_against_torch(case):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    x, w, b, stride, padding, dilation = case
    tb = None if b is None else torch.from_numpy(b)
    expected = functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(w), tb, stride=stride, padding=padding, dilation=dilation
    ).numpy()
    assert_allclose(conv2d(x, w, b, stride, padding, dilation), expected, **_tol(x.dtype))
    unfolded = functional.unfold(
        torch.from_numpy(x), w.shape[2:], dilation=dilation, padding=padding, stride=stride
    ).numpy()
    assert_array_equal(im2col(x, w.shape[2:], stride, padding, dilation), unfolded)
    s1, p1, d1 = (_pair(v)[1] for v in (stride, padding, dilation))
    if x.shape[3] + 2 * p1 >= d1 * (w.shape[3] - 1) + 1:
        expected1 = functional.conv1d(
            torch.from_numpy(x[:, :, 0].copy()), torch.from_numpy(w[:, :, 0].copy()), tb,
            stride=s1, padding=p1, dilation=d1,
        ).numpy()
        assert_allclose(conv1d(x[:, :, 0], w[:, :, 0], b, s1, p1, d1), expected1, **_tol(x.dtype))


# --- bad input --------------------------------------------------------------------

X = np.zeros((2, 3, 5, 5))
W = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize("fn", [conv2d, conv2d_naive])
@pytest.mark.parametrize(
    ("x", "w", "kwargs", "match"),
    [
        (np.zeros((3, 5, 5)), W, {}, r"x must be \(N, C_in, H, W\), got shape \(3, 5, 5\)"),
        (X, np.zeros((4, 3, 3)), {}, r"w must be \(C_out, C_in, k_h, k_w\), got shape \(4, 3, 3\)"),
        (X, np.zeros((4, 2, 3, 3)), {}, "x has 3 channels but w expects 2"),
        (X, W, {"b": np.zeros(3)}, r"b must have shape \(C_out,\) = \(4,\), got shape \(3,\)"),
        (X, W, {"stride": 0}, "stride must be positive, got"),
        (X, W, {"stride": (1, -1)}, r"stride must be positive, got \(1, -1\)"),
        (X, W, {"dilation": 0}, "dilation must be positive"),
        (X, W, {"padding": -1}, "padding must be >= 0"),
        (X, W, {"padding": (1, 2, 3)}, "padding must be an int or a tuple of 2 ints"),
        (X, W, {"dilation": 3}, r"input height 5 \(\+ padding 0 per side\) is smaller than the dilated kernel height 7"),
        (np.zeros((1, 3, 5, 2)), W, {}, "input width 2 .* smaller than the dilated kernel width 3"),
    ],
)
def test_conv2d_bad_input(fn, x, w, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(x, w, **kwargs)


@pytest.mark.parametrize(
    ("x", "w", "kwargs", "match"),
    [
        (np.zeros((3, 5)), np.zeros((4, 3, 3)), {}, r"x must be \(N, C_in, L\), got shape \(3, 5\)"),
        (np.zeros((2, 3, 5)), np.zeros((4, 3, 3, 3)), {}, r"w must be \(C_out, C_in, k\)"),
        (np.zeros((2, 3, 5)), np.zeros((4, 4, 3)), {}, "x has 3 channels but w expects 4"),
        (np.zeros((2, 3, 5)), np.zeros((4, 3, 3)), {"stride": 0}, "stride must be positive"),
        (np.zeros((2, 3, 2)), np.zeros((4, 3, 3)), {}, "input length 2 .* smaller than the dilated kernel length 3"),
    ],
)
def test_conv1d_bad_input(x, w, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv1d(x, w, **kwargs)


def test_im2col_bad_input():
    with pytest.raises(ValueError, match=r"x must be \(N, C_in, H, W\)"):
        im2col(np.zeros((3, 5, 5)), 3)
    with pytest.raises(ValueError, match="smaller than the dilated kernel"):
        im2col(np.zeros((1, 1, 2, 2)), 3)
    with pytest.raises(ValueError, match="stride must be positive"):
        im2col(np.zeros((1, 1, 5, 5)), 3, stride=0)
