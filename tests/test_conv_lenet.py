"""LeNet-5 layer by layer (snippets/convolution/lenet.py) against published numbers and a forward pass.

Published numbers:
- Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied to
  Document Recognition", Proc. IEEE 86(11), 2278-2324 (1998), section II-B: C1 has
  156 trainable parameters and 122,304 connections, S2 12 and 5,880, C3 1,516 and
  151,600, S4 32 and 2,000, C5 48,120 trainable connections, F6 10,164 trainable
  parameters; the whole network 340,908 connections and 60,000 trainable parameters.
- A. Zhang et al., Dive into Deep Learning, section 7.6 (d2l.ai): the variant used
  on the page (28x28 input padded by 2, sigmoid, average pooling, dense C3, a
  linear output layer) and the output shapes it prints layer by layer.
The d2l variant's total, 61,706, is not printed by d2l; it is checked here as
the sum of the arrays a numpy forward pass really uses.
"""

from __future__ import annotations

import numpy as np
import pytest

from snippets.convolution import formulas
from snippets.convolution import lenet
from snippets.convolution import worked_cnn as wc

# d2l 7.6, "output shape" of each layer for a (1, 1, 28, 28) input (batch axis dropped)
D2L_SHAPES = [(6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5), (400,),
              (120,), (120,), (84,), (84,), (10,)]
LECUN_1998 = {"C1": (156, 122_304), "S2": (12, 5_880), "C3": (1_516, 151_600), "S4": (32, 2_000),
              "C5": (48_120, 48_120), "F6": (10_164, 10_164)}


@pytest.fixture(scope="module")
def rows():
    return lenet.layer_summary(lenet.LENET5_D2L, lenet.INPUT_D2L)


def test_shapes_are_the_ones_d2l_prints(rows):
    assert [r[1] for r in rows] == D2L_SHAPES


def test_shapes_agree_with_a_forward_pass(rows):
    params = lenet.init_params(lenet.LENET5_D2L, lenet.INPUT_D2L)
    out, outputs = lenet.forward(lenet.LENET5_D2L, params, np.random.default_rng(1).random((3, 1, 28, 28)))
    assert out.shape == (3, 10)
    assert [o.shape[1:] for o in outputs] == [r[1] for r in rows]
    # the parameter count is the number of weights the forward pass actually used
    assert sum(w.size + b.size for w, b in params) == lenet.total_params() == 61_706


def test_layers_shared_with_the_original_match_lecun_1998(rows):
    conv1, conv2, fc1, fc2, fc3 = [r for r in rows if r[2]]
    # C1 is the same layer: parameters, and connections = one multiply-add per weight + one bias per output
    assert conv1[2] == LECUN_1998["C1"][0]
    assert conv1[3] + np.prod(conv1[1]) == LECUN_1998["C1"][1]
    # C5 (a 5x5 conv on 5x5 maps) and F6 are d2l's two hidden linear layers
    assert fc1[2] == LECUN_1998["C5"][0] and fc1[3] + fc1[1][0] == LECUN_1998["C5"][1]
    assert fc2[2] == LECUN_1998["F6"][0] and fc2[3] + fc2[1][0] == LECUN_1998["F6"][1]
    # d2l's C3 is dense: every one of 16 maps reads all 6 inputs (the paper's reads 3 to 6)
    assert conv2[2] == 16 * (6 * 25 + 1) != LECUN_1998["C3"][0]
    assert fc3[2] == 84 * 10 + 10


def test_original_lenet5_totals_are_the_published_ones():
    layers = {name: (p, c) for name, p, c in lenet.lecun1998_layers()}
    for name, published in LECUN_1998.items():
        assert layers[name] == published, name
    assert sum(p for p, _ in layers.values()) == 60_000
    assert sum(c for _, c in layers.values()) == 340_908
    assert wc.lecun("total") == 60_000 and wc.lecun("total", "connections") == 340_908


def test_counts_agree_with_the_note_formulas(rows):
    """The sympy formulas of the note (params, macs) evaluated at each conv layer's sizes."""
    c_in = 1
    for layer, shape, params, macs in rows:
        if isinstance(layer, lenet.Conv):
            sizes = dict(C_in=c_in, C_out=layer.c_out, k_h=layer.k, k_w=layer.k, H_out=shape[1], W_out=shape[2], N=1)
            assert params == formulas.evaluate("params", **sizes)
            assert macs == formulas.evaluate("macs", **sizes)
        c_in = shape[0]


def test_totals_and_table(rows):
    assert lenet.total_macs() == 117_600 + 240_000 + 48_000 + 10_080 + 840
    table = wc.lenet_table()
    lines = table.splitlines()
    assert len(lines) == 2 + 1 + len(rows) + 1
    assert "**61,706**" in lines[-1] and f"**{lenet.total_macs():,}**" in lines[-1]
    assert "(400,)" in table and "(16, 5, 5)" in table
    assert wc.largest("params") == "완전연결 → 120"
    assert wc.largest("macs") == "합성곱 5×5, 16채널"
    assert wc.share("params", "linear") == round(100 * (48_120 + 10_164 + 850) / 61_706)
    assert wc.d2l_widths() == "120, 84, 10"


def test_unknown_layer_is_refused():
    with pytest.raises(TypeError):
        lenet.layer_summary([("conv", 6, 5)], (1, 28, 28))
