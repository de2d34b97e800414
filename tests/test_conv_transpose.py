"""conv_transpose1d / conv_transpose2d and transposed_output_size.

Oracles: the definition as a brute-force loop (every (input, tap) pair lands
on output i*S + t*D - P), the adjoint identity <conv(z), x> = <z, conv_T(x)>
with the forward conv, conv*_backward's input gradient, Dumoulin & Visin's
relationships, and torch when installed.  Shapes come from hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from snippets.convolution.backprop import conv1d_backward, conv2d_backward
from snippets.convolution.layers import conv2d, conv_transpose1d, conv_transpose2d
from snippets.convolution.shapes import output_size, transposed_output_size


def loop_transpose2d(x, w, b, s, p, a, d):
    """out[n, o, i*S + t*D - P, j*S + u*D - P] += x[n, c, i, j] * w[c, o, t, u], one term at a time."""
    n_batch, c_in, h, wd = x.shape
    c_out, kh, kw = w.shape[1:]
    oh = transposed_output_size(h, kh, s[0], p[0], a[0], d[0])
    ow = transposed_output_size(wd, kw, s[1], p[1], a[1], d[1])
    out = np.zeros((n_batch, c_out, oh, ow))
    for i in range(h):
        for j in range(wd):
            for t in range(kh):
                for u in range(kw):
                    r, q = i * s[0] + t * d[0] - p[0], j * s[1] + u * d[1] - p[1]
                    if 0 <= r < oh and 0 <= q < ow:
                        out[:, :, r, q] += x[:, :, i, j] @ w[:, :, t, u]
    return out + (0 if b is None else b[:, None, None])


@st.composite
def transpose_case(draw):
    def axis():
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        a = draw(st.integers(0, max(s, d) - 1))
        n = draw(st.integers(1, 5))
        full = (n - 1) * s + d * (k - 1) + a + 1
        p = draw(st.integers(0, max(0, (full - 1) // 2)))
        return n, k, s, p, a, d

    (h, kh, sh, ph, ah, dh), (wd, kw, sw, pw, aw, dw) = axis(), axis()
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x = rng.standard_normal((draw(st.integers(1, 2)), c_in, h, wd))
    w = rng.standard_normal((c_in, c_out, kh, kw))
    b = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, w, b, (sh, sw), (ph, pw), (ah, aw), (dh, dw)


@settings(max_examples=80, deadline=None)
@given(case=transpose_case())
def test_conv_transpose2d_matches_the_definition(case):
    x, w, b, s, p, a, d = case
    assert_allclose(conv_transpose2d(x, w, b, s, p, a, d), loop_transpose2d(x, w, b, s, p, a, d),
                    rtol=1e-12, atol=1e-12)
    # 1-D: one row of the 2-D case
    x1, w1 = x[:, :, 0], w[:, :, 0]
    want = loop_transpose2d(x1[:, :, None], w1[:, :, None], b, (1, s[1]), (0, p[1]), (0, a[1]), (1, d[1]))[:, :, 0]
    assert_allclose(conv_transpose1d(x1, w1, b, s[1], p[1], a[1], d[1]), want, rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=transpose_case())
def test_conv_transpose_is_the_adjoint_of_conv(case):
    x, w, _, s, p, a, d = case
    assume(a[0] < s[0] and a[1] < s[1])  # output_padding >= stride (allowed when < dilation) adds a row no conv maps back
    y = conv_transpose2d(x, w, None, s, p, a, d)
    # conv2d maps y's shape back to x's: w as (C_out_of_conv = C_in, C_in_of_conv = C_out, ...)
    z = np.random.default_rng(3).standard_normal(y.shape)
    forward = conv2d(z, w, stride=s, padding=p, dilation=d)
    assert forward.shape == x.shape
    assert_allclose(np.sum(forward * x), np.sum(z * y), rtol=1e-10, atol=1e-10)
    # the input gradient of that convolution is the transposed convolution
    assert_allclose(conv2d_backward(z, w, x, s, p, d)[0], y, rtol=1e-12, atol=1e-12)
    y1 = conv_transpose1d(x[:, :, 0], w[:, :, 0], None, s[1], p[1], a[1], d[1])
    z1 = z[:, :, 0]
    assert_allclose(conv1d_backward(z1, w[:, :, 0], x[:, :, 0], s[1], p[1], d[1])[0], y1, rtol=1e-12, atol=1e-12)


def test_the_notes_28_13_27_example():
    # Dumoulin & Visin, relationship 14: a = (i + 2p - k) mod s recovers the input size.
    n, k, s = 28, 3, 2
    o = output_size(n, k, s)
    assert o == 13
    assert transposed_output_size(o, k, s) == 27
    assert transposed_output_size(o, k, s, output_padding=(n - k) % s) == 28
    assert conv_transpose2d(np.zeros((1, 1, o, o)), np.zeros((1, 1, k, k)), stride=s, output_padding=1).shape[2:] == (28, 28)


# Dumoulin & Visin (2016), section 4: (i', k', s', p') of the transposed convolution -> o'.
@pytest.mark.parametrize(
    ("i", "k", "s", "p", "a", "expected"),
    [
        (2, 3, 1, 0, 0, 4),  # 4.1: no padding, unit strides, transposed (i=4 -> 2 -> 4)
        (6, 4, 1, 2, 0, 5),  # 4.2: padding 2, i'=6 -> o'=5
        (5, 3, 1, 1, 0, 5),  # 4.3: half padding
        (7, 3, 1, 2, 0, 5),  # 4.4: full padding
        (2, 3, 2, 0, 0, 5),  # 4.5: no padding, strides (i=5 -> 2 -> 5)
        (3, 3, 2, 1, 0, 5),  # 4.6: padding and strides
        (3, 3, 2, 1, 1, 6),  # 4.7: non-divisible: a = 1 gives back i = 6
    ],
)
def test_dumoulin_visin_transposed_relationships(i, k, s, p, a, expected):
    assert transposed_output_size(i, k, s, p, a) == expected


@settings(max_examples=200, deadline=None)
@given(m=st.integers(1, 40), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_transposed_size_inverts_output_size(m, k, s, p, d):
    if m + 2 * p < d * (k - 1) + 1:
        return
    n = output_size(m, k, s, p, d)
    # Every input size that a conv maps to n is reached by exactly one output_padding in [0, S) ...
    reached = []
    for a in range(s):
        try:
            reached.append(transposed_output_size(n, k, s, p, a, d))
        except ValueError:  # padding p > k can remove everything for the smaller a
            pass
    assert m in reached
    # ... namely Dumoulin & Visin's a = (m + 2p - d(k - 1) - 1) mod s
    assert transposed_output_size(n, k, s, p, (m + 2 * p - d * (k - 1) - 1) % s, d) == m


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 3, "k": 3, "stride": 2, "output_padding": 2}, "output_padding must be >= 0 and smaller"),
        ({"n": 3, "k": 3, "output_padding": -1}, "output_padding must be >= 0"),
        ({"n": 1, "k": 1, "padding": 1}, "removes the whole output"),
        ({"n": 0, "k": 3}, "input size must be >= 1"),
        ({"n": 3, "k": 3, "stride": 0}, "stride must be positive"),
    ],
)
def test_transposed_output_size_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        transposed_output_size(**kwargs)


def test_conv_transpose_bad_input():
    with pytest.raises(ValueError, match=r"w must be \(C_in, C_out, k_h, k_w\)"):
        conv_transpose2d(np.zeros((1, 2, 3, 3)), np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="x has 2 channels but w expects 3"):
        conv_transpose1d(np.zeros((1, 2, 3)), np.zeros((3, 1, 3)))
    with pytest.raises(ValueError, match="output_padding must be"):
        conv_transpose1d(np.zeros((1, 1, 3)), np.zeros((1, 1, 3)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"b must have shape \(C_out,\) = \(4,\)"):
        conv_transpose2d(np.zeros((1, 2, 3, 3)), np.zeros((2, 4, 3, 3)), b=np.zeros(2))


@settings(max_examples=40, deadline=None)
@given(case=transpose_case())
def test_against_torch(case):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    x, w, b, s, p, a, d = case
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = None if b is None else torch.from_numpy(b)
    out = functional.conv_transpose2d(tx, tw, tb, stride=s, padding=p, output_padding=a, dilation=d)
    assert_allclose(conv_transpose2d(x, w, b, s, p, a, d), out.detach().numpy(), rtol=1e-10, atol=1e-10)
    out1 = functional.conv_transpose1d(torch.from_numpy(x[:, :, 0].copy()), torch.from_numpy(w[:, :, 0].copy()), tb,
                                       stride=s[1], padding=p[1], output_padding=a[1], dilation=d[1])
    assert_allclose(conv_transpose1d(x[:, :, 0], w[:, :, 0], b, s[1], p[1], a[1], d[1]), out1.numpy(),
                    rtol=1e-10, atol=1e-10)
    # autograd: the input gradient of a transposed convolution is the ordinary convolution
    g = np.random.default_rng(4).standard_normal(out.shape)
    out.backward(torch.from_numpy(g))
    # (cropped: an output_padding >= stride adds a row the convolution maps past x's last row)
    dx = conv2d(g, w, stride=s, padding=p, dilation=d)[:, :, : x.shape[2], : x.shape[3]]
    assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(case=transpose_case())
def test_zero_insertion_then_full_convolution(case):
    # Dumoulin & Visin's picture, with scipy: insert S-1 zeros between inputs, run a full
    # convolution with the (dilated) kernel, cut P from each end, pad output_padding zeros at the end.
    from scipy import signal as scipy_signal

    x, w, _, s, p, a, d = case
    x1, w1, (s1, p1, a1, d1) = x[:, :, 0], w[:, :, 0], (s[1], p[1], a[1], d[1])
    n, k = x1.shape[2], w1.shape[2]
    zeros = np.zeros(x1.shape[:2] + ((n - 1) * s1 + 1,))
    zeros[:, :, ::s1] = x1
    wd = np.zeros(w1.shape[:2] + (d1 * (k - 1) + 1,))
    wd[:, :, ::d1] = w1
    full = np.array([[sum(scipy_signal.convolve(zeros[b, c], wd[c, o], mode="full") for c in range(x1.shape[1]))
                      for o in range(w1.shape[1])] for b in range(x1.shape[0])])
    full = np.concatenate([full, np.zeros(full.shape[:2] + (a1,))], axis=2)
    want = full[:, :, p1 : full.shape[2] - p1]
    assert_allclose(conv_transpose1d(x1, w1, None, s1, p1, a1, d1), want, rtol=1e-12, atol=1e-12)
