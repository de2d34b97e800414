"""Image kernels: their defining values and sums, apply_kernel against scipy, the sample image."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage
from scipy import signal as scipy_signal

from snippets.convolution.kernels import IMAGE_KERNELS, apply_kernel, load_sample_image

SUM_ONE = ["identity", "box_blur", "gaussian_blur", "sharpen", "emboss"]
SUM_ZERO = ["sobel_x", "sobel_y", "laplacian", "outline"]


def test_kernel_values():
    assert_allclose(IMAGE_KERNELS["gaussian_blur"], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    assert_array_equal(IMAGE_KERNELS["sharpen"], [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert_array_equal(IMAGE_KERNELS["sobel_x"], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert_array_equal(IMAGE_KERNELS["sobel_y"], IMAGE_KERNELS["sobel_x"].T)
    assert_array_equal(IMAGE_KERNELS["laplacian"], [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert_array_equal(IMAGE_KERNELS["emboss"], [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    assert_allclose(IMAGE_KERNELS["box_blur"], np.full((3, 3), 1 / 9))
    for name, k in IMAGE_KERNELS.items():
        assert k.shape == (3, 3), name
        assert k.dtype == np.float64, name


@pytest.mark.parametrize("name", SUM_ONE)
def test_brightness_preserving_kernels_sum_to_one(name):
    assert IMAGE_KERNELS[name].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", SUM_ZERO)
def test_edge_kernels_sum_to_zero(name):
    assert IMAGE_KERNELS[name].sum() == pytest.approx(0.0, abs=1e-15)


def test_kernels_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        IMAGE_KERNELS["sharpen"][1, 1] = 0.0


@st.composite
def image(draw, color=True):
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    channels = draw(st.sampled_from([None, 1, 3])) if color else None
    shape = (h, w) if channels is None else (h, w, channels)
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1))).random(shape)


@settings(max_examples=60, deadline=None)
@given(img=image(), name=st.sampled_from(sorted(IMAGE_KERNELS)))
def test_apply_kernel_matches_scipy_ndimage(img, name):
    k = IMAGE_KERNELS[name]
    got = apply_kernel(img, name)
    assert got.shape == img.shape
    if img.ndim == 2:
        expected = ndimage.correlate(img, k, mode="constant", cval=0.0)
    else:
        expected = np.stack(
            [ndimage.correlate(img[..., c], k, mode="constant", cval=0.0) for c in range(img.shape[2])], axis=-1
        )
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    img=image(color=False),
    kh=st.sampled_from([1, 3, 5]),
    kw=st.sampled_from([1, 3, 5]),
    seed=st.integers(0, 2**32 - 1),
)
def test_apply_kernel_matches_scipy_correlate2d_same(img, kh, kw, seed):
    # Odd kernels of any size: scipy's "same" correlation with zero fill.
    k = np.random.default_rng(seed).standard_normal((kh, kw))
    assert_allclose(apply_kernel(img, k), scipy_signal.correlate2d(img, k, mode="same"), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", SUM_ONE)
def test_constant_image_kept_away_from_border(name):
    img = np.full((8, 9), 0.7)
    out = apply_kernel(img, name)
    assert_allclose(out[1:-1, 1:-1], 0.7)


@pytest.mark.parametrize("name", SUM_ZERO)
def test_constant_image_mapped_to_zero_away_from_border(name):
    img = np.full((8, 9, 3), 0.7)
    out = apply_kernel(img, name)
    assert_allclose(out[1:-1, 1:-1], 0.0, atol=1e-12)


def test_sobel_x_sees_a_dark_to_bright_vertical_edge():
    img = np.zeros((5, 6))
    img[:, 3:] = 1.0  # dark left half, bright right half
    out = apply_kernel(img, "sobel_x")
    # Interior rows: -1*0 - 2*0 - 1*0 + 1 + 2 + 1 = 4 on both columns next to the edge.
    assert_array_equal(out[1:-1, 2], 4.0)
    assert_array_equal(out[1:-1, 3], 4.0)
    assert_array_equal(out[1:-1, [1, 4]], 0.0)
    assert_array_equal(apply_kernel(img, "sobel_y")[1:-1, 1:-1], 0.0)  # no horizontal edge


def test_dtypes():
    assert apply_kernel(np.ones((4, 4), np.float32), "box_blur").dtype == np.float32
    assert apply_kernel(np.full((4, 4), 200, np.uint8), "box_blur").dtype == np.float64


def test_unknown_name_lists_the_names():
    with pytest.raises(ValueError, match="unknown kernel 'blurry'.*gaussian_blur.*sobel_x"):
        apply_kernel(np.ones((4, 4)), "blurry")


@pytest.mark.parametrize(
    ("img", "kernel", "match"),
    [
        (np.ones((4, 4)), np.ones((2, 2)), r"odd sides .* got shape \(2, 2\)"),
        (np.ones((4, 4)), np.ones(3), r"got shape \(3,\)"),
        (np.ones(4), "identity", r"img must be \(H, W\) or \(H, W, C\), got shape \(4,\)"),
    ],
)
def test_bad_input(img, kernel, match):
    with pytest.raises(ValueError, match=match):
        apply_kernel(img, kernel)


def test_load_sample_image():
    img = load_sample_image()
    assert img.ndim == 2
    assert np.issubdtype(img.dtype, np.floating)
    assert 100 <= img.shape[0] <= 4000 and 100 <= img.shape[1] <= 4000
    assert img.min() >= 0.0 and img.max() <= 1.0
    assert img.std() > 0.05  # a photo, not a flat field
    # The whole pipeline the page runs: filtering keeps the shape.
    assert apply_kernel(img, "sobel_x").shape == img.shape
