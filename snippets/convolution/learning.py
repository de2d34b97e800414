"""Learning a convolution kernel from input/output pairs by gradient descent, numpy only.

The model is one conv2d layer (cross-correlation, PyTorch layout):

    Y_hat = conv2d(X, K) + b,   X (N, C_in, H, W), K (C_out, C_in, k_h, k_w), b (C_out,)

fitted to targets Y (N, C_out, H_out, W_out) by minimising the mean squared error

    loss = sum((Y_hat - Y) ** 2) / (2 |Y|),   |Y| = Y.size,

whose gradient with respect to Y_hat is delta = (Y_hat - Y) / |Y|.  The
gradients with respect to K and b come from conv2d_backward, the same
function the note derives for backpropagation.
"""

from __future__ import annotations

import numpy as np

from snippets.convolution.backprop import conv2d_backward
from snippets.convolution.kernels import IMAGE_KERNELS
from snippets.convolution.layers import conv2d, im2col

# The experiment the note runs: random images, a known edge kernel, plain gradient descent.
SEED = 0
N_IMAGES = 8
IMAGE_SIZE = 12
TARGET = "sobel_x"
LEARNING_RATE = 0.3
STEPS = 60


# --8<-- [start:make_pairs]
def make_pairs(kernel, n_images=N_IMAGES, size=IMAGE_SIZE, seed=SEED):
    """Random images and what a known kernel makes of them: the training pairs (X, Y).

    kernel (k_h, k_w) -> X (N, 1, H, W) with standard normal pixels and
    Y = conv2d(X, kernel) of shape (N, 1, H - k_h + 1, W - k_w + 1) (valid, no bias).

    >>> x, y = make_pairs(np.ones((2, 2)), n_images=1, size=3)
    >>> x.shape, y.shape
    ((1, 1, 3, 3), (1, 1, 2, 2))
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_images, 1, size, size))
    y = conv2d(x, np.asarray(kernel, float)[None, None])
    return x, y
# --8<-- [end:make_pairs]


# --8<-- [start:loss_and_grads]
def loss_and_grads(x, y, k, b):
    """Mean squared error of conv2d(x, k) + b against y, and its gradients.

    x (N, C_in, H, W), y (N, C_out, H_out, W_out), k (C_out, C_in, k_h, k_w),
    b (C_out,) -> (loss, dk of k's shape, db of b's shape), with
    loss = sum((y_hat - y)^2) / (2 y.size).

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> loss, dk, db = loss_and_grads(x, np.zeros((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), np.zeros(1))
    >>> float(loss), dk.tolist(), db.tolist()
    (148.0, [[[[42.0, 58.0], [90.0, 106.0]]]], [16.0])
    """
    y_hat = conv2d(x, k, b)
    err = y_hat - y
    loss = np.sum(err**2) / (2 * err.size)
    delta = err / err.size  # d loss / d y_hat
    _, dk, db = conv2d_backward(x, k, delta)
    return loss, dk, db
# --8<-- [end:loss_and_grads]


# --8<-- [start:fit_kernel]
def fit_kernel(x, y, k_shape, lr=LEARNING_RATE, steps=STEPS, seed=SEED):
    """Gradient descent on a conv2d layer from random weights: (kernels, biases, losses) at every step.

    x (N, C_in, H, W), y (N, C_out, H_out, W_out), k_shape (C_out, C_in, k_h, k_w).
    Returns kernels (steps + 1, C_out, C_in, k_h, k_w), biases (steps + 1, C_out)
    and losses (steps + 1,): entry t is the state after t updates.

    >>> x = np.random.default_rng(0).standard_normal((2, 1, 6, 6))
    >>> y = conv2d(x, np.array([[[[1.0, -1.0]]]]))  # a horizontal difference kernel
    >>> ks, bs, losses = fit_kernel(x, y, (1, 1, 1, 2), lr=0.5, steps=40)
    >>> np.round(ks[-1, 0, 0], 6).tolist(), bool(losses[-1] < 1e-12)
    ([[1.0, -1.0]], True)
    """
    rng = np.random.default_rng(seed + 1)  # not the images' stream
    k = 0.5 * rng.standard_normal(k_shape)
    b = np.zeros(k_shape[0])
    kernels, biases, losses = [k], [b], []
    for _ in range(steps):
        loss, dk, db = loss_and_grads(x, y, k, b)
        losses.append(loss)
        k, b = k - lr * dk, b - lr * db  # one step downhill
        kernels.append(k)
        biases.append(b)
    losses.append(loss_and_grads(x, y, k, b)[0])
    return np.array(kernels), np.array(biases), np.array(losses)
# --8<-- [end:fit_kernel]


def patch_hessian(x, kernel_size) -> np.ndarray:
    """The loss's second derivative Q (its Hessian) for a one-output-channel layer, from the input windows.

    x (N, C_in, H, W), kernel_size (k_h, k_w) -> Q of shape (C_in k_h k_w + 1, C_in k_h k_w + 1),
    Q = mean over the windows of p p^T with p = (window, 1) (the 1 is the bias).
    The loss is quadratic: loss = e^T Q e / 2 for e = (K - K*, b - b*), so each
    gradient step multiplies the error e by (I - lr Q).
    """
    cols = im2col(x, kernel_size)  # (N, P, L)
    p = cols.transpose(0, 2, 1).reshape(-1, cols.shape[1])  # (M, P)
    p = np.hstack([p, np.ones((p.shape[0], 1))])
    return p.T @ p / p.shape[0]


# ---------------------------------------------------------------------------
# The note's run, and the numbers it quotes
# ---------------------------------------------------------------------------


def target_kernel() -> np.ndarray:
    """The kernel the data was made with: IMAGE_KERNELS[TARGET], (k_h, k_w)."""
    return np.array(IMAGE_KERNELS[TARGET])


def note_run():
    """The note's experiment: (x, y, kernels, biases, losses) for the target kernel, fixed seeds."""
    kstar = target_kernel()
    x, y = make_pairs(kstar)
    kernels, biases, losses = fit_kernel(x, y, (1, 1) + kstar.shape)
    return x, y, kernels, biases, losses


def learned_kernel() -> np.ndarray:
    """The kernel after the last step, (k_h, k_w)."""
    return note_run()[2][-1, 0, 0]


def max_kernel_error() -> float:
    """max |K - K*| after the last step."""
    return float(np.max(np.abs(learned_kernel() - target_kernel())))


def hessian_eigenvalues() -> np.ndarray:
    """Eigenvalues (ascending) of Q (patch_hessian) for the note's images."""
    x = note_run()[0]
    return np.linalg.eigvalsh(patch_hessian(x, target_kernel().shape))


def largest_stable_lr() -> float:
    """2 / largest eigenvalue of Q: gradient descent diverges for any larger learning rate."""
    return float(2 / hessian_eigenvalues()[-1])


def constant_image_rank(values=(0.5, 1.0, 2.0)) -> int:
    """Rank of Q when every image is constant (one value per image): only Σk and b can be learned."""
    x = np.stack([np.full((1, IMAGE_SIZE, IMAGE_SIZE), v) for v in values])
    return int(np.linalg.matrix_rank(patch_hessian(x, target_kernel().shape)))
