"""Learning a kernel by gradient descent (snippets/convolution/learning.py), against oracles it was not built from.

The gradient is checked by finite differences, the data by scipy, the
recovered kernel against the Sobel x kernel written out here, and the whole
run against the closed form of gradient descent on a quadratic:
e_t = (I - lr Q)^t e_0 with Q (the Hessian) from the input patches.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from oracles import finite_difference
from scipy import signal as scipy_signal

from snippets.convolution import learning
from snippets.convolution import worked_cnn as wc

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def test_the_target_is_sobel_x():
    assert_allclose(learning.target_kernel(), SOBEL_X)


def test_pairs_are_the_kernel_applied_by_scipy():
    x, y = learning.make_pairs(SOBEL_X)
    assert x.shape == (learning.N_IMAGES, 1, learning.IMAGE_SIZE, learning.IMAGE_SIZE)
    for n in range(len(x)):
        assert_allclose(y[n, 0], scipy_signal.correlate2d(x[n, 0], SOBEL_X, mode="valid"), atol=1e-12)


@pytest.mark.parametrize("c_out", [1, 2])
def test_gradients_match_finite_differences(c_out):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 6, 5))
    y = rng.standard_normal((2, c_out, 4, 3))
    k, b = rng.standard_normal((c_out, 2, 3, 3)), rng.standard_normal(c_out)
    _, dk, db = learning.loss_and_grads(x, y, k, b)

    def loss_k(kk):
        return float(np.sum((scipy_conv(x, kk) + b[None, :, None, None] - y) ** 2) / (2 * y.size))

    def loss_b(bb):
        return float(np.sum((scipy_conv(x, k) + bb[None, :, None, None] - y) ** 2) / (2 * y.size))

    assert_allclose(dk, finite_difference(loss_k, k), atol=1e-7)
    assert_allclose(db, finite_difference(loss_b, b), atol=1e-7)


def scipy_conv(x, k):
    """conv2d (cross-correlation, valid) from scipy: x (N, C_in, H, W), k (C_out, C_in, k_h, k_w)."""
    return np.array([[sum(scipy_signal.correlate2d(xn[c], k[o, c], mode="valid") for c in range(x.shape[1]))
                      for o in range(k.shape[0])] for xn in x])


def test_gradient_descent_recovers_sobel_x():
    x, y, kernels, biases, losses = learning.note_run()
    assert kernels.shape == (learning.STEPS + 1, 1, 1, 3, 3)
    assert np.abs(kernels[0, 0, 0] - SOBEL_X).max() > 1  # it starts far away ...
    assert_allclose(kernels[-1, 0, 0], SOBEL_X, atol=1e-6)  # ... and ends on the known kernel
    assert abs(biases[-1, 0]) < 1e-6
    assert losses[-1] < 1e-12 < losses[0]
    assert np.all(np.diff(losses) < 0)  # every step goes downhill (lr < 2 / lambda_max)


def test_the_run_is_gradient_descent_on_a_quadratic():
    """e_t = (I - lr Q)^t e_0, Q built from the patches with numpy, not with conv2d_backward."""
    x, _, kernels, biases, _ = learning.note_run()
    # Q by brute force: every 3x3 window of every image, plus a 1 for the bias
    rows = [np.append(img[0, i:i + 3, j:j + 3].ravel(), 1.0)
            for img in x for i in range(x.shape[2] - 2) for j in range(x.shape[3] - 2)]
    q = np.array(rows).T @ np.array(rows) / len(rows)
    assert_allclose(q, learning.patch_hessian(x, (3, 3)), atol=1e-12)
    e0 = np.append((kernels[0, 0, 0] - SOBEL_X).ravel(), biases[0, 0])
    step = np.eye(10) - learning.LEARNING_RATE * q
    for t in (1, 7, learning.STEPS):
        et = np.append((kernels[t, 0, 0] - SOBEL_X).ravel(), biases[t, 0])
        assert_allclose(et, np.linalg.matrix_power(step, t) @ e0, atol=1e-9)


def test_too_large_a_learning_rate_diverges():
    x, y, *_ = learning.note_run()
    lr = 1.05 * learning.largest_stable_lr()
    _, _, losses = learning.fit_kernel(x, y, (1, 1, 3, 3), lr=lr, steps=200)
    assert losses[-1] > losses[0]
    _, _, losses = learning.fit_kernel(x, y, (1, 1, 3, 3), lr=0.95 * learning.largest_stable_lr(), steps=400)
    assert losses[-1] < losses[0]


def test_constant_images_identify_only_the_sum_and_the_bias():
    assert learning.constant_image_rank() == 2
    # two kernels with the same sum give the same outputs on constant images
    x = np.full((1, 1, 6, 6), 0.7)
    a, b = SOBEL_X[None, None], np.zeros((1, 1, 3, 3))
    assert_allclose(scipy_conv(x, a), scipy_conv(x, b), atol=1e-12)


def test_page_numbers():
    ratio, bound = float(wc.error_ratio()), float(wc.rate_bound())
    assert 0 < ratio <= bound + 1e-3 < 1  # the measured shrink factor obeys the eigenvalue bound
    lam = learning.hessian_eigenvalues()
    assert bound == pytest.approx(max(abs(1 - learning.LEARNING_RATE * lam)), abs=1e-3)
    assert float(wc.eigenvalue(0)) < 1 < float(wc.eigenvalue(-1))
    assert wc.learned_kernel_latex() == r"\begin{bmatrix}-1 & 0 & 1 \\ -2 & 0 & 2 \\ -1 & 0 & 1\end{bmatrix}"
    assert wc.sci(3.83e-9) == r"3.8 \times 10^{-9}"


def test_the_figure_draws_the_run():
    import matplotlib
    from matplotlib.text import Text

    from snippets.convolution import figures_cnn
    from tilsite.library.figures import _COMMON_RC, THEMES

    ex = figures_cnn.kernel_learning_example()
    _, _, kernels, _, losses = learning.note_run()
    with matplotlib.rc_context({**_COMMON_RC, **THEMES["light"]}):
        fig = figures_cnn.plot_kernel_learning()
    texts = [t.get_text() for t in fig.findobj(Text)]
    # the last grid writes the target's values; the first the random start
    for v in SOBEL_X.ravel():
        assert f"{v:.2f}".replace("-", "\u2212") in texts
    for v in np.round(kernels[0, 0, 0], 2).ravel():
        assert f"{v + 0.0:.2f}".replace("-", "\u2212") in texts
    loss_ax, entries_ax = fig.axes[3], fig.axes[4]
    assert_allclose(loss_ax.get_lines()[0].get_ydata(), losses)
    drawn = [ln.get_ydata() for ln in entries_ax.get_lines() if len(ln.get_ydata()) == len(losses)]
    assert len(drawn) == 9
    assert_allclose(sorted(d[-1] for d in drawn), sorted(SOBEL_X.ravel()), atol=1e-6)
    assert ex["snapshots"][-1] == learning.STEPS
