"""output_size against convolution arithmetic from the literature and brute-force counting.

Also checks that every snippet file in snippets/convolution stays copyable
(numpy-only imports) and that its pymdownx.snippets section markers pair up.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from snippets.convolution.layers import conv1d, conv2d
from snippets.convolution.shapes import output_size, receptive_field

CONV_DIR = Path(__file__).resolve().parents[1] / "snippets" / "convolution"


# Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016):
# the worked examples of sections 2.1-2.4 and 5.1 (i input, k kernel, s, p, d).
@pytest.mark.parametrize(
    ("i", "k", "s", "p", "d", "expected"),
    [
        (5, 3, 1, 0, 1, 3),  # no padding, unit strides
        (5, 4, 1, 2, 1, 6),  # arbitrary padding
        (5, 3, 1, 1, 1, 5),  # half ("same") padding
        (5, 3, 1, 2, 1, 7),  # full padding
        (5, 3, 2, 0, 1, 2),  # no padding, strides
        (5, 3, 2, 1, 1, 3),  # padding and strides
        (6, 3, 2, 1, 1, 3),  # padding and strides, non-divisible case
        (7, 3, 1, 0, 2, 3),  # dilated convolution
    ],
)
def test_dumoulin_visin_relationships(i, k, s, p, d, expected):
    assert output_size(i, k, stride=s, padding=p, dilation=d) == expected


def test_mnist_sized_example_and_parameter_count():
    # 28x28 image, 3x3 kernel -> 26x26 feature map.
    assert output_size(28, 3) == 26
    x = np.zeros((1, 1, 28, 28))
    w = np.zeros((1, 1, 3, 3))
    assert conv2d(x, w).shape == (1, 1, 26, 26)
    # A fully connected layer for the same 28x28 -> 26x26 map needs a weight
    # per (input pixel, output pixel) pair; the convolution shares 9.
    assert 28 * 28 * output_size(28, 3) ** 2 == 529_984
    assert w.size == 9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 5, "k": 3, "stride": 0}, "stride must be positive"),
        ({"n": 5, "k": 3, "stride": -2}, "stride must be positive"),
        ({"n": 5, "k": 3, "dilation": 0}, "dilation must be positive"),
        ({"n": 5, "k": 3, "padding": -1}, "padding must be >= 0"),
        ({"n": 5, "k": 0}, "kernel size must be positive"),
        ({"n": 2, "k": 3}, "dilated kernel size 3 .* larger than the padded input size 2"),
        ({"n": 5, "k": 3, "dilation": 3}, "dilated kernel size 7 .* larger than"),
    ],
)
def test_output_size_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        output_size(**kwargs)


def test_output_size_padding_can_rescue_a_small_input():
    # 2 inputs + 1 zero per side fit a 3-tap kernel twice.
    assert output_size(2, 3, padding=1) == 2


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 40),
    k=st.integers(1, 8),
    s=st.integers(1, 5),
    p=st.integers(0, 4),
    d=st.integers(1, 4),
)
def test_output_size_counts_window_positions(n, k, s, p, d):
    # Independent count: the start offsets of the windows that fit in the padded input.
    span = d * (k - 1) + 1
    starts = range(0, n + 2 * p - span + 1, s)
    if len(starts) == 0:
        with pytest.raises(ValueError, match="larger than the padded input"):
            output_size(n, k, s, p, d)
    else:
        assert output_size(n, k, s, p, d) == len(starts)


@st.composite
def conv_geometry(draw):
    k = draw(st.integers(1, 4))
    s = draw(st.integers(1, 3))
    p = draw(st.integers(0, 2))
    d = draw(st.integers(1, 3))
    span = d * (k - 1) + 1
    n = draw(st.integers(max(1, span - 2 * p), span + 7))
    return n, k, s, p, d


@settings(max_examples=60, deadline=None)
@given(gh=conv_geometry(), gw=conv_geometry())
def test_output_size_matches_conv_output_shapes(gh, gw):
    (h, kh, sh, ph, dh), (w_, kw, sw, pw, dw) = gh, gw
    x = np.zeros((1, 2, h, w_))
    w = np.zeros((3, 2, kh, kw))
    out = conv2d(x, w, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
    assert out.shape == (1, 3, output_size(h, kh, sh, ph, dh), output_size(w_, kw, sw, pw, dw))
    out1 = conv1d(x[:, :, 0], w[:, :, 0], stride=sw, padding=pw, dilation=dw)
    assert out1.shape == (1, 3, output_size(w_, kw, sw, pw, dw))


# --- the snippet files themselves -------------------------------------------------

SNIPPET_FILES = ["shapes.py", "signal1d.py", "layers.py", "backprop.py", "kernels.py", "pooling.py"]
REQUIRED_SECTIONS = {
    "shapes.py": {"output_size", "transposed_output_size", "receptive_field"},
    "signal1d.py": {"convolve", "correlate", "convolve2d", "correlate2d"},
    "layers.py": {"conv2d_naive", "im2col", "conv2d", "conv1d", "conv_transpose1d", "conv_transpose2d"},
    "backprop.py": {"conv1d_backward", "conv2d_backward"},
    "kernels.py": {"image_kernels", "apply_kernel"},
    "pooling.py": {"max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward"},
}
MARKER = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):(\w+)\]\s*$")


@pytest.mark.parametrize("name", SNIPPET_FILES)
def test_snippet_sections_pair_up(name):
    open_sections: list[str] = []
    seen: set[str] = set()
    for lineno, line in enumerate((CONV_DIR / name).read_text().splitlines(), 1):
        m = MARKER.match(line)
        if not m:
            assert "--8<--" not in line, f"{name}:{lineno}: malformed marker {line!r}"
            continue
        kind, section = m.groups()
        if kind == "start":
            assert section not in seen, f"{name}:{lineno}: section {section!r} started twice"
            seen.add(section)
            open_sections.append(section)
        else:
            assert open_sections and open_sections[-1] == section, f"{name}:{lineno}: end:{section} without start"
            open_sections.pop()
    assert not open_sections, f"{name}: unclosed sections {open_sections}"
    assert REQUIRED_SECTIONS[name] <= seen


@pytest.mark.parametrize("name", SNIPPET_FILES)
def test_snippet_file_imports_only_numpy(name):
    # Each file must work when copied on its own: numpy and the standard library only,
    # no imports of sibling snippet files (lazy imports inside functions are allowed).
    tree = ast.parse((CONV_DIR / name).read_text())
    for node in tree.body:
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: relative import"
            roots = [node.module.split(".")[0]]
        else:
            continue
        for root in roots:
            assert root == "numpy" or root in sys.stdlib_module_names, f"{name} imports {root}"


# --- receptive field ----------------------------------------------------------------


def _field_by_backprop(layers, n: int = 200):
    """Inputs that reach one unit of the last layer: the nonzero gradient of that unit, found by
    running conv1d forward through the stack and conv1d_backward with all-ones kernels back down."""
    from snippets.convolution.backprop import conv1d_backward

    xs, x = [], np.zeros((1, 1, n))
    for layer in layers:
        k, s, d = (*layer, 1)[:3]
        xs.append((x, k, s, d))
        x = conv1d(x, np.ones((1, 1, k)), stride=s, dilation=d)

    def reach(unit):
        g = np.zeros(x.shape)
        g[0, 0, unit] = 1.0
        for xi, k, s, d in reversed(xs):
            g = conv1d_backward(xi, np.ones((1, 1, k)), g, stride=s, dilation=d)[0]
        return np.flatnonzero(g[0, 0])

    first, second = reach(0), reach(1)
    return int(first[-1] - first[0] + 1), int(second[0] - first[0])


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([(3, 1), (3, 1)], (5, 1)),  # two 3x3 layers see 5x5 (Simonyan & Zisserman 2015, VGG)
        ([(3, 1)] * 3, (7, 1)),  # three see 7x7 (same paper)
        ([(7, 2), (3, 2)], (11, 4)),  # ResNet stem: 7x7/2 conv, 3x3/2 max pool
        ([(2, 1, 2**i) for i in range(10)], (1024, 1)),  # WaveNet: dilations 1..512, kernel 2 -> 1024
        ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], (15, 1)),  # Yu & Koltun 2016: 3x3 with dilations 1, 2, 4 -> 15x15
    ],
)
def test_receptive_field_from_the_literature(layers, expected):
    assert receptive_field(layers) == expected


@settings(max_examples=40, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4))
def test_receptive_field_matches_backprop(layers):
    r, j = receptive_field(layers)
    assume(r + 2 * j + 4 <= 200)
    assert (r, j) == _field_by_backprop(layers)


def test_receptive_field_bad_input():
    with pytest.raises(ValueError, match=r"layer 1 must be \(kernel, stride\)"):
        receptive_field([(3, 1), (3,)])
    with pytest.raises(ValueError, match="layer 0: kernel, stride and dilation must be positive"):
        receptive_field([(3, 0)])
    assert receptive_field([]) == (1, 1)
