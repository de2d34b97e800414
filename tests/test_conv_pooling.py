"""pooling.py against brute-force loops, finite differences, torch (when installed) and hypothesis shapes."""

from __future__ import annotations

import numpy as np
from oracles import finite_difference
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from snippets.convolution.pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from snippets.convolution.shapes import output_size


def _pair(v):
    return tuple(v) if isinstance(v, tuple) else (v, v)


def loop_pool(x, k, s, p, reduce):
    """Pooling read off its definition: one window at a time, padding cells skipped or counted."""
    (kh, kw), (ph, pw) = _pair(k), _pair(p)
    sh, sw = _pair(k if s is None else s)
    n, c, h, w = x.shape
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            cells = [(i * sh + a - ph, j * sw + b - pw) for a in range(kh) for b in range(kw)]
            inside = [(r, q) for r, q in cells if 0 <= r < h and 0 <= q < w]
            vals = np.stack([x[:, :, r, q] for r, q in inside], axis=-1)
            if reduce == "max":
                out[:, :, i, j] = vals.max(axis=-1)
            else:  # count_include_pad: the zeros outside add nothing but count
                out[:, :, i, j] = vals.sum(axis=-1) / (kh * kw)
    return out


@st.composite
def pool_case(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k = draw(st.sampled_from([(kh, kw), kh]))
    kh, kw = _pair(k)
    s = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    p = (ph, pw) if draw(st.booleans()) or ph != pw else ph
    h = draw(st.integers(max(1, kh - 2 * ph), kh + 6))
    w = draw(st.integers(max(1, kw - 2 * pw), kw + 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w))
    return x, k, s, p


@settings(max_examples=80, deadline=None)
@given(case=pool_case())
def test_pooling_matches_loops(case):
    x, k, s, p = case
    assert_allclose(max_pool2d(x, k, s, p), loop_pool(x, k, s, p, "max"), rtol=0, atol=0)
    assert_allclose(avg_pool2d(x, k, s, p), loop_pool(x, k, s, p, "avg"), rtol=1e-12, atol=1e-12)
    # output size is eq. (6) with D = 1
    (kh, kw), (sh, sw), (ph, pw) = _pair(k), _pair(k if s is None else s), _pair(p)
    assert max_pool2d(x, k, s, p).shape[2:] == (output_size(x.shape[2], kh, sh, ph),
                                                output_size(x.shape[3], kw, sw, pw))



@settings(max_examples=30, deadline=None)
@given(case=pool_case())
def test_backward_matches_finite_differences(case):
    x, k, s, p = case
    rng = np.random.default_rng(1)
    g = rng.standard_normal(max_pool2d(x, k, s, p).shape)
    # Random normal inputs have no ties, so max pooling is differentiable there.
    dx = max_pool2d_backward(x, g, k, s, p)
    assert_allclose(dx, finite_difference(lambda a: float(np.sum(g * max_pool2d(a, k, s, p))), x), atol=1e-6)
    dx = avg_pool2d_backward(x, g, k, s, p)
    assert_allclose(dx, finite_difference(lambda a: float(np.sum(g * avg_pool2d(a, k, s, p))), x), atol=1e-6)


def test_max_pool_routes_to_the_argmax_by_hand():
    x = np.array([[1.0, 3.0, 2.0, 0.0],
                  [4.0, 2.0, 1.0, 5.0],
                  [0.0, 1.0, 7.0, 2.0],
                  [3.0, 6.0, 1.0, 1.0]])[None, None]
    assert_array_equal(max_pool2d(x, 2)[0, 0], [[4, 5], [6, 7]])
    assert_array_equal(avg_pool2d(x, 2)[0, 0], [[2.5, 2], [2.5, 2.75]])
    dx = max_pool2d_backward(x, np.array([[10.0, 20.0], [30.0, 40.0]])[None, None], 2)[0, 0]
    want = np.zeros((4, 4))
    want[1, 0], want[1, 3], want[3, 1], want[2, 2] = 10, 20, 30, 40
    assert_array_equal(dx, want)


def test_overlapping_windows_add_up_and_ties_go_to_the_first():
    x = np.array([[0.0, 0.0, 9.0, 0.0, 0.0]])[None, None]  # windows [0, 0, 9] and [9, 0, 0] share the 9
    dx = max_pool2d_backward(x, np.ones((1, 1, 1, 2)), (1, 3), (1, 2))
    assert_array_equal(dx[0, 0, 0], [0, 0, 2, 0, 0])
    x = np.array([[0.0, 9.0, 0.0, 0.0, 0.0]])[None, None]
    dx = max_pool2d_backward(x, np.ones((1, 1, 1, 4)), (1, 2), 1)  # stride 1: 9 wins two windows
    assert_array_equal(dx[0, 0, 0], [0, 2, 1, 1, 0])  # a tie (0, 0) goes to the left cell
    flat = np.ones((1, 1, 2, 2))
    assert_array_equal(max_pool2d_backward(flat, np.ones((1, 1, 1, 1)), 2)[0, 0], [[1, 0], [0, 0]])


def test_max_pool_padding_never_wins_and_avg_counts_it():
    x = -np.ones((1, 1, 2, 2))
    assert_array_equal(max_pool2d(x, 2, 2, 1), -np.ones((1, 1, 2, 2)))
    assert_array_equal(avg_pool2d(x, 2, 2, 1), -np.full((1, 1, 2, 2), 0.25))


def test_approximate_invariance_to_small_shifts():
    # A single bright pixel moved by one inside a 2x2 window leaves the max-pooled map unchanged.
    a = np.zeros((1, 1, 4, 4))
    b = a.copy()
    a[0, 0, 0, 0] = b[0, 0, 1, 1] = 1.0
    assert_array_equal(max_pool2d(a, 2), max_pool2d(b, 2))
    c = a.copy()
    c[0, 0, 0, 0], c[0, 0, 0, 2] = 0.0, 1.0  # crossing the window border changes it
    assert not np.array_equal(max_pool2d(a, 2), max_pool2d(c, 2))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: max_pool2d(np.zeros((3, 4, 4)), 2), r"x must be \(N, C, H, W\)"),
        (lambda: max_pool2d(np.zeros((1, 1, 4, 4)), 0), "kernel_size must be positive"),
        (lambda: avg_pool2d(np.zeros((1, 1, 4, 4)), 2, 0), "stride must be positive"),
        (lambda: max_pool2d(np.zeros((1, 1, 4, 4)), 2, 1, 2), "at most half the kernel size"),
        (lambda: avg_pool2d(np.zeros((1, 1, 1, 4)), 3, 1, 0), "input height 1 .* smaller than the kernel height 3"),
        (lambda: max_pool2d(np.zeros((1, 1, 4, 4)), (2, 2, 2)), "kernel_size must be an int or a tuple of 2"),
        (lambda: max_pool2d_backward(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), 2),
         r"grad_out must have the forward output's shape \(1, 1, 2, 2\)"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@settings(max_examples=40, deadline=None)
@given(case=pool_case())
def test_against_torch(case):
    torch = pytest.importorskip("torch")
    x, k, s, p = case
    functional = torch.nn.functional
    for fwd, bwd, ref in ((max_pool2d, max_pool2d_backward, functional.max_pool2d),
                          (avg_pool2d, avg_pool2d_backward, functional.avg_pool2d)):
        t = torch.tensor(x, requires_grad=True)
        out = ref(t, k, s, p)
        assert_allclose(fwd(x, k, s, p), out.detach().numpy(), rtol=1e-12, atol=1e-12)
        g = np.random.default_rng(2).standard_normal(out.shape)
        out.backward(torch.from_numpy(g))
        assert_allclose(bwd(x, g, k, s, p), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_docstring_examples_run():
    import doctest

    from snippets.convolution import layers, pooling, shapes

    for module in (pooling, shapes, layers):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
