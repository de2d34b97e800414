"""Size arithmetic for convolutions: output, transposed output, receptive field (standard library only).

Reference: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
deep learning" (2016), arXiv:1603.07285.
"""

from __future__ import annotations

import operator

__all__ = ["output_size", "transposed_output_size", "receptive_field"]


def _as_int(name: str, value) -> int:
    # operator.index accepts Python and numpy integers but rejects 2.0 and True-ish floats.
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None


def _hyper(n, k, stride, padding, dilation, min_n: int) -> tuple[int, int, int, int, int]:
    """The hyper-parameters as ints, checked: n >= min_n, k, stride, dilation > 0, padding >= 0."""
    n, k = _as_int("n", n), _as_int("k", k)
    stride, padding, dilation = _as_int("stride", stride), _as_int("padding", padding), _as_int("dilation", dilation)
    if n < min_n:
        raise ValueError(f"input size must be >= {min_n}, got {n}")
    if k <= 0:
        raise ValueError(f"kernel size must be positive, got {k}")
    if stride <= 0:
        raise ValueError(f"stride must be positive, got {stride}")
    if dilation <= 0:
        raise ValueError(f"dilation must be positive, got {dilation}")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    return n, k, stride, padding, dilation


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
    n, k, stride, padding, dilation = _hyper(n, k, stride, padding, dilation, min_n=0)
    span = dilation * (k - 1) + 1  # inputs covered by one dilated kernel
    padded = n + 2 * padding
    if span > padded:
        raise ValueError(
            f"dilated kernel size {span} (k={k}, dilation={dilation}) is larger than "
            f"the padded input size {padded} (n={n}, padding={padding})"
        )
    return (padded - span) // stride + 1
# --8<-- [end:output_size]


# --8<-- [start:transposed_output_size]
def transposed_output_size(
    n: int, k: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """Length of a transposed convolution's output along one axis, like torch's ConvTranspose.

        out = (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1

    ``padding`` removes that many positions from each end of the full result;
    ``output_padding`` (0 <= it < max(stride, dilation)) adds positions at the
    end, choosing among the input sizes a stride-s convolution maps to n.
    Raises ValueError when an argument is out of range or the output is empty.

    >>> transposed_output_size(13, 3, stride=2), transposed_output_size(13, 3, stride=2, output_padding=1)
    (27, 28)
    """
    n, k, stride, padding, dilation = _hyper(n, k, stride, padding, dilation, min_n=1)
    output_padding = _as_int("output_padding", output_padding)
    if not 0 <= output_padding < max(stride, dilation):
        raise ValueError(
            f"output_padding must be >= 0 and smaller than stride or dilation, got {output_padding} "
            f"(stride={stride}, dilation={dilation})"
        )
    out = (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1
    if out <= 0:
        raise ValueError(f"padding {padding} removes the whole output (it would have size {out})")
    return out
# --8<-- [end:transposed_output_size]


# --8<-- [start:receptive_field]
def receptive_field(layers) -> tuple[int, int]:
    """Receptive field and jump of the last layer of a stack of convolutions along one axis.

    ``layers`` is a sequence of (kernel, stride) or (kernel, stride, dilation),
    first layer first.  Returns (r, j): one output unit of the last layer sees
    r consecutive inputs, and neighbouring units are j = product of strides
    inputs apart.  Layer l widens the field by dilation_l * (k_l - 1) steps
    of the jump j_{l-1} of the layer below it:

        r_l = r_{l-1} + dilation_l * (k_l - 1) * j_{l-1},   r_0 = j_0 = 1

    >>> receptive_field([(3, 1), (3, 1)])  # two 3x3 layers see 5x5
    (5, 1)
    """
    r, j = 1, 1
    for i, layer in enumerate(layers):
        if len(layer) not in (2, 3):
            raise ValueError(f"layer {i} must be (kernel, stride) or (kernel, stride, dilation), got {layer!r}")
        k, s = _as_int("kernel", layer[0]), _as_int("stride", layer[1])
        d = _as_int("dilation", layer[2]) if len(layer) == 3 else 1
        if k <= 0 or s <= 0 or d <= 0:
            raise ValueError(f"layer {i}: kernel, stride and dilation must be positive, got {tuple(layer)!r}")
        r += d * (k - 1) * j
        j *= s
    return r, j
# --8<-- [end:receptive_field]
