"""conv1d_backward / conv2d_backward against central finite differences and a worked example.

The forward pass used for the finite differences is built from scipy.signal
(not from the library), so a shared mistake cannot hide.
"""

from __future__ import annotations

import numpy as np
from oracles import finite_difference
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import signal as scipy_signal

from snippets.convolution.backprop import conv1d_backward, conv2d_backward, dilate_grad


def _pair(v):
    return tuple(v) if isinstance(v, tuple) else (v, v)


def forward2d(x, w, b, stride, padding, dilation):
    """conv2d (PyTorch semantics) from scipy.signal.correlate2d, float64."""
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    c_out, c_in, kh, kw = w.shape
    w_dilated = np.zeros((c_out, c_in, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    w_dilated[:, :, ::dh, ::dw] = w
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return np.array(
        [
            [
                sum(scipy_signal.correlate2d(xp[n, c], w_dilated[o, c], mode="valid") for c in range(c_in))[::sh, ::sw]
                + b[o]
                for o in range(c_out)
            ]
            for n in range(x.shape[0])
        ]
    )


def forward1d(x, w, b, stride, padding, dilation):
    """conv1d (PyTorch semantics) from scipy.signal.correlate, float64."""
    c_out, c_in, k = w.shape
    w_dilated = np.zeros((c_out, c_in, dilation * (k - 1) + 1))
    w_dilated[:, :, ::dilation] = w
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    return np.array(
        [
            [
                sum(scipy_signal.correlate(xp[n, c], w_dilated[o, c], mode="valid") for c in range(c_in))[::stride]
                + b[o]
                for o in range(c_out)
            ]
            for n in range(x.shape[0])
        ]
    )


def numerical_grads(forward, x, w, b, grad_out, eps=1e-6):
    """Central differences of L = sum(grad_out * forward(x, w, b)) for every entry of x, w and b."""

    def loss(x_, w_, b_):
        return float(np.sum(grad_out * forward(x_, w_, b_)))

    grads = [finite_difference(lambda a: loss(a, w, b), x), finite_difference(lambda a: loss(x, a, b), w),
             finite_difference(lambda a: loss(x, w, a), b)]
    return grads


@st.composite
def backward2d_case(draw):
    n = draw(st.integers(1, 2))
    c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2))))
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2), st.integers(1, 2))))
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), dh * (kh - 1) + 4))
    w_ = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), dw * (kw - 1) + 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (
        rng.standard_normal((n, c_in, h, w_)),
        rng.standard_normal((c_out, c_in, kh, kw)),
        rng.standard_normal(c_out),
        stride,
        padding,
        dilation,
        rng,
    )


@settings(max_examples=40, deadline=None)
@given(case=backward2d_case())
def test_conv2d_backward_matches_finite_differences(case):
    x, w, b, stride, padding, dilation, rng = case
    out_shape = forward2d(x, w, b, stride, padding, dilation).shape
    grad_out = rng.standard_normal(out_shape)
    dx, dw, db = conv2d_backward(x, w, grad_out, stride=stride, padding=padding, dilation=dilation)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)
    num_dx, num_dw, num_db = numerical_grads(
        lambda x_, w_, b_: forward2d(x_, w_, b_, stride, padding, dilation), x, w, b, grad_out
    )
    # L is linear in each argument, so central differences are exact up to rounding.
    assert_allclose(dx, num_dx, rtol=1e-6, atol=1e-6)
    assert_allclose(dw, num_dw, rtol=1e-6, atol=1e-6)
    assert_allclose(db, num_db, rtol=1e-6, atol=1e-6)


@st.composite
def backward1d_case(draw):
    n = draw(st.integers(1, 2))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = draw(st.integers(1, 4))
    stride, padding, dilation = draw(st.integers(1, 3)), draw(st.integers(0, 3)), draw(st.integers(1, 3))
    length = draw(st.integers(max(1, dilation * (k - 1) + 1 - 2 * padding), dilation * (k - 1) + 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (
        rng.standard_normal((n, c_in, length)),
        rng.standard_normal((c_out, c_in, k)),
        rng.standard_normal(c_out),
        stride,
        padding,
        dilation,
        rng,
    )


@settings(max_examples=40, deadline=None)
@given(case=backward1d_case())
def test_conv1d_backward_matches_finite_differences(case):
    x, w, b, stride, padding, dilation, rng = case
    grad_out = rng.standard_normal(forward1d(x, w, b, stride, padding, dilation).shape)
    dx, dw, db = conv1d_backward(x, w, grad_out, stride=stride, padding=padding, dilation=dilation)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)
    num_dx, num_dw, num_db = numerical_grads(
        lambda x_, w_, b_: forward1d(x_, w_, b_, stride, padding, dilation), x, w, b, grad_out
    )
    assert_allclose(dx, num_dx, rtol=1e-6, atol=1e-6)
    assert_allclose(dw, num_dw, rtol=1e-6, atol=1e-6)
    assert_allclose(db, num_db, rtol=1e-6, atol=1e-6)


def test_worked_1d_example():
    # x = (X1..X5), kernel (W1, W2, W3), output O1..O3 with O1 = X1 W1 + X2 W2 + X3 W3, ...
    # and upstream gradients (d1, d2, d3) = dL/dO.
    X1, X2, X3, X4, X5 = 1.0, 2.0, 3.0, 4.0, 5.0
    W1, W2, W3 = 2.0, -1.0, 3.0
    d1, d2, d3 = 1.0, -2.0, 0.5
    x = np.array([[[X1, X2, X3, X4, X5]]])
    w = np.array([[[W1, W2, W3]]])
    grad_out = np.array([[[d1, d2, d3]]])
    dx, dw, db = conv1d_backward(x, w, grad_out)
    # X3 feeds O1 through W3, O2 through W2, O3 through W1: the kernel appears flipped.
    assert dx[0, 0, 2] == d1 * W3 + d2 * W2 + d3 * W1 == 6.0
    assert_array_equal(dx[0, 0], [d1 * W1, d1 * W2 + d2 * W1, 6.0, d2 * W3 + d3 * W2, d3 * W3])
    assert_array_equal(dx[0, 0], [2.0, -5.0, 6.0, -6.5, 1.5])
    # W1 multiplies X1 in O1, X2 in O2, X3 in O3.
    assert dw[0, 0, 0] == d1 * X1 + d2 * X2 + d3 * X3 == -1.5
    assert_array_equal(dw[0, 0], [-1.5, d1 * X2 + d2 * X3 + d3 * X4, d1 * X3 + d2 * X4 + d3 * X5])
    assert_array_equal(db, [d1 + d2 + d3])


def test_rows_the_stride_skips_get_zero_gradient():
    # H = 6, K = 3, S = 2, P = 0: windows start at rows 0 and 2, so row 5 (and column 5)
    # never reach an output: (6 - 3) is not a multiple of 2.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 6, 6))
    w = rng.standard_normal((3, 2, 3, 3))
    grad_out = rng.standard_normal((1, 3, 2, 2))
    dx, dw, _ = conv2d_backward(x, w, grad_out, stride=2)
    assert dx.shape == x.shape
    assert_array_equal(dx[:, :, 5, :], 0.0)
    assert_array_equal(dx[:, :, :, 5], 0.0)
    assert np.all(dx[:, :, 4, :4] != 0.0)
    num_dx, num_dw, _ = numerical_grads(
        lambda x_, w_, b_: forward2d(x_, w_, b_, 2, 0, 1), x, w, np.zeros(3), grad_out
    )
    assert_allclose(dx, num_dx, atol=1e-6)
    assert_allclose(dw, num_dw, atol=1e-6)


def test_dilate_grad_inserts_zeros():
    g = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    assert_array_equal(dilate_grad(g, 2)[0, 0], [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    assert_array_equal(dilate_grad(g, (1, 3))[0, 0], [[1, 0, 0, 2], [3, 0, 0, 4]])
    assert_array_equal(dilate_grad(np.array([[[1.0, 2.0, 3.0]]]), 2)[0, 0], [1, 0, 2, 0, 3])
    assert dilate_grad(g, 1) is not g and np.array_equal(dilate_grad(g, 1), g)


def test_backward_keeps_float32():
    x = np.ones((1, 2, 5, 5), np.float32)
    w = np.ones((3, 2, 3, 3), np.float32)
    g = np.ones((1, 3, 3, 3), np.float32)
    assert all(a.dtype == np.float32 for a in conv2d_backward(x, w, g))
    assert all(a.dtype == np.float32 for a in conv1d_backward(x[:, :, 0], w[:, :, 0], g[:, :, 0]))


@settings(max_examples=25, deadline=None)
@given(case=backward2d_case())
def test_against_torch_autograd(case):
    torch = pytest.importorskip("torch")
    x, w, b, stride, padding, dilation, rng = case
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    out = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding, dilation=dilation)
    grad_out = rng.standard_normal(tuple(out.shape))
    (out * torch.from_numpy(grad_out)).sum().backward()
    dx, dw, db = conv2d_backward(x, w, grad_out, stride=stride, padding=padding, dilation=dilation)
    assert_allclose(dx, tx.grad.numpy(), atol=1e-10)
    assert_allclose(dw, tw.grad.numpy(), atol=1e-10)
    assert_allclose(db, tb.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize(
    ("x", "w", "g", "kwargs", "match"),
    [
        (np.zeros((1, 2, 5, 5)), np.zeros((3, 2, 3, 3)), np.zeros((1, 3, 2, 2)), {}, r"grad_out must have the forward output's shape \(1, 3, 3, 3\)"),
        (np.zeros((1, 2, 5, 5)), np.zeros((3, 4, 3, 3)), np.zeros((1, 3, 3, 3)), {}, "x has 2 channels but w expects 4"),
        (np.zeros((2, 5, 5)), np.zeros((3, 2, 3, 3)), np.zeros((1, 3, 3, 3)), {}, r"x must be \(N, C_in, H, W\)"),
        (np.zeros((1, 2, 5, 5)), np.zeros((3, 2, 3, 3)), np.zeros((1, 3, 3, 3)), {"stride": 0}, "stride must be positive"),
        (np.zeros((1, 2, 2, 5)), np.zeros((3, 2, 3, 3)), np.zeros((1, 3, 1, 3)), {}, "smaller than the dilated kernel"),
    ],
)
def test_conv2d_backward_bad_input(x, w, g, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv2d_backward(x, w, g, **kwargs)


def test_conv1d_backward_bad_input():
    with pytest.raises(ValueError, match=r"x must be \(N, C_in, L\)"):
        conv1d_backward(np.zeros((2, 5, 5, 1)), np.zeros((3, 2, 3)), np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have the forward output's shape \(1, 3, 3\)"):
        conv1d_backward(np.zeros((1, 2, 5)), np.zeros((3, 2, 3)), np.zeros((1, 3, 4)))
