"""Output-size arithmetic for convolutions (numpy-free, standard library only).

Reference: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
deep learning" (2016), arXiv:1603.07285.
"""

from __future__ import annotations

import operator

__all__ = ["output_size"]


def _as_int(name: str, value) -> int:
    # operator.index accepts Python and numpy integers but rejects 2.0 and True-ish floats.
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None


# --8<-- [start:output_size]
def output_size(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of a convolution's output along one axis.

    ``n`` input length, ``k`` kernel length, ``padding`` zeros added on *each*
    side.  The dilated kernel spans ``dilation * (k - 1) + 1`` inputs, so

        out = floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1

    Raises ValueError when an argument is out of range or the dilated kernel
    does not fit in the padded input (the output would be empty).

    >>> output_size(28, 3), output_size(28, 3, stride=2, padding=1)
    (26, 14)
    """
    n, k = _as_int("n", n), _as_int("k", k)
    stride, padding, dilation = (
        _as_int("stride", stride),
        _as_int("padding", padding),
        _as_int("dilation", dilation),
    )
    if n < 0:
        raise ValueError(f"input size must be >= 0, got {n}")
    if k <= 0:
        raise ValueError(f"kernel size must be positive, got {k}")
    if stride <= 0:
        raise ValueError(f"stride must be positive, got {stride}")
    if dilation <= 0:
        raise ValueError(f"dilation must be positive, got {dilation}")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    span = dilation * (k - 1) + 1  # inputs covered by one dilated kernel
    padded = n + 2 * padding
    if span > padded:
        raise ValueError(
            f"dilated kernel size {span} (k={k}, dilation={dilation}) is larger than "
            f"the padded input size {padded} (n={n}, padding={padding})"
        )
    return (padded - span) // stride + 1
# --8<-- [end:output_size]
