"""1-D against numpy.convolve / numpy.correlate, 2-D against scipy.signal.convolve2d / correlate2d."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import signal as scipy_signal

from snippets.convolution.signal1d import convolve, convolve2d, correlate, correlate2d

MODES = ["full", "same", "valid"]


# --- worked examples from the numpy documentation ----------------------------------


def test_numpy_docs_convolve_example():
    assert_allclose(convolve([1, 2, 3], [0, 1, 0.5]), [0, 1, 2.5, 4, 1.5])
    assert_allclose(convolve([1, 2, 3], [0, 1, 0.5], "same"), [1, 2.5, 4])
    assert_allclose(convolve([1, 2, 3], [0, 1, 0.5], "valid"), [2.5])


def test_numpy_docs_correlate_example():
    assert_allclose(correlate([1, 2, 3], [0, 1, 0.5]), [3.5])
    assert_allclose(correlate([1, 2, 3], [0, 1, 0.5], "same"), [2, 3.5, 3])
    assert_allclose(correlate([1, 2, 3], [0, 1, 0.5], "full"), [0.5, 2, 3.5, 3, 0])


def test_correlate_argument_order_when_v_is_longer():
    # numpy slides the shorter array and reverses: correlate(a, v) == correlate(v, a)[::-1].
    a, v = [1.0, 2.0], [1.0, 10.0, 100.0]
    for mode in MODES:
        assert_allclose(correlate(a, v, mode), np.correlate(a, v, mode))
        assert_allclose(correlate(a, v, mode), correlate(v, a, mode)[::-1])


# --- 1-D against numpy ------------------------------------------------------------


@st.composite
def two_signals(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 12))  # often longer than a: numpy's swap rule
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(m)


@settings(max_examples=150, deadline=None)
@given(sig=two_signals(), mode=st.sampled_from(MODES))
def test_convolve_matches_numpy(sig, mode):
    a, v = sig
    expected = np.convolve(a, v, mode)
    got = convolve(a, v, mode)
    assert got.shape == expected.shape
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(sig=two_signals(), mode=st.sampled_from(MODES))
def test_correlate_matches_numpy(sig, mode):
    a, v = sig
    expected = np.correlate(a, v, mode)
    got = correlate(a, v, mode)
    assert got.shape == expected.shape
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
@pytest.mark.parametrize("fn,ref", [(convolve, np.convolve), (correlate, np.correlate)])
def test_1d_dtype_follows_numpy(fn, ref, dtype):
    a = np.array([3, 1, 4, 1, 5], dtype=dtype)
    v = np.array([2, 7, 1], dtype=dtype)
    for mode in MODES:
        got, expected = fn(a, v, mode), ref(a, v, mode)
        assert got.dtype == expected.dtype
        assert_array_equal(got, expected)  # small integers: exact in every dtype


# --- 2-D against scipy ------------------------------------------------------------


@st.composite
def image_and_kernel(draw):
    # Kernels may be larger than the image (in one or both dimensions).
    x_shape = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    k_shape = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal(x_shape), rng.standard_normal(k_shape)


def _check_against_scipy(fn, ref, x, k, mode):
    try:
        expected = ref(x, k, mode)
    except ValueError:
        # scipy refuses "valid" when neither array contains the other; so must we.
        assert mode == "valid"
        with pytest.raises(ValueError, match="at least as large as the other in every dimension"):
            fn(x, k, mode)
        return
    got = fn(x, k, mode)
    assert got.shape == expected.shape
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(data=image_and_kernel(), mode=st.sampled_from(MODES))
def test_convolve2d_matches_scipy(data, mode):
    _check_against_scipy(convolve2d, scipy_signal.convolve2d, *data, mode)


@settings(max_examples=200, deadline=None)
@given(data=image_and_kernel(), mode=st.sampled_from(MODES))
def test_correlate2d_matches_scipy(data, mode):
    _check_against_scipy(correlate2d, scipy_signal.correlate2d, *data, mode)


# Fixed shapes that pin the corner cases whatever hypothesis draws:
# even kernels (the "same" centring differs between convolve2d and correlate2d),
# kernels larger than the image, and "valid" with swapped or incompatible shapes.
CORNER_SHAPES = [
    ((5, 6), (2, 2)),
    ((5, 6), (4, 5)),
    ((5, 6), (3, 4)),
    ((3, 3), (6, 7)),  # kernel larger in both dimensions
    ((3, 3), (5, 2)),  # kernel larger in one dimension
    ((2, 5), (5, 2)),  # neither contains the other
    ((1, 1), (1, 1)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("x_shape", "k_shape"), CORNER_SHAPES)
@pytest.mark.parametrize(
    "fn,ref",
    [(convolve2d, scipy_signal.convolve2d), (correlate2d, scipy_signal.correlate2d)],
    ids=["convolve2d", "correlate2d"],
)
def test_2d_corner_cases(fn, ref, x_shape, k_shape, mode):
    rng = np.random.default_rng(0)
    _check_against_scipy(fn, ref, rng.standard_normal(x_shape), rng.standard_normal(k_shape), mode)


def test_convolve2d_flips_the_kernel_and_correlate2d_does_not():
    # One bright pixel: convolution stamps the kernel, correlation stamps it rotated 180 degrees.
    x = np.zeros((3, 3))
    x[1, 1] = 1.0
    k = np.arange(1.0, 10.0).reshape(3, 3)
    assert_array_equal(convolve2d(x, k, "same"), k)
    assert_array_equal(correlate2d(x, k, "same"), k[::-1, ::-1])


def test_2d_keeps_float32():
    x = np.ones((4, 4), np.float32)
    k = np.ones((2, 2), np.float32)
    for mode in MODES:
        assert convolve2d(x, k, mode).dtype == np.float32
        assert correlate2d(x, k, mode).dtype == np.float32


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize("fn", [convolve, correlate, convolve2d, correlate2d])
def test_unknown_mode_names_the_allowed_modes(fn):
    x = np.ones((3, 3)) if fn in (convolve2d, correlate2d) else np.ones(3)
    with pytest.raises(ValueError, match="'full', 'same', 'valid'.*'circular'"):
        fn(x, x, mode="circular")


@pytest.mark.parametrize("fn", [convolve2d, correlate2d])
def test_2d_rejects_non_2d_input(fn):
    with pytest.raises(ValueError, match=r"x must be a 2-D array, got shape \(3,\)"):
        fn(np.ones(3), np.ones((2, 2)))


@pytest.mark.parametrize("fn", [convolve, correlate])
def test_1d_rejects_empty_and_2d_input(fn):
    with pytest.raises(ValueError, match="v cannot be empty"):
        fn([1.0, 2.0], [])
    with pytest.raises(ValueError, match=r"a must be 1-D, got shape \(2, 2\)"):
        fn(np.ones((2, 2)), [1.0])
