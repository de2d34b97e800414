"""The convolution note's figures: they draw, deterministically, compactly, and draw the right numbers.

Every figure is rendered once per theme through tilsite.figures.draw, the
build's own code path (its _COMMON_RC and THEMES, koreanize's font), so a
missing glyph warning fails here (pytest turns warnings into errors) just as
it would show as tofu on the page.  The numbers are checked against numpy /
scipy / closed forms, not against the snippets library the figures call.
"""

from __future__ import annotations

import inspect
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from numpy.testing import assert_allclose, assert_array_equal
from scipy import signal as scipy_signal

import snippets.convolution.figures as figures
from tilsite.figures import _COMMON_RC, THEMES, FigureSpec, caption, draw

MODULE = "convolution.figures"
PLOTS = sorted(name for name, f in inspect.getmembers(figures, inspect.isfunction)
               if name.startswith("plot_") and f.__module__ == figures.__name__)
PNG_PLOTS = {"plot_kernel_gallery"}  # photos: the page asks for png
REQUIRED = {"plot_conv1d_sliding", "plot_param_counts", "plot_conv2d_grid", "plot_padding_stride_dilation",
            "plot_channels", "plot_backprop_graph", "plot_kernel_gallery", "plot_correlation_vs_convolution"}
SVG_BUDGET = 600_000  # bytes, every SVG figure in both themes together
PNG_BUDGET = 120_000  # bytes per PNG variant
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def spec(name: str) -> FigureSpec:
    return FigureSpec(MODULE, name, "png" if name in PNG_PLOTS else "svg")


@pytest.fixture(scope="module")
def rendered():
    """{(name, variant): bytes} as the build writes them."""
    return {(name, variant): draw(spec(name), variant) for name in PLOTS for variant in THEMES}


def figure(name: str, variant: str = "light") -> Figure:
    """The Figure a plot function returns under the variant's rc settings (not saved)."""
    with matplotlib.rc_context({**_COMMON_RC, **THEMES[variant]}):
        return getattr(figures, name)()


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_the_page_names_exist():
    assert REQUIRED <= set(PLOTS)


@pytest.mark.parametrize("name", PLOTS)
def test_plot_returns_a_figure_with_a_korean_caption(name):
    func = getattr(figures, name)
    assert not [p for p in inspect.signature(func).parameters.values() if p.default is p.empty]
    fig = figure(name)
    assert isinstance(fig, Figure)
    text = caption(spec(name))  # read the way the build reads it
    assert text.strip() and HANGUL.search(text), f"{name}: caption {text!r} is not Korean text"
    assert len(inspect.getdoc(func).splitlines()) > 2, f"{name}: say what is drawn below the caption"


@pytest.mark.parametrize("name", PLOTS)
def test_rendering_is_deterministic(rendered, name):
    assert draw(spec(name), "light") == rendered[name, "light"]


@pytest.mark.parametrize("name", sorted(set(PLOTS) - PNG_PLOTS))
def test_svg_ink_follows_the_theme(rendered, name):
    light, dark = rendered[name, "light"], rendered[name, "dark"]
    assert light != dark
    for variant, data in (("light", light), ("dark", dark)):
        # transparent background, no hard-coded black or white
        for colour in (b"#000000", b"#ffffff", b"fill: #000", b"fill: #fff"):
            assert colour not in data.lower(), f"{name}-{variant} contains {colour.decode()}"
        assert THEMES[variant]["text.color"].encode() in data


def test_svg_budget(rendered):
    sizes = {key: len(data) for key, data in rendered.items() if key[0] not in PNG_PLOTS}
    total = sum(sizes.values())
    assert total < SVG_BUDGET, f"SVG figures take {total:,} bytes: " + ", ".join(
        f"{n}-{v} {s // 1024} KB" for (n, v), s in sorted(sizes.items()))


@pytest.mark.parametrize("variant", list(THEMES))
def test_png_budget(rendered, variant):
    for name in PNG_PLOTS:
        data = rendered[name, variant]
        assert data.startswith(b"\x89PNG")
        assert len(data) < PNG_BUDGET, f"{name}-{variant}.png is {len(data):,} bytes"


# ---------------------------------------------------------------- the numbers drawn


def test_param_counts():
    rows = figures.param_counts_example()
    assert [r[0] for r in rows] == [28, 64, 128, 224]
    for n, o, fc, conv in rows:
        assert (o, fc, conv) == (n - 2, n**2 * (n - 2) ** 2, 9)
    labels = texts(figure("plot_param_counts"))
    assert "529,984" in labels
    for n, o, fc, _ in rows:
        assert f"{fc:,}" in labels
        assert any(f"{n}×{n}" in t and f"{o}×{o}" in t for t in labels)


def test_conv2d_grid_matches_scipy():
    ex = figures.conv2d_grid_example()
    expected = scipy_signal.correlate2d(ex["x"], ex["k"], mode="valid")
    assert_array_equal(ex["out"], expected)
    i, j = ex["cell"]
    text, value = figures.conv2d_grid_terms(ex)
    assert value == expected[i, j]
    # The spelled-out sum: its products are the window times the kernel, and it adds up.
    products = re.findall(r"(\d+)·\(?(\u2212?\d+)\)?", text)
    nums = np.array([[int(a), int(b.replace("\u2212", "-"))] for a, b in products])
    kh, kw = ex["k"].shape
    assert_array_equal(nums[:, 0], ex["x"][i : i + kh, j : j + kw].ravel())
    assert_array_equal(nums[:, 1], ex["k"].ravel())
    assert nums.prod(axis=1).sum() == expected[i, j]
    assert text.endswith(f"= {expected[i, j]}")
    labels = texts(figure("plot_conv2d_grid"))
    assert any(t.endswith(text) for t in labels)
    # every output value is printed in the output grid
    for v in expected.ravel():
        assert str(v).replace("-", "\u2212") in labels


def test_conv1d_sliding_areas_are_the_output():
    ex = figures.conv1d_sliding_example()
    tau, g, f, out, dt = ex["tau"], ex["g"], ex["f"], ex["out"], ex["dt"]
    assert_allclose(out, np.convolve(g, f)[: len(tau)] * dt)
    # The yellow area of each panel is the output value at its t ...
    for ti in ex["shifts"]:
        area = np.sum(g * figures.flipped_kernel(f, ti, len(tau))) * dt
        assert area == pytest.approx(out[ti], abs=1e-12)
    # ... and the Riemann sum is close to the integral of a box with exp(-2s):
    # (1 - e^{-2t}) / 2 on [0, 1], (e^{2} - 1) e^{-2t} / 2 after.
    t = tau
    exact = np.where(t < 0, 0, np.where(t <= 1, (1 - np.exp(-2 * t)) / 2, (np.exp(2) - 1) * np.exp(-2 * t) / 2))
    exact = np.where(t - 1 >= len(f) * dt, np.nan, exact)  # beyond the truncated kernel
    ok = ~np.isnan(exact)
    assert np.max(np.abs(out[ok] - exact[ok])) < 2 * dt
    assert any(out[ti] == 0 for ti in ex["shifts"])  # a panel before the kernel reaches the box
    assert any(out[ti] > 0.25 for ti in ex["shifts"])


def test_correlation_vs_convolution_matches_numpy():
    ex = figures.correlation_example()
    assert_allclose(ex["conv"], np.convolve(ex["a"], ex["v"]))
    assert_allclose(ex["corr"], np.correlate(ex["a"], ex["v"], "full"))
    labels = texts(figure("plot_correlation_vs_convolution"))
    for v in np.concatenate([ex["conv"], ex["corr"]]):
        assert f"{v:g}" in labels


def test_padding_stride_dilation_sizes():
    panels = figures.padding_stride_dilation_example()
    titles = [t for t in texts(figure("plot_padding_stride_dilation")) if "×" in t]
    for pn in panels:
        n, k, s, p, d = pn["n"], pn["k"], pn["stride"], pn["padding"], pn["dilation"]
        # count the window positions directly: start i*s, last tap at i*s + d*(k-1)
        brute = sum(1 for start in range(0, n + 2 * p, s) if start + d * (k - 1) < n + 2 * p)
        assert pn["out"] == brute
        assert pn["visits"] == list(range(0, brute * s, s))
        assert any(t.startswith(pn["name"]) and t.endswith(f"{brute}×{brute}") for t in titles), titles
    assert [pn["out"] for pn in panels] == [5, 2, 1]


def test_channels_shapes():
    ex = figures.channels_example()
    assert ex == {"x": (1, 3, 5, 5), "w": (4, 3, 3, 3), "b": (4,), "out": (1, 4, 3, 3)}
    labels = texts(figure("plot_channels"))
    assert any("(C_out, C_in, K_H, K_W) = (4, 3, 3, 3)" in t for t in labels)


def test_backprop_graph_edges_and_terms():
    edges = figures.backprop_edges(5, 3)
    # O_i = sum_k X_{i+k-1} W_k
    assert edges == sorted((i + k - 1, i, k) for i in range(1, 4) for k in range(1, 4))
    x_terms, w_terms = figures.backprop_terms(5, 3, x_index=3, w_index=1)
    assert sorted(x_terms) == [(1, 3), (2, 2), (3, 1)]  # dL/dX3 = d1 W3 + d2 W2 + d3 W1
    assert sorted(w_terms) == [(1, 1), (2, 2), (3, 3)]  # dL/dW1 = d1 X1 + d2 X2 + d3 X3
    labels = texts(figure("plot_backprop_graph"))
    assert any("\\delta_1 W_3 + \\delta_2 W_2 + \\delta_3 W_1" in t for t in labels)
    assert any("\\delta_1 X_1 + \\delta_2 X_2 + \\delta_3 X_3" in t for t in labels)


def test_kernel_gallery_panels_match_scipy():
    img = figures.gallery_image()
    assert img.shape == (112, 112) and 0 <= img.min() and img.max() <= 1
    panels = figures.gallery_panels()
    assert [p[0] for p in panels] == list(figures.GALLERY_KERNELS)
    levels = figures.GALLERY_LEVELS
    for name, total, shown in panels:
        k = figures.IMAGE_KERNELS[name]
        assert total == pytest.approx(k.sum())
        ref = scipy_signal.correlate2d(img, k, mode="same", boundary="fill")[1:-1, 1:-1]
        if abs(total) < 1e-9:
            m = np.percentile(np.abs(ref), 99)
            lo, hi = -m, m
        else:
            lo, hi = 0.0, 1.0
        expected = np.round((np.clip(ref, lo, hi) - lo) / (hi - lo) * (levels - 1))
        # rounding may flip a level where apply_kernel and scipy differ in the last bit
        assert np.abs(shown - expected).max() <= 1, name
        assert np.mean(shown != expected) < 1e-3, name
    titles = texts(figure("plot_kernel_gallery"))
    assert "sobel_x  (합 0)" in titles and "gaussian_blur  (합 1)" in titles
