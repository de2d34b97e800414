"""LeNet-5 layer by layer: output shape, parameters and multiply-adds (MACs), numpy only.

A network is a list of layers; a sample's shape is (C, H, W) before the
flatten layer and (features,) after it (the batch axis N is left out):

    Conv(c_out, k, padding)  conv2d, stride 1:  (C_in, H, W) -> (c_out, H_out, W_out)
    Act(name)                elementwise nonlinearity, shape kept
    Pool(k, stride, kind)    average or max pooling, each channel on its own
    Flatten()                (C, H, W) -> (C * H * W,)
    Linear(out)              fully connected: (in,) -> (out,)

LENET5_D2L is the variant of Dive into Deep Learning (d2l.ai, section 7.6):
28x28 input padded by 2, sigmoid after every layer but the last, 2x2
average pooling, full connections everywhere.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from snippets.convolution.layers import conv2d
from snippets.convolution.pooling import avg_pool2d, max_pool2d
from snippets.convolution.shapes import output_size
from snippets.convolution.worked import conv_params


class Conv(NamedTuple):
    c_out: int
    k: int
    padding: int = 0


class Act(NamedTuple):
    name: str = "sigmoid"


class Pool(NamedTuple):
    k: int = 2
    stride: int = 2
    kind: str = "avg"


class Flatten(NamedTuple):
    pass


class Linear(NamedTuple):
    out: int


# --8<-- [start:lenet5_d2l]
LENET5_D2L = [
    Conv(6, 5, padding=2), Act("sigmoid"), Pool(2, 2, "avg"),
    Conv(16, 5), Act("sigmoid"), Pool(2, 2, "avg"),
    Flatten(),
    Linear(120), Act("sigmoid"),
    Linear(84), Act("sigmoid"),
    Linear(10),
]
INPUT_D2L = (1, 28, 28)  # (C, H, W): one grey 28x28 image


def layer_summary(layers, input_shape):
    """(layer, output shape, parameters, MACs) for each layer of a network, for one sample.

    input_shape (C, H, W).  Parameters count weights and biases: a conv has
    c_out (C_in k^2 + 1), a linear layer out (in + 1), like a 1x1 conv on a 1x1
    map.  MACs (multiply-adds) count one per weight per output position:
    c_out H_out W_out C_in k^2 for a conv, in * out for a linear layer; the
    nonlinearities and pooling have no weights and are counted as 0.

    >>> [row[1:] for row in layer_summary([Conv(2, 3), Pool(2, 2), Flatten(), Linear(5)], (1, 6, 6))]
    [((2, 4, 4), 20, 288), ((2, 2, 2), 0, 0), ((8,), 0, 0), ((5,), 45, 40)]
    """
    shape, rows = tuple(input_shape), []
    for layer in layers:
        params = macs = 0
        if isinstance(layer, Conv):
            c_in, h, w = shape
            shape = (layer.c_out, output_size(h, layer.k, 1, layer.padding), output_size(w, layer.k, 1, layer.padding))
            params = conv_params(c_in, layer.c_out, layer.k, layer.k)
            macs = layer.c_out * shape[1] * shape[2] * c_in * layer.k * layer.k
        elif isinstance(layer, Pool):
            c, h, w = shape
            shape = (c, output_size(h, layer.k, layer.stride), output_size(w, layer.k, layer.stride))
        elif isinstance(layer, Flatten):
            shape = (int(np.prod(shape)),)
        elif isinstance(layer, Linear):
            (n_in,) = shape
            shape = (layer.out,)
            params = conv_params(n_in, layer.out, 1, 1)
            macs = n_in * layer.out
        elif not isinstance(layer, Act):
            raise TypeError(f"unknown layer {layer!r}")
        rows.append((layer, shape, params, macs))
    return rows
# --8<-- [end:lenet5_d2l]


def init_params(layers, input_shape, seed=0):
    """Random weights for every Conv and Linear layer: a list of (w, b), in layer order.

    Conv: w (c_out, C_in, k, k), b (c_out,); Linear: w (out, in), b (out,).
    """
    rng = np.random.default_rng(seed)
    params = []
    shape = tuple(input_shape)
    for layer, out_shape, _, _ in layer_summary(layers, input_shape):
        if isinstance(layer, Conv):
            params.append((0.1 * rng.standard_normal((layer.c_out, shape[0], layer.k, layer.k)), np.zeros(layer.c_out)))
        elif isinstance(layer, Linear):
            params.append((0.1 * rng.standard_normal((layer.out, shape[0])), np.zeros(layer.out)))
        shape = out_shape
    return params


_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
}


def forward(layers, params, x):
    """The network's output for a batch, and every layer's output on the way.

    x (N, C, H, W) -> (out (N, classes), [output of each layer]).
    """
    weights = iter(params)
    outputs = []
    for layer in layers:
        if isinstance(layer, Conv):
            w, b = next(weights)
            x = conv2d(x, w, b, padding=layer.padding)
        elif isinstance(layer, Act):
            x = _ACTIVATIONS[layer.name](x)
        elif isinstance(layer, Pool):
            x = (avg_pool2d if layer.kind == "avg" else max_pool2d)(x, layer.k, layer.stride)
        elif isinstance(layer, Flatten):
            x = x.reshape(x.shape[0], -1)
        elif isinstance(layer, Linear):
            w, b = next(weights)
            x = x @ w.T + b
        outputs.append(x)
    return x, outputs


def total_params(layers=LENET5_D2L, input_shape=INPUT_D2L) -> int:
    """Parameters of the whole network."""
    return sum(row[2] for row in layer_summary(layers, input_shape))


def total_macs(layers=LENET5_D2L, input_shape=INPUT_D2L) -> int:
    """Multiply-adds of one forward pass of one sample."""
    return sum(row[3] for row in layer_summary(layers, input_shape))


# ---------------------------------------------------------------------------
# The original LeNet-5 (LeCun, Bottou, Bengio, Haffner 1998, section II-B)
# ---------------------------------------------------------------------------

# C3 is not fully connected: its 16 maps read 3, 4, 4 or 6 of S2's 6 maps (the paper's Table I).
C3_FAN_IN = (3,) * 6 + (4,) * 6 + (4,) * 3 + (6,)


def lecun1998_layers():
    """(name, trainable parameters, connections) of each layer of the original LeNet-5 (32x32 input).

    Convolutions: (fan-in k^2 + 1) per map, times the map size for connections.
    Subsampling S2, S4: 2x2 sums times one trainable coefficient plus a bias per
    map (2 parameters, 5 connections per output).  C5 (a 5x5 conv on 5x5 maps),
    F6: fully connected.  The output layer is 10 RBF units on F6's 84 values,
    with fixed, hand-chosen parameters: 840 connections, none trained.
    """
    side = 32
    c1 = output_size(side, 5)
    s2 = output_size(c1, 2, 2)
    c3 = output_size(s2, 5)
    s4 = output_size(c3, 2, 2)
    c1_params = conv_params(1, 6, 5, 5)
    c3_params = sum(fan_in * 5 * 5 + 1 for fan_in in C3_FAN_IN)
    c5_params = conv_params(16, 120, 5, 5)
    f6_params = conv_params(120, 84, 1, 1)
    return [
        ("C1", c1_params, c1_params * c1 * c1),
        ("S2", 2 * 6, (2 * 2 + 1) * 6 * s2 * s2),
        ("C3", c3_params, c3_params * c3 * c3),
        ("S4", 2 * 16, (2 * 2 + 1) * 16 * s4 * s4),
        ("C5", c5_params, c5_params),
        ("F6", f6_params, f6_params),
        ("output", 0, 84 * 10),
    ]
