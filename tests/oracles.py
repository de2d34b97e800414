"""Oracles shared by the numerical tests: computed independently of the library under test."""

from __future__ import annotations

import numpy as np


def finite_difference(f, a, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f(a') with respect to every entry of `a` (a is not changed)."""
    a = np.array(a, dtype=float)
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += eps
        down[idx] -= eps
        grad[idx] = (f(up) - f(down)) / (2 * eps)
    return grad
